"""Group chats: groups, joining by invite, guidelines, messages in order, and moderation.

Every message is saved with the next sequence number of its group, taken with the group's row locked
(SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions queue writers), before anything
is published; `message_posted` is sent once the transaction commits. Removal is for good: the member
row keeps `removed_at`, and every invite refuses them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from quad.chat import frames, realtime
from quad.chat.errors import ChatError
from quad.chat.guidelines import DEFAULT_GUIDELINES, DEFAULT_NOTICES, PRIVATE_WARNING
from quad.chat.models import (
    ChatGroup,
    GroupMember,
    Guidelines,
    Mention,
    Message,
    ModeratorThread,
    NoticeText,
    Reaction,
    RepEligibility,
    ThreadMessage,
    new_invite_token,
)
from quad.chat.permissions import ChatAccess, blocked, chat_access, is_moderator, register_block
from quad.chat.signals import member_removed, message_edited, message_posted
from quad.core import audit
from quad.core.emails import queue_email, society_sender
from quad.core.quiet_hours import quiet_until
from quad.memberships.services import current_membership
from quad.societies.models import Society
from quad.societies.queries import terms_of

__all__ = ["blocked", "register_block"]  # kept here too: higher apps register blocks through services

MAX_MESSAGE_LENGTH = 4000
EVIDENCE_MESSAGES = 20

# The next sequence number is taken with the group's row locked (SELECT ... FOR UPDATE on PostgreSQL;
# SQLite's IMMEDIATE transactions queue writers anyway). Tests turn the lock off to show the race it
# closes, and widen the window between reading the number and saving the message through _after_seq_read.
LOCK_GROUP_FOR_SEQ = True


def _after_seq_read() -> None:
    """Nothing; a seam where the concurrency tests hold a poster between reading the number and the write."""


# Higher apps (conduct: evidence an open case holds) register checks here: a function with no arguments
# that returns the ids of messages the retention sweep must keep.
RetentionHold = Callable[[], Iterable[int]]
_retention_holds: list[RetentionHold] = []


def register_retention_hold(check: RetentionHold) -> None:
    if check not in _retention_holds:
        _retention_holds.append(check)


def retention_holds() -> set[int]:
    return {pk for check in _retention_holds for pk in check()}


def _scope(group: ChatGroup) -> str:
    return group.society.audit_scope if group.society is not None else "union"


# --- Groups ----------------------------------------------------------------------------------------


def create_group(
    *,
    actor: Any,
    name: str,
    purpose: str,
    society: Society | None = None,
    announcements_only: bool = False,
    guidelines: str = DEFAULT_GUIDELINES,
) -> ChatGroup:
    kind = ChatGroup.Kind.SOCIETY if society is not None else ChatGroup.Kind.REP
    if society is not None and society.status != Society.Status.ACTIVE:
        raise ChatError("Only an active society can open group chats.")
    with transaction.atomic():
        group = ChatGroup.objects.create(
            kind=kind,
            society=society,
            name=name,
            purpose=purpose,
            announcements_only=announcements_only,
            created_by=actor,
        )
        Guidelines.objects.create(group=group, version=1, text=guidelines, created_by=actor)
        audit.record("chat.group.created", actor=actor, target=group, scope=_scope(group))
    return group


def update_guidelines(group: ChatGroup, *, actor: Any, text: str) -> Guidelines:
    """A new version: every member accepts it again before reading on (guidance W6)."""
    with transaction.atomic():
        ChatGroup.objects.select_for_update().get(pk=group.pk)
        latest = Guidelines.objects.filter(group=group).order_by("-version").first()
        if latest is not None and latest.text.strip() == text.strip():
            raise ChatError("These are the guidelines already.")
        version = Guidelines.objects.create(
            group=group, version=(latest.version if latest else 0) + 1, text=text, created_by=actor
        )
        # Whoever wrote them has read them.
        GroupMember.objects.filter(group=group, user_id=actor.pk).update(
            accepted_version=version.version, accepted_at=timezone.now()
        )
        audit.record(
            "chat.guidelines.updated", actor=actor, target=group, scope=_scope(group), data={"version": version.version}
        )
        transaction.on_commit(lambda: frames.publish_guidelines_changed(group.pk), robust=True)
    return version


def rotate_invite(group: ChatGroup, *, actor: Any) -> str:
    """A new invite link; the old one stops working at once."""
    with transaction.atomic():
        group.invite_token = new_invite_token()
        group.invite_rotated_at = timezone.now()
        group.save(update_fields=["invite_token", "invite_rotated_at"])
        audit.record("chat.invite.rotated", actor=actor, target=group, scope=_scope(group))
    return group.invite_token


def make_eligible(group: ChatGroup, users: list[Any], *, actor: Any) -> int:
    """Union rep groups: the students staff choose may join (guidance W9)."""
    if group.kind != ChatGroup.Kind.REP:
        raise ChatError("A society group is for the society's members; choose people only for union groups.")
    with transaction.atomic():
        # bulk_create with ignore_conflicts returns every row it was given, so count the new ones first:
        # choosing the same list twice adds nobody, and the record says so.
        chosen = {user.pk: user for user in users}
        already = set(RepEligibility.objects.filter(group=group, user_id__in=chosen).values_list("user_id", flat=True))
        made = RepEligibility.objects.bulk_create(
            [
                RepEligibility(group=group, user=user, added_by=actor)
                for pk, user in chosen.items()
                if pk not in already
            ],
            ignore_conflicts=True,
        )
        audit.record(
            "chat.rep_group.eligible_added", actor=actor, target=group, scope="union", data={"count": len(made)}
        )
    return len(made)


# --- Joining ---------------------------------------------------------------------------------------


def check_can_join(user: Any, group: ChatGroup) -> None:
    """Raise ChatError with the reason fit to show, unless `user` may join `group` now."""
    if not getattr(user, "is_authenticated", False):
        raise ChatError("Sign in to join.")
    if group.archived_at is not None:
        raise ChatError("This group has closed.")
    removed = GroupMember.objects.filter(group=group, user=user, removed_at__isnull=False).exists()
    if removed:
        raise ChatError("You were removed from this group, so its invite links no longer admit you.")
    if reason := blocked(user):
        raise ChatError(reason)
    if not (user.is_student or user.is_union_staff):
        raise ChatError("Group chats are for current students.")
    if group.kind == ChatGroup.Kind.SOCIETY and group.society is not None:
        society = group.society
        if current_membership(user, society) is None and not terms_of(user, society):
            raise ChatError(f"This group is for members of {society.name} — join the society first.")
        return
    if not (user.is_union_staff or RepEligibility.objects.filter(group=group, user=user).exists()):
        raise ChatError("This group is for the students the union invited to it.")


def join_group(user: Any, group: ChatGroup, *, token: str) -> GroupMember:
    """Join through the invite link. They still accept the guidelines before reading."""
    if token != group.invite_token:
        raise ChatError("This invite link is no longer valid. Ask for a new one.")
    check_can_join(user, group)
    with transaction.atomic():
        member, created = GroupMember.objects.get_or_create(group=group, user=user)
        rejoined = not created and member.left_at is not None
        if rejoined:
            member.left_at = None
            member.save(update_fields=["left_at"])
        if created or rejoined:
            audit.record("chat.member.joined", actor=user, target=group, scope=_scope(group))
    return member


def accept_guidelines(member: GroupMember, *, version: int) -> GroupMember:
    current = (
        Guidelines.objects.filter(group_id=member.group_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    if version != current:
        raise ChatError("The guidelines changed while you were reading them: read the new version.")
    with transaction.atomic():
        member.accepted_version = version
        member.accepted_at = timezone.now()
        member.save(update_fields=["accepted_version", "accepted_at"])
        audit.record(
            "chat.guidelines.accepted",
            actor=member.user,
            target=member.group,
            scope=_scope(member.group),
            data={"version": version},
        )
    return member


def leave_group(member: GroupMember) -> None:
    with transaction.atomic():
        GroupMember.objects.filter(pk=member.pk, left_at__isnull=True).update(left_at=timezone.now())
        audit.record("chat.member.left", actor=member.user, target=member.group, scope=_scope(member.group))
        transaction.on_commit(lambda: realtime.kick(user_id=member.user_id, group_id=member.group_id), robust=True)


def set_muted(member: GroupMember, *, muted: bool) -> None:
    GroupMember.objects.filter(pk=member.pk).update(muted=muted)


# --- Messages --------------------------------------------------------------------------------------


def group_quiet_until(group: ChatGroup, when: datetime.datetime | None = None) -> datetime.datetime | None:
    return quiet_until(when, start=group.quiet_hours_start, end=group.quiet_hours_end)


def _check_rate(member: GroupMember) -> None:
    """Flooding: at most CHAT_RATE_LIMIT messages a minute per member, and the group's slow mode."""
    group = member.group
    key = f"chat:rate:{member.user_id}:{timezone.now():%Y%m%d%H%M}"
    count = int(cache.get_or_set(key, 0, timeout=120) or 0)
    if count >= settings.CHAT_RATE_LIMIT_PER_MINUTE:
        raise ChatError("You are sending messages too quickly. Wait a minute and try again.")
    if group.slow_mode_seconds:
        since = timezone.now() - datetime.timedelta(seconds=group.slow_mode_seconds)
        if Message.objects.filter(group=group, author_id=member.user_id, created_at__gte=since).exists():
            raise ChatError(f"This group is in slow mode: one message every {group.slow_mode_seconds} seconds.")
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ChatError("Write something first.")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ChatError(f"Messages are at most {MAX_MESSAGE_LENGTH} characters; this one has {len(body)}.")
    return body


# At most 18 digits: a longer number is no user id, and would overflow the database's integer.
MENTION = re.compile(r"@\[(\d{1,18})\]")


def resolve_mentions(group: ChatGroup, body: str) -> str:
    """`@Display Name` of a present member becomes `@[id]`, so a mention survives a change of name and
    names only people in the group. Longer names first: "@Sam Lee" is not "@Sam" followed by " Lee"."""
    if "@" not in body:
        return body
    present = GroupMember.objects.filter(group=group, left_at__isnull=True, removed_at__isnull=True)
    names = sorted(present.values_list("user__display_name", "user_id"), key=lambda pair: -len(pair[0]))
    for name, user_id in names:
        if name:
            body = re.sub(rf"@{re.escape(name)}(?![\w])", f"@[{user_id}]", body, flags=re.IGNORECASE)
    return body


def _save_mentions(message: Message) -> None:
    mentioned = {int(pk) for pk in MENTION.findall(message.body)}
    Mention.objects.filter(message=message).exclude(user_id__in=mentioned).delete()
    if mentioned:
        present = GroupMember.objects.filter(
            group_id=message.group_id, user_id__in=mentioned, left_at__isnull=True, removed_at__isnull=True
        ).values_list("user_id", flat=True)
        Mention.objects.bulk_create([Mention(message=message, user_id=pk) for pk in present], ignore_conflicts=True)


def _publish_update(message: Message) -> None:
    transaction.on_commit(lambda: frames.publish_update(message), robust=True)


def post_message(
    member: GroupMember,
    body: str,
    *,
    reply_to: Message | None = None,
    kind: str = Message.Kind.MESSAGE,
    in_quiet_hours: bool = False,
    access: ChatAccess | None = None,
) -> Message:
    """Save a message with the group's next sequence number. In quiet hours the poster must say they
    mean it (`in_quiet_hours=True`) or schedule it instead (guidance W15).

    `access` is what the caller's permission helper read for this member in this request (the view's, or
    the socket's for this frame); without it the access is read here. Either way it is fresh: `member`
    alone may be a moment old (a post scheduled last night), and removal is immediate (W12)."""
    if access is None or access.member is None or access.member.pk != member.pk:
        access = chat_access(member.user, member.group)
    if not access.can_post:
        raise ChatError(access.refusal())
    if kind == Message.Kind.NOTICE and not access.moderator:
        raise ChatError("Only moderators post notices.")
    group = member.group
    body = resolve_mentions(group, _clean_body(body))
    if reply_to is not None and reply_to.group_id != group.pk:
        raise ChatError("You can only reply to a message in this group.")
    if not in_quiet_hours and kind == Message.Kind.MESSAGE and (until := group_quiet_until(group)):
        raise QuietHours(until)
    if kind == Message.Kind.MESSAGE:
        _check_rate(member)
    with transaction.atomic():
        message = _save(group, author_id=member.user_id, body=body, reply_to=reply_to, kind=kind)
        GroupMember.objects.filter(pk=member.pk).update(last_read_seq=message.seq)
    return message


def _save(group: ChatGroup, *, author_id: int, body: str, kind: str, reply_to: Message | None = None) -> Message:
    """Save a message with the group's next sequence number (inside the caller's transaction) and send
    `message_posted` once that commits."""
    groups = ChatGroup.objects.select_for_update() if LOCK_GROUP_FOR_SEQ else ChatGroup.objects.all()
    locked = groups.get(pk=group.pk)
    locked.last_seq += 1
    _after_seq_read()
    locked.save(update_fields=["last_seq"])
    message = Message.objects.create(
        group=group, seq=locked.last_seq, author_id=author_id, body=body, reply_to=reply_to, kind=kind
    )
    _save_mentions(message)
    transaction.on_commit(lambda: message_posted.send(sender=Message, message=message), robust=True)
    return message


# --- One-click notices (W8, W10, O15) ----------------------------------------------------------------


def notice_text(group: ChatGroup, kind: str) -> str:
    """The group's wording of a notice, or the default."""
    own = NoticeText.objects.filter(group=group, kind=kind).values_list("text", flat=True).first()
    if own is None and kind not in DEFAULT_NOTICES:
        raise ChatError("Choose one of the notices offered.")
    return own if own is not None else DEFAULT_NOTICES[kind]


def set_notice_text(group: ChatGroup, *, actor: Any, kind: str, text: str) -> None:
    if kind not in DEFAULT_NOTICES:
        raise ChatError("Choose one of the notices offered.")
    text = text.strip()
    if not text:
        raise ChatError("Write the notice, or keep the one offered.")
    if kind == NoticeText.Kind.OFF_TOPIC and "{social}" not in text:
        raise ChatError("Keep {social} in the off-topic notice: it is where the group you suggest is named.")
    with transaction.atomic():
        NoticeText.objects.update_or_create(group=group, kind=kind, defaults={"text": text, "updated_by": actor})
        audit.record("chat.notice.edited", actor=actor, target=group, scope=_scope(group), data={"kind": kind})


def post_notice(group: ChatGroup, *, actor: Any, kind: str, social: ChatGroup | None = None) -> Message:
    """A moderator's one-click notice, posted in the group as from "the moderators"."""
    if not is_moderator(actor, group):
        raise ChatError("Only the group's moderators post notices.")
    text = notice_text(group, kind)
    if kind == NoticeText.Kind.GUIDELINES:
        current = Guidelines.objects.filter(group=group).order_by("-version").values_list("text", flat=True).first()
        text = f"{text}\n\n{current or ''}".strip()
    elif kind == NoticeText.Kind.OFF_TOPIC:
        if social is not None and (social.society_id != group.society_id or social.pk == group.pk):
            raise ChatError("Suggest another group of the same society.")
        named = f"“{social.name}”" if social is not None else "a social group"
        text = text.replace("{purpose}", group.purpose.strip()).replace("{social}", named)
    with transaction.atomic():
        message = _save(group, author_id=actor.pk, body=_clean_body(text), kind=Message.Kind.NOTICE)
        audit.record("chat.notice.posted", actor=actor, target=group, scope=_scope(group), data={"kind": kind})
    return message


# --- Private word with a member (W11, O16) -----------------------------------------------------------


def private_warning(member: GroupMember) -> str:
    return PRIVATE_WARNING.format(name=member.user.display_name, group=member.group.name)


def open_thread(member: GroupMember, *, actor: Any, body: str) -> ModeratorThread:
    """The moderators write privately to one member; the member is emailed that there is a message."""
    if not is_moderator(actor, member.group):
        raise ChatError("Only the group's moderators write to members about their behaviour.")
    if member.user_id == actor.pk:
        raise ChatError("Choose someone else.")
    body = _clean_body(body)
    with transaction.atomic():
        thread = ModeratorThread.objects.create(group=member.group, member=member.user, opened_by=actor)
        ThreadMessage.objects.create(thread=thread, author=actor, from_moderators=True, body=body)
        audit.record(
            "chat.thread.opened",
            actor=actor,
            target=member.group,
            scope=_scope(member.group),
            data={"member": member.user_id, "thread": thread.pk},
        )
        _tell_member(thread)
    return thread


def reply_in_thread(thread: ModeratorThread, *, actor: Any, body: str) -> ThreadMessage:
    from_moderators = actor.pk != thread.member_id
    if from_moderators and not is_moderator(actor, thread.group):
        raise ChatError("Only the member and the group's moderators write here.")
    with transaction.atomic():
        message = ThreadMessage.objects.create(
            thread=thread, author=actor, from_moderators=from_moderators, body=_clean_body(body)
        )
        audit.record(
            "chat.thread.reply",
            actor=actor,
            target=thread.group,
            scope=_scope(thread.group),
            data={"thread": thread.pk, "from_moderators": from_moderators},
        )
        if from_moderators:
            _tell_member(thread)
    return message


def _tell_member(thread: ModeratorThread) -> None:
    group = thread.group
    queue_email(
        "chat/emails/moderator_message",
        to=[thread.member.email],
        context={"group": group, "name": thread.member.display_name, "path": thread.get_absolute_url()},
        from_email=society_sender(group.society.name) if group.society is not None else None,
    )


class QuietHours(ChatError):
    """Posting now is in the group's quiet hours; the poster may post anyway or schedule it."""

    def __init__(self, until: datetime.datetime) -> None:
        self.until = until
        super().__init__(
            f"It is quiet hours in this group until {timezone.localtime(until):%H:%M}. "
            "Post anyway, or schedule your message for the morning?"
        )


def edit_message(message: Message, *, actor: Any, body: str) -> Message:
    if message.author_id != actor.pk:
        raise ChatError("You can edit only your own messages.")
    if not message.is_visible:
        raise ChatError("This message was deleted or hidden.")
    access = chat_access(actor, message.group)
    if not access.can_post:
        raise ChatError(access.refusal())
    with transaction.atomic():
        message.body = resolve_mentions(message.group, _clean_body(body))
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        _save_mentions(message)
        _publish_update(message)
        transaction.on_commit(lambda: message_edited.send(sender=Message, message=message), robust=True)
    return message


def delete_message(message: Message, *, actor: Any) -> Message:
    """The author's own delete. Members no longer see it; reports keep their own copy as evidence."""
    if message.author_id != actor.pk:
        raise ChatError("You can delete only your own messages.")
    if message.deleted_at is None:
        with transaction.atomic():
            message.deleted_at = timezone.now()
            message.save(update_fields=["deleted_at"])
            _publish_update(message)
    return message


def react(message: Message, *, user: Any, emoji: str) -> bool:
    """Toggle a reaction; True if it is now on."""
    if emoji not in Reaction.EMOJI:
        raise ChatError("Choose one of the reactions offered.")
    if not message.is_visible:
        raise ChatError("This message was deleted or hidden.")
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        if not deleted:
            Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        _publish_update(message)
    return not deleted


def mark_read(member: GroupMember, *, seq: int) -> None:
    GroupMember.objects.filter(pk=member.pk, last_read_seq__lt=seq).update(last_read_seq=seq)


# --- Moderation ------------------------------------------------------------------------------------


def hide_message(message: Message, *, actor: Any, reason: str) -> Message:
    """Members no longer see it; its text is kept, with who hid it and why, as evidence (O17)."""
    if not reason.strip():
        raise ChatError("Say why, for the record: only staff and moderators see it.")
    with transaction.atomic():
        message.hidden_at = timezone.now()
        message.hidden_by = actor
        message.hidden_reason = reason.strip()[:300]
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit.record(
            "chat.message.hidden",
            actor=actor,
            target=message,
            scope=_scope(message.group),
            data={"reason": message.hidden_reason},
        )
        _publish_update(message)
    return message


def make_read_only(member: GroupMember, *, actor: Any, until: datetime.datetime, reason: str) -> GroupMember:
    if until <= timezone.now():
        raise ChatError("Choose a time in the future.")
    with transaction.atomic():
        member.read_only_until = until
        member.read_only_reason = reason.strip()[:300]
        member.save(update_fields=["read_only_until", "read_only_reason"])
        audit.record(
            "chat.member.read_only",
            actor=actor,
            target=member.group,
            scope=_scope(member.group),
            data={"member": member.user_id, "until": until.isoformat(), "reason": reason},
        )
    return member


def evidence_for(member: GroupMember) -> list[dict[str, Any]]:
    """The member's latest messages in the group, as they are now (hidden ones included)."""
    messages = Message.objects.filter(group_id=member.group_id, author_id=member.user_id).order_by("-seq")[
        :EVIDENCE_MESSAGES
    ]
    return [
        {"seq": m.seq, "at": m.created_at.isoformat(), "body": m.body, "hidden": m.hidden_at is not None}
        for m in reversed(list(messages))
    ]


def remove_member(member: GroupMember, *, actor: Any, reason: str) -> GroupMember:
    """Out at once and for good (W12); the union is told with the evidence (W13) by whoever listens."""
    if not reason.strip():
        raise ChatError("Say why: the reason is kept with the evidence, for the union.")
    with transaction.atomic():
        member.removed_at = timezone.now()
        member.removed_by = actor
        member.removal_reason = reason.strip()
        member.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        evidence = evidence_for(member)
        audit.record(
            "chat.member.removed",
            actor=actor,
            target=member.group,
            scope=_scope(member.group),
            data={"member": member.user_id, "reason": reason},
        )
        member_removed.send(sender=GroupMember, member=member, actor=actor, reason=reason, evidence=evidence)
        # Out at once: their open sockets close, on every server (W12).
        transaction.on_commit(
            lambda: realtime.kick(user_id=member.user_id, group_id=member.group_id, reason="removed"), robust=True
        )
    return member


def set_role(member: GroupMember, *, actor: Any, moderator: bool) -> GroupMember:
    """Union rep groups: staff make reps the group's moderators (guidance W7), or members again. In a
    society group, moderators are the committee with the moderate power, not a role given here."""
    if member.group.kind != ChatGroup.Kind.REP:
        raise ChatError("In a society group the committee moderates; choose moderators only for union groups.")
    if not getattr(actor, "is_union_staff", False):
        raise ChatError("Only union staff choose a union group's moderators.")
    role = GroupMember.Role.MODERATOR if moderator else GroupMember.Role.MEMBER
    with transaction.atomic():
        member.role = role
        member.save(update_fields=["role"])
        audit.record(
            "chat.member.role",
            actor=actor,
            target=member.group,
            scope="union",
            data={"member": member.user_id, "role": role},
        )
    return member


def update_group(group: ChatGroup, *, actor: Any, guidelines: str, **fields: Any) -> ChatGroup:
    """A moderator changes the group's settings; new guidelines become a new version (accepted again)."""
    allowed = {"name", "purpose", "announcements_only", "slow_mode_seconds", "quiet_hours_start", "quiet_hours_end"}
    if set(fields) - allowed:
        raise ChatError("Those settings cannot be changed here.")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(group, name, value)
        group.save(update_fields=sorted(fields))
        audit.record(
            "chat.group.updated", actor=actor, target=group, scope=_scope(group), data={"fields": sorted(fields)}
        )
        latest = Guidelines.objects.filter(group=group).order_by("-version").values_list("text", flat=True).first()
        if (latest or "").strip() != guidelines.strip():
            update_guidelines(group, actor=actor, text=guidelines)
    return group
