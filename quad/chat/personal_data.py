"""Group chats' personal data: the groups a person is in, what they wrote and reacted, mentions of them,
invites, private threads with a group's moderators, and what they did as a moderator; and the chat
retention sweep (CHAT_RETENTION_DAYS).

Erasure blanks the person's messages (members see "Message deleted"), except messages an open report or
case holds as evidence (`services.retention_holds`): those are deleted for members but keep their text for
union staff until the case closes and the retention sweep takes them. Their memberships, reactions,
mentions, invites and waiting posts go; the groups stay. Private threads with the moderators go too,
unless an open case about them in that group still needs them (higher apps register `register_thread_hold`;
conduct's closed-case sweep removes such a thread with its case). Moderators' notices stay: they were posted
as "the moderators" and name nobody. Whatever others wrote that names the person names the stub instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models.functions import Coalesce
from django.utils import timezone

from quad.accounts.personal_data import redact_rows
from quad.chat.models import (
    ChatGroup,
    GroupMember,
    Guidelines,
    InviteSend,
    Mention,
    Message,
    ModeratorThread,
    NoticeText,
    Reaction,
    RepEligibility,
    ScheduledPost,
    ThreadMessage,
)
from quad.chat.retention import sweep_messages
from quad.chat.services import retention_holds
from quad.core.personal_data import (
    Erasure,
    ExportSection,
    Holding,
    PersonalData,
    RetentionKind,
    iso,
    register,
    register_retention,
)

MODERATORS = "The moderators"
NOT_INCLUDED = (
    "The reasons moderators and union staff recorded are not included: they can name other people. "
    "Ask the union's privacy contact for them."
)

# Higher apps (conduct: an open case about the person) name the groups whose private threads between the
# moderators and this person must outlive an erasure: a function of the user returning group ids.
ThreadHold = Callable[[Any], Iterable[int]]
_thread_holds: list[ThreadHold] = []


def register_thread_hold(check: ThreadHold) -> None:
    if check not in _thread_holds:
        _thread_holds.append(check)


def thread_holds(user: Any) -> set[int]:
    return {pk for check in _thread_holds for pk in check(user)}


def _group(group: ChatGroup) -> str:
    return f"{group.name} ({group.society.name})" if group.society is not None else f"{group.name} (union group)"


def _export(user: Any) -> list[ExportSection]:
    memberships = GroupMember.objects.filter(user=user).select_related("group__society").order_by("joined_at", "id")
    written = (
        Message.objects.filter(author=user, kind=Message.Kind.MESSAGE)
        .select_related("group__society", "reply_to")
        .order_by("created_at", "id")
    )
    reactions = Reaction.objects.filter(user=user).select_related("message__group__society").order_by("id")
    mentions = Mention.objects.filter(user=user).select_related("message__group__society").order_by("id")
    waiting = ScheduledPost.objects.filter(author=user).select_related("group__society").order_by("send_at", "id")
    invites = InviteSend.objects.filter(user=user).select_related("group__society").order_by("sent_at", "id")
    eligible = RepEligibility.objects.filter(user=user).select_related("group__society").order_by("added_at", "id")
    threads = ThreadMessage.objects.filter(thread__member=user).select_related("thread__group__society")
    opened = ChatGroup.objects.filter(created_by=user).select_related("society").order_by("created_at", "id")
    guidelines = Guidelines.objects.filter(created_by=user).select_related("group__society").order_by("created_at")
    notices = NoticeText.objects.filter(updated_by=user).select_related("group__society").order_by("updated_at")
    hid = Message.objects.filter(hidden_by=user).select_related("group__society").order_by("hidden_at", "id")
    removed = GroupMember.objects.filter(removed_by=user).select_related("group__society").order_by("removed_at")
    wrote_as_moderator = (
        ThreadMessage.objects.filter(author=user, from_moderators=True)
        .exclude(thread__member=user)
        .select_related("thread__group__society")
    )
    return [
        ExportSection(
            "Group chats you joined",
            [
                {
                    "group": _group(m.group),
                    "role": m.get_role_display(),
                    "joined_at": iso(m.joined_at),
                    "guidelines_version_accepted": m.accepted_version,
                    "guidelines_accepted_at": iso(m.accepted_at),
                    "muted": m.muted,
                    "read_up_to_message": m.last_read_seq,
                    "read_only_until": iso(m.read_only_until),
                    "left_at": iso(m.left_at),
                    "removed_at": iso(m.removed_at),
                }
                for m in memberships
            ],
            note=NOT_INCLUDED,
        ),
        ExportSection(
            "Messages you wrote",
            [
                {
                    "group": _group(m.group),
                    "number": m.seq,
                    "written_at": iso(m.created_at),
                    "text": m.body,
                    "replying_to_message": m.reply_to.seq if m.reply_to else None,
                    "edited_at": iso(m.edited_at),
                    "deleted_at": iso(m.deleted_at),
                    "hidden_by": MODERATORS if m.hidden_at else "",
                    "hidden_at": iso(m.hidden_at),
                    "flagged_by_automatic_checks_at": iso(m.flagged_at),
                }
                for m in written
            ],
            note=f"Messages are deleted {settings.CHAT_RETENTION_DAYS} days after they were written, "
            "unless an open report or case needs them.",
        ),
        ExportSection(
            "Your reactions",
            [{"group": _group(r.message.group), "message": r.message.seq, "reaction": r.emoji} for r in reactions],
        ),
        ExportSection(
            "Messages that mentioned you",
            [
                {
                    "group": _group(m.message.group),
                    "message": m.message.seq,
                    "written_at": iso(m.message.created_at),
                    "emailed_to_you_at": iso(m.notified_at),
                }
                for m in mentions
            ],
        ),
        ExportSection(
            "Messages waiting to be posted in the morning",
            [{"group": _group(p.group), "send_at": iso(p.send_at), "text": p.body} for p in waiting],
        ),
        ExportSection(
            "Invites emailed to you",
            [{"group": _group(i.group), "sent_at": iso(i.sent_at)} for i in invites],
        ),
        ExportSection(
            "Union groups you were invited to join",
            [{"group": _group(e.group), "since": iso(e.added_at)} for e in eligible],
        ),
        ExportSection(
            "Private messages between you and a group's moderators",
            [
                {
                    "group": _group(t.thread.group),
                    "written_at": iso(t.created_at),
                    "from": MODERATORS if t.from_moderators else "You",
                    "text": t.body,
                }
                for t in threads.order_by("created_at", "id")
            ],
        ),
        ExportSection(
            "Groups you opened",
            [{"group": _group(g), "opened_at": iso(g.created_at), "purpose": g.purpose} for g in opened],
        ),
        ExportSection(
            "Guidelines you wrote",
            [
                {"group": _group(g.group), "version": g.version, "written_at": iso(g.created_at), "text": g.text}
                for g in guidelines
            ],
        ),
        ExportSection(
            "Moderator notices you reworded",
            [
                {
                    "group": _group(n.group),
                    "notice": n.get_kind_display(),
                    "changed_at": iso(n.updated_at),
                    "text": n.text,
                }
                for n in notices
            ],
        ),
        ExportSection(
            "Moderation you did",
            [
                *({"group": _group(m.group), "did": "Hid a message", "at": iso(m.hidden_at)} for m in hid),
                *({"group": _group(m.group), "did": "Removed a member", "at": iso(m.removed_at)} for m in removed),
                *(
                    {"group": _group(t.thread.group), "did": "Wrote privately to a member", "at": iso(t.created_at)}
                    for t in wrote_as_moderator.order_by("created_at", "id")
                ),
            ],
            note="Who the people you moderated were, and your reasons, are left out: they are other people's data.",
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    now = timezone.now()
    evidence = retention_holds()
    written = Message.objects.filter(author=user, kind=Message.Kind.MESSAGE)
    held = written.filter(pk__in=evidence)
    if kept := held.count():
        # Members stop seeing them now; staff keep the text until the case closes (DESIGN.md: evidence).
        held.filter(deleted_at__isnull=True).update(deleted_at=now)
        erasure.keep(
            f"{kept} chat message(s) they wrote are evidence in an open report or case: their text is kept for "
            "union staff (members no longer see them) until it closes and the retention sweep deletes them."
        )
    blanked = written.exclude(pk__in=held.values("pk"))
    Mention.objects.filter(message__in=blanked).delete()
    erasure.count(
        "chat messages blanked",
        blanked.update(body="", hidden_reason="", deleted_at=Coalesce("deleted_at", now)),
    )
    for model, what, field in (
        (Reaction, "chat reactions", "user"),
        (Mention, "mentions in chat", "user"),
        (ScheduledPost, "chat posts waiting for the morning", "author"),
        (InviteSend, "chat invite emails", "user"),
        (RepEligibility, "places in union groups", "user"),
    ):
        deleted, _ = model.objects.filter(**{field: user}).delete()  # type: ignore[attr-defined]
        erasure.count(what, deleted)
    threads = ModeratorThread.objects.filter(member=user)
    holding = thread_holds(user)
    if kept_threads := threads.filter(group_id__in=holding).count():
        erasure.keep(
            f"{kept_threads} private thread(s) between them and a group's moderators: an open case about them in "
            "that group still needs them."
        )
    _, deleted_by_model = threads.exclude(group_id__in=holding).delete()  # their messages go with them
    erasure.count("private threads with moderators", deleted_by_model.get(ModeratorThread._meta.label, 0))
    # What others wrote that names them (or gives their address) names the stub instead; evidence an open
    # case holds stays as it was.
    erasure.count(
        "chat texts naming them",
        redact_rows(Message.objects.exclude(pk__in=evidence), ["body", "hidden_reason"], user)
        + redact_rows(ThreadMessage.objects.exclude(thread__in=threads.filter(group_id__in=holding)), ["body"], user)
        + redact_rows(GroupMember.objects.exclude(user=user), ["read_only_reason", "removal_reason"], user)
        + redact_rows(ScheduledPost.objects.all(), ["body"], user)
        + redact_rows(ChatGroup.objects.all(), ["name", "purpose"], user)
        + redact_rows(Guidelines.objects.all(), ["text"], user)
        + redact_rows(NoticeText.objects.all(), ["text"], user),
    )
    # Their memberships go last (with the reasons moderators recorded about them); the groups stay.
    deleted, _ = GroupMember.objects.filter(user=user).delete()
    erasure.count("group chat memberships", deleted)


def _sweep(now: datetime.datetime) -> int:
    return sweep_messages(now=now).deleted


register(
    PersonalData(
        app="chat",
        title="Group chats",
        models=(
            "chat.ChatGroup",
            "chat.Guidelines",
            "chat.GroupMember",
            "chat.RepEligibility",
            "chat.Message",
            "chat.Reaction",
            "chat.Mention",
            "chat.ScheduledPost",
            "chat.InviteSend",
            "chat.NoticeText",
            "chat.ModeratorThread",
            "chat.ThreadMessage",
        ),
        holdings=(
            Holding(
                what="The group chats you join, when you accepted each version of their guidelines, and whether "
                "you muted them",
                why="To let you into the groups you may read, and to show you accepted the guidelines",
                basis="Legitimate interests (running the society's and the union's group chats)",
                kept="While you are in the group; a removal is kept so old links cannot readmit you",
            ),
            Holding(
                what="The messages you write, your reactions, and mentions of you, shown to the group by your "
                "display name (never your phone number or email)",
                why="It is the group chat; mentions are emailed to you if you have not read them",
                basis="Legitimate interests",
                kept=f"{settings.CHAT_RETENTION_DAYS} days (CHAT_RETENTION_DAYS), longer only while an open "
                "report or case needs a message as evidence",
            ),
            Holding(
                what="Messages a moderator hid and why, private messages between you and a group's moderators, "
                "and invites emailed to you",
                why="To keep groups safe under the union's code of conduct, and to email each invite once",
                basis="Legitimate interests; the union's duty of care",
                kept=f"Hidden messages as any message ({settings.CHAT_RETENTION_DAYS} days); threads and invites "
                "until your account is erased (threads longer only while an open case about you needs them)",
            ),
            Holding(
                what="Which moderator or staff member opened a group, wrote its guidelines or notices, hid a "
                "message or removed a member",
                why="So moderation can be accounted for; members only ever see “the moderators”",
                basis="Legitimate interests",
                kept="As long as the group exists; your name goes if your account is erased",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)

register_retention(
    RetentionKind(
        "chat_messages",
        "Group chat messages",
        "CHAT_RETENTION_DAYS",
        _sweep,
        "Messages older than this are deleted, except those an open report or case holds as evidence.",
    )
)
