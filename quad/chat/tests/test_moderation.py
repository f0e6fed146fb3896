"""Moderating a group chat: who moderates (staff; a society's trained committee with the moderate power;
a rep group's moderators), hiding a message kept as evidence (O17), read-only, and removal for good with
the union told, with the evidence (W12, W13)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from conftest import train
from quad.accounts.models import User
from quad.chat import services
from quad.chat.errors import ChatError
from quad.chat.models import GroupMember, Message
from quad.chat.permissions import chat_access, is_moderator
from quad.chat.tests.conftest import begins, enter, says
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

REASON = "Abusive messages to another member, after a private warning."


@pytest.mark.parametrize(
    ("who", "moderates"),
    [
        ("su_staff", True),
        ("committee_trained", True),  # President: every power, GDPR-trained
        ("committee_untrained", False),  # Secretary: has the moderate power, but no training
        ("other_committee", False),  # another society's President
        ("member", False),
        ("student", False),
    ],
)
def test_who_moderates_a_society_group(request, group, other_society, who, moderates) -> None:
    assert is_moderator(request.getfixturevalue(who), group) is moderates


def test_nobody_signed_out_moderates(group) -> None:
    assert is_moderator(AnonymousUser(), group) is False


def test_the_secretary_moderates_once_trained(group, committee_untrained) -> None:
    train(committee_untrained)

    assert is_moderator(committee_untrained, group) is True


def test_a_trained_treasurer_does_not_moderate_without_the_power(group) -> None:
    treasurer = User.objects.get(display_name="Theo Treasurer")
    train(treasurer)

    assert is_moderator(treasurer, group) is False


def test_a_rep_groups_moderators_are_its_chosen_members_and_staff(
    rep_group, su_staff, student, committee_trained
) -> None:
    services.make_eligible(rep_group, [student, committee_trained], actor=su_staff)
    rep, plain = enter(student, rep_group), enter(committee_trained, rep_group)
    GroupMember.objects.filter(pk=rep.pk).update(role=GroupMember.Role.MODERATOR)

    assert is_moderator(student, rep_group) is True
    assert is_moderator(committee_trained, rep_group) is False  # a society's President is nobody special here
    assert is_moderator(su_staff, rep_group) is True
    assert plain.role == GroupMember.Role.MEMBER

    services.leave_group(rep)
    assert is_moderator(student, rep_group) is False


def test_a_hidden_message_keeps_its_text_with_who_hid_it_and_why(group, chatter, committee_trained) -> None:
    message = services.post_message(chatter, "Something nasty about Sam")

    services.hide_message(message, actor=committee_trained, reason="  Personal remarks about a member.  ")

    message.refresh_from_db()
    assert not message.is_visible
    assert message.body == "Something nasty about Sam"
    assert (message.hidden_by, message.hidden_reason) == (committee_trained, "Personal remarks about a member.")
    assert message.hidden_at is not None
    event = AuditEvent.objects.get(action="chat.message.hidden")
    assert (event.actor, event.target_id, event.scope) == (
        committee_trained,
        str(message.pk),
        group.society.audit_scope,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_a_message_needs_a_reason(group, chatter, committee_trained, reason) -> None:
    message = services.post_message(chatter, "Something rude")

    with pytest.raises(ChatError, match=begins("Say why, for the record")):
        services.hide_message(message, actor=committee_trained, reason=reason)

    message.refresh_from_db()
    assert message.is_visible
    assert not AuditEvent.objects.filter(action="chat.message.hidden").exists()


def test_a_moderator_makes_a_member_read_only_for_a_while(group, chatter, committee_trained) -> None:
    until = timezone.now() + datetime.timedelta(hours=24)

    services.make_read_only(chatter, actor=committee_trained, until=until, reason="Cooling off.")

    chatter.refresh_from_db()
    assert (chatter.read_only_until, chatter.read_only_reason) == (until, "Cooling off.")
    access = chat_access(chatter.user, group)
    assert access.can_read and not access.can_post
    event = AuditEvent.objects.get(action="chat.member.read_only")
    assert event.actor == committee_trained
    assert event.data == {"member": chatter.user_id, "until": until.isoformat(), "reason": "Cooling off."}


def test_read_only_needs_a_time_in_the_future(group, chatter, committee_trained) -> None:
    with pytest.raises(ChatError, match=says("Choose a time in the future.")):
        services.make_read_only(chatter, actor=committee_trained, until=timezone.now(), reason="Too late")

    chatter.refresh_from_db()
    assert chatter.read_only_until is None


def test_removing_a_member_tells_the_union_with_their_messages_as_they_were(
    group, chatter, moderator, committee_trained, removed
) -> None:
    first = services.post_message(chatter, "You're all idiots")
    services.post_message(moderator, "Please keep it kind.")
    services.post_message(chatter, "I know where you live")
    services.edit_message(first, actor=chatter.user, body="Only joking")
    hidden = Message.objects.get(seq=3)
    services.hide_message(hidden, actor=committee_trained, reason="A threat.")

    services.remove_member(chatter, actor=committee_trained, reason=REASON)

    chatter.refresh_from_db()
    assert chatter.removed_at is not None
    assert (chatter.removed_by, chatter.removal_reason) == (committee_trained, REASON)
    assert not chatter.is_present
    [call] = removed.calls
    assert (call["member"], call["actor"], call["reason"]) == (chatter, committee_trained, REASON)
    evidence = [(item["seq"], item["body"], item["hidden"]) for item in call["evidence"]]
    # The hidden threat is there for the union; the moderator's own message is not theirs to answer for.
    assert evidence == [(1, "Only joking", False), (3, "I know where you live", True)]
    event = AuditEvent.objects.get(action="chat.member.removed")
    assert (event.actor, event.target_id) == (committee_trained, str(group.pk))
    assert event.data == {"member": chatter.user_id, "reason": REASON}


def test_the_evidence_is_the_latest_twenty_messages(settings, group, chatter, committee_trained, removed) -> None:
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 100
    for n in range(1, 23):
        services.post_message(chatter, f"Spam {n}")

    services.remove_member(chatter, actor=committee_trained, reason="Flooding the group.")

    [call] = removed.calls
    assert [item["seq"] for item in call["evidence"]] == list(range(3, 23))


@pytest.mark.parametrize("reason", ["", " \n "])
def test_removing_a_member_needs_a_reason(group, chatter, committee_trained, removed, reason) -> None:
    with pytest.raises(ChatError, match=says("Say why: the reason is kept with the evidence, for the union.")):
        services.remove_member(chatter, actor=committee_trained, reason=reason)

    chatter.refresh_from_db()
    assert chatter.is_present
    assert removed.calls == []
    assert not AuditEvent.objects.filter(action="chat.member.removed").exists()


def test_a_removed_member_cannot_post_or_read_from_a_page_left_open(group, chatter, committee_trained) -> None:
    stale: Any = GroupMember.objects.get(pk=chatter.pk)  # what their open page or socket holds
    services.remove_member(chatter, actor=committee_trained, reason=REASON)

    with pytest.raises(ChatError, match=says("Join this group to read and post.")):
        services.post_message(stale, "Can't stop me")

    assert not Message.objects.exists()
    access = chat_access(chatter.user, group)
    assert not access.can_read and not access.can_post
