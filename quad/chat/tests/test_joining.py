"""Joining a group chat by its invite link (guidance W1, W4, W9, W12, O13): only signed-in students who
may be there get in; a new link stops the old one at once; someone removed is refused by every link."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from conftest import join, make_person
from quad.chat import permissions, services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, RepEligibility
from quad.chat.permissions import chat_access
from quad.chat.tests.conftest import begins
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOT_A_MEMBER = "This group is for members of Hiking Society — join the society first."
OLD_LINK = "This invite link is no longer valid. Ask for a new one."
REMOVED = "You were removed from this group, so its invite links no longer admit you."
NOT_CHOSEN = "This group is for the students the union invited to it."


def refusal(user: Any, group: ChatGroup, token: str) -> str:
    with pytest.raises(ChatError) as refused:
        services.join_group(user, group, token=token)
    return str(refused.value)


def test_a_member_joins_the_society_group_with_its_invite_link(group, member) -> None:
    joined = services.join_group(member, group, token=group.invite_token)

    assert (joined.group, joined.user, joined.role) == (group, member, GroupMember.Role.MEMBER)
    assert joined.is_present
    assert joined.accepted_version is None  # the guidelines come next, before reading
    event = AuditEvent.objects.get(action="chat.member.joined")
    assert (event.actor, event.target_id, event.scope) == (member, str(group.pk), group.society.audit_scope)


def test_the_committee_joins_their_own_group_without_buying_a_membership(group, committee_untrained) -> None:
    joined = services.join_group(committee_untrained, group, token=group.invite_token)

    assert joined.is_present


@pytest.mark.parametrize("who", ["student", "other_committee"])
def test_someone_who_is_not_a_member_is_told_to_join_the_society_first(request, group, who) -> None:
    person = request.getfixturevalue(who)

    assert refusal(person, group, group.invite_token) == NOT_A_MEMBER
    assert not GroupMember.objects.filter(user=person).exists()


@pytest.mark.parametrize("who", ["graduate", "visitor"])
def test_group_chats_are_for_current_students(request, group, who) -> None:
    person = request.getfixturevalue(who)

    assert refusal(person, group, group.invite_token) == "Group chats are for current students."
    assert not GroupMember.objects.filter(user=person).exists()


def test_a_graduate_whose_membership_has_not_ended_yet_cannot_join(group, member) -> None:
    member.course_ends_on = timezone.localdate() - datetime.timedelta(days=1)
    member.save(update_fields=["course_ends_on"])

    assert refusal(member, group, group.invite_token) == "Group chats are for current students."


def test_someone_signed_out_is_asked_to_sign_in(group) -> None:
    assert refusal(AnonymousUser(), group, group.invite_token) == "Sign in to join."
    assert not GroupMember.objects.exists()


def test_after_a_new_link_the_old_one_is_refused_and_the_new_one_works(group, member, committee_trained) -> None:
    old = group.invite_token

    new = services.rotate_invite(group, actor=committee_trained)

    assert new != old
    group.refresh_from_db()  # as the invite page loads it
    assert refusal(member, group, old) == OLD_LINK
    assert refusal(member, group, "a-guessed-token") == OLD_LINK
    assert not GroupMember.objects.filter(user=member).exists()
    assert services.join_group(member, group, token=new).is_present
    assert AuditEvent.objects.filter(action="chat.invite.rotated", actor=committee_trained).count() == 1


def test_a_removed_member_is_refused_by_every_link_even_a_new_one(group, chatter, committee_trained) -> None:
    member = chatter.user
    old = group.invite_token
    services.remove_member(chatter, actor=committee_trained, reason="Abusive messages after a warning.")

    assert refusal(member, group, old) == REMOVED
    new = services.rotate_invite(group, actor=committee_trained)
    group.refresh_from_db()
    assert refusal(member, group, new) == REMOVED
    with pytest.raises(ChatError, match=begins("You were removed")):
        services.check_can_join(member, group)
    chatter.refresh_from_db()
    assert chatter.removed_at is not None
    assert not chat_access(member, group).is_member


def test_a_removed_member_who_had_left_first_is_still_refused(group, chatter, committee_trained) -> None:
    services.leave_group(chatter)
    services.remove_member(chatter, actor=committee_trained, reason="Threats in private messages to members.")

    assert refusal(chatter.user, group, group.invite_token) == REMOVED


def test_a_rep_group_admits_only_the_students_the_union_chose(rep_group, su_staff, student, member) -> None:
    assert refusal(student, rep_group, rep_group.invite_token) == NOT_CHOSEN

    assert services.make_eligible(rep_group, [student], actor=su_staff) == 1

    assert services.join_group(student, rep_group, token=rep_group.invite_token).is_present
    # Being a member of a society is no ticket into a union group.
    assert refusal(member, rep_group, rep_group.invite_token) == NOT_CHOSEN
    event = AuditEvent.objects.get(action="chat.rep_group.eligible_added")
    assert (event.actor, event.scope, event.data) == (su_staff, "union", {"count": 1})


def test_choosing_the_same_students_again_adds_nobody(rep_group, su_staff, student, graduate) -> None:
    assert services.make_eligible(rep_group, [student], actor=su_staff) == 1

    assert services.make_eligible(rep_group, [student, graduate, graduate], actor=su_staff) == 1

    assert RepEligibility.objects.filter(group=rep_group).count() == 2
    counts = AuditEvent.objects.filter(action="chat.rep_group.eligible_added").order_by("id").values_list("data")
    assert list(counts) == [({"count": 1},), ({"count": 1},)]


def test_union_staff_may_join_a_rep_group(rep_group, su_staff) -> None:
    assert services.join_group(su_staff, rep_group, token=rep_group.invite_token).is_present


def test_students_cannot_be_chosen_for_a_society_group(group, su_staff, student) -> None:
    with pytest.raises(ChatError, match=begins("A society group is for the society's members")):
        services.make_eligible(group, [student], actor=su_staff)

    assert not RepEligibility.objects.exists()
    assert refusal(student, group, group.invite_token) == NOT_A_MEMBER


def test_a_member_who_leaves_can_rejoin_with_the_link(group, chatter) -> None:
    services.leave_group(chatter)

    chatter.refresh_from_db()
    assert chatter.left_at is not None
    assert not chat_access(chatter.user, group).is_member
    assert AuditEvent.objects.filter(action="chat.member.left", actor=chatter.user).exists()

    again = services.join_group(chatter.user, group, token=group.invite_token)

    assert again.pk == chatter.pk
    assert again.left_at is None
    assert chat_access(chatter.user, group).is_member


def test_a_closed_group_admits_nobody(group, member) -> None:
    group.archived_at = group.created_at
    group.save(update_fields=["archived_at"])

    assert refusal(member, group, group.invite_token) == "This group has closed."


def test_a_person_suspended_from_chats_cannot_join(
    group, member, membership_type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(permissions, "_blocks", [])  # the registry as it was comes back after the test
    reason = "You are suspended from group chats while the union looks into a report."

    def suspended(user: Any) -> str:
        return reason if user == member else ""

    services.register_block(suspended)
    services.register_block(suspended)  # registering twice counts once

    assert permissions._blocks == [suspended]
    assert services.blocked(member) == reason
    assert refusal(member, group, group.invite_token) == reason
    assert not GroupMember.objects.filter(user=member).exists()
    someone_else = make_person("Nia Member", "nia.member")
    join(someone_else, membership_type)
    assert services.blocked(someone_else) == ""
    assert services.join_group(someone_else, group, token=group.invite_token).is_present
