"""Chat's part of subject access and erasure, and its retention kind. A person's export holds the groups
they are in, what they wrote and reacted, mentions of them and the moderators' private messages to them
(from "the moderators", never a name); erasure blanks their messages, except those an open report or case
holds as evidence, and removes their memberships, reactions, mentions, invites and waiting posts."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from quad.chat import scheduling, services
from quad.chat.models import (
    ChatGroup,
    GroupMember,
    InviteSend,
    Mention,
    Message,
    ModeratorThread,
    Reaction,
    RepEligibility,
    ScheduledPost,
)
from quad.core.personal_data import Erasure, PersonalData, registered, retention_kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def held() -> Iterator[set[int]]:
    """Message ids an open report or case holds: only these, whatever other apps register, while the test runs."""
    ids: set[int] = set()
    saved = list(services._retention_holds)
    services._retention_holds[:] = [lambda: ids]
    yield ids
    services._retention_holds[:] = saved


def chat_data() -> PersonalData:
    return next(entry for entry in registered() if entry.app == "chat" and entry.title == "Group chats")


def export_of(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {section.title: [dict(row) for row in section.rows] for section in chat_data().export(user)}


def test_the_export_holds_what_they_wrote_and_did_and_names_no_moderator(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, committee_trained: Any
) -> None:
    mine = services.post_message(chatter, "See you at the lake")
    theirs = services.post_message(moderator, f"@[{member.pk}] bring boots")
    services.react(theirs, user=member, emoji="🎉")
    services.hide_message(mine, actor=committee_trained, reason="Off topic, Mia.")
    thread = services.open_thread(chatter, actor=committee_trained, body="Please keep it on topic.")
    services.reply_in_thread(thread, actor=member, body="Sorry!")

    export = export_of(member)

    [joined] = export["Group chats you joined"]
    assert (joined["group"], joined["role"], joined["guidelines_version_accepted"]) == (
        "Hiking Society (Hiking Society)",
        "Member",
        1,
    )
    [written] = export["Messages you wrote"]
    assert (written["text"], written["hidden_by"]) == ("See you at the lake", "The moderators")
    assert export["Your reactions"] == [
        {"group": "Hiking Society (Hiking Society)", "message": theirs.seq, "reaction": "🎉"}
    ]
    assert [m["message"] for m in export["Messages that mentioned you"]] == [theirs.seq]
    assert [(t["from"], t["text"]) for t in export["Private messages between you and a group's moderators"]] == [
        ("The moderators", "Please keep it on topic."),
        ("You", "Sorry!"),
    ]
    everything = json.dumps(export, ensure_ascii=False)
    for other in (committee_trained.email, committee_trained.display_name, "Off topic, Mia."):
        assert other not in everything


def test_a_moderators_export_says_what_they_did_without_the_people(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, committee_trained: Any
) -> None:
    services.hide_message(services.post_message(chatter, "Oops"), actor=committee_trained, reason="Mia was rude")

    export = export_of(committee_trained)

    assert [row["did"] for row in export["Moderation you did"]] == ["Hid a message"]
    assert [row["group"] for row in export["Groups you opened"]] == ["Hiking Society (Hiking Society)"]
    assert "Mia" not in json.dumps(export["Moderation you did"])


def test_erasure_blanks_their_messages_and_removes_what_ties_them_to_the_groups(
    group: ChatGroup,
    rep_group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    member: Any,
    committee_trained: Any,
    su_staff: Any,
    held: set[int],
) -> None:
    said = services.post_message(chatter, f"Lifts from the station, @[{committee_trained.pk}]?")
    deleted = services.delete_message(services.post_message(chatter, "Typo"), actor=member)
    answer = services.post_message(moderator, f"@[{member.pk}] yes, at nine")
    services.react(answer, user=member, emoji="👍")
    services.react(said, user=committee_trained, emoji="❤️")
    scheduling.schedule_message(chatter, "Morning all")
    services.open_thread(chatter, actor=committee_trained, body="A word about lifts.")
    services.make_eligible(rep_group, [member], actor=su_staff)
    InviteSend.objects.create(group=rep_group, user=member, token=rep_group.invite_token, sent_by=su_staff)
    notice = services.post_notice(group, actor=committee_trained, kind="guidelines")

    erasure = Erasure(user_id=member.pk)
    chat_data().erase(member, erasure)

    said.refresh_from_db()
    deleted.refresh_from_db()
    assert (said.body, deleted.body) == ("", "")
    assert said.deleted_at is not None and deleted.deleted_at is not None
    assert not Mention.objects.exists()  # of them, and by them in a message that is now blank
    assert list(Reaction.objects.values_list("user_id", flat=True)) == [committee_trained.pk]
    assert not GroupMember.objects.filter(user=member).exists()
    assert not ScheduledPost.objects.exists()
    assert not ModeratorThread.objects.exists()
    assert not RepEligibility.objects.exists()
    assert not InviteSend.objects.exists()
    # The groups, other people's messages and the moderators' notices stay.
    assert ChatGroup.objects.count() == 2
    answer.refresh_from_db()
    notice.refresh_from_db()
    assert answer.body == f"@[{member.pk}] yes, at nine" and notice.deleted_at is None
    assert erasure.removed == {
        "chat messages blanked": 2,
        "chat reactions": 1,
        "mentions in chat": 1,
        "chat posts waiting for the morning": 1,
        "chat invite emails": 1,
        "places in union groups": 1,
        "private threads with moderators": 1,
        "group chat memberships": 1,
    }
    assert erasure.kept == []


def test_a_message_held_as_evidence_keeps_its_text_for_staff_and_the_record_says_why(
    group: ChatGroup, chatter: GroupMember, member: Any, held: set[int]
) -> None:
    reported = services.post_message(chatter, "The thing someone reported")
    other = services.post_message(chatter, "Something nobody reported")
    held.add(reported.pk)

    erasure = Erasure(user_id=member.pk)
    chat_data().erase(member, erasure)

    reported.refresh_from_db()
    other.refresh_from_db()
    assert reported.body == "The thing someone reported"
    assert reported.deleted_at is not None  # members no longer see it
    assert other.body == ""
    assert erasure.kept == [
        "1 chat message(s) they wrote are evidence in an open report or case: their text is kept for union staff "
        "(members no longer see them) until it closes and the retention sweep deletes them."
    ]


def test_the_chat_retention_kind_sweeps_old_messages_once(
    settings: Any, group: ChatGroup, chatter: GroupMember, held: set[int]
) -> None:
    [kind] = [k for k in retention_kinds() if k.key == "chat_messages"]
    assert kind.setting == "CHAT_RETENTION_DAYS"
    old = services.post_message(chatter, "Last year's walk")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    recent = services.post_message(chatter, "This week's walk")

    assert kind.sweep(timezone.now()) == 1
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert kind.sweep(timezone.now()) == 0
    call_command("sweep_chat_messages", verbosity=0)  # the chat command still runs the same sweep
    assert Message.objects.filter(pk=recent.pk).exists()


def test_what_others_wrote_naming_them_names_the_stub_except_evidence_a_case_holds(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember, member: Any, committee_trained: Any, held: set[int]
) -> None:
    thanks = services.post_message(moderator, "Thanks Mia Member for the flapjacks!")
    reported = services.post_message(moderator, "Mia Member never pays for lifts.")
    held.add(reported.pk)
    services.hide_message(thanks, actor=committee_trained, reason="Mia Member asked us to.")
    stub = f"Erased member {member.pk}"

    erasure = Erasure(user_id=member.pk)
    chat_data().erase(member, erasure)

    thanks.refresh_from_db()
    reported.refresh_from_db()
    assert (thanks.body, thanks.hidden_reason) == (f"Thanks {stub} for the flapjacks!", f"{stub} asked us to.")
    assert reported.body == "Mia Member never pays for lifts."
    assert erasure.removed["chat texts naming them"] == 1
