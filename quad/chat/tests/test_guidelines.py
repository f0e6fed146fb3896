"""The group guidelines (guidance W6, O14): the six from the union's guide and the code-of-conduct
statement, accepted before reading; a new version is accepted again before reading on."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from quad.chat import services
from quad.chat.errors import ChatError
from quad.chat.guidelines import DEFAULT_GUIDELINES
from quad.chat.models import Guidelines, Message
from quad.chat.permissions import chat_access, current_version, get_group_for_poster, get_group_for_reader
from quad.chat.tests.conftest import begins, says
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

THE_SIX = [
    "Please be kind and respectful to others in the group.",
    "Mute the group to prevent repeated notifications.",
    "Please give the committee time to reply.",
    "Avoid messaging late at night or very early in the morning.",
    "Keep discussions relevant to the group's purpose.",
    "Do not share individuals' information outside of the group.",
]
CHANGED = "The group's guidelines have changed: read and accept them to carry on."
FIRST_TIME = "Read and accept the group's guidelines to carry on."
WITH_A_SEVENTH = DEFAULT_GUIDELINES + "\n\n7. No spoilers for the book club's current book."


def test_a_new_group_has_version_one_with_the_six_guidelines_and_the_conduct_statement(group) -> None:
    [first] = Guidelines.objects.filter(group=group)

    assert first.version == 1
    assert current_version(group) == 1
    assert re.findall(r"^(\d)\. ", first.text, re.MULTILINE) == ["1", "2", "3", "4", "5", "6"]
    for guideline in THE_SIX:
        assert guideline in first.text
    assert "Breaches of the union's code of conduct are not tolerated" in first.text
    assert "the union is told" in first.text


def test_a_member_cannot_read_until_they_accept_the_guidelines(group, member) -> None:
    joined = services.join_group(member, group, token=group.invite_token)

    access = chat_access(member, group)
    assert access.is_member and access.needs_to_accept
    assert not access.can_read and not access.can_post
    # They reach the group, to be shown the guidelines, but read and post nothing yet.
    assert get_group_for_reader(member, group.pk).needs_to_accept
    with pytest.raises(PermissionDenied, match=says(FIRST_TIME)):
        get_group_for_poster(member, group.pk)
    with pytest.raises(ChatError, match=says(FIRST_TIME)):
        services.post_message(joined, "Hello all!")
    assert not Message.objects.exists()

    services.accept_guidelines(joined, version=1)

    access = chat_access(member, group)
    assert access.can_read and access.can_post
    assert get_group_for_poster(member, group.pk).member == joined
    joined.refresh_from_db()
    assert (joined.accepted_version, joined.accepted_at is not None) == (1, True)
    event = AuditEvent.objects.get(action="chat.guidelines.accepted")
    assert (event.actor, event.data) == (member, {"version": 1})


def test_new_guidelines_are_version_two_and_every_member_accepts_again(group, chatter, committee_trained) -> None:
    second = services.update_guidelines(group, actor=committee_trained, text=WITH_A_SEVENTH)

    assert second.version == 2
    assert current_version(group) == 2
    access = chat_access(chatter.user, group)
    assert access.needs_to_accept and not access.can_read
    with pytest.raises(PermissionDenied, match=says(CHANGED)):
        get_group_for_poster(chatter.user, group.pk)
    event = AuditEvent.objects.get(action="chat.guidelines.updated")
    assert (event.actor, event.data) == (committee_trained, {"version": 2})

    services.accept_guidelines(chatter, version=2)

    assert chat_access(chatter.user, group).can_read


def test_accepting_guidelines_that_changed_meanwhile_is_refused(group, member, committee_trained) -> None:
    joined = services.join_group(member, group, token=group.invite_token)
    services.update_guidelines(group, actor=committee_trained, text=WITH_A_SEVENTH)

    with pytest.raises(ChatError, match=begins("The guidelines changed while you were reading them")):
        services.accept_guidelines(joined, version=1)

    joined.refresh_from_db()
    assert joined.accepted_version is None
    assert not chat_access(member, group).can_read
    assert not AuditEvent.objects.filter(action="chat.guidelines.accepted").exists()


@pytest.mark.parametrize("text", [DEFAULT_GUIDELINES, f"\n  {DEFAULT_GUIDELINES}  \n"])
def test_the_same_guidelines_again_are_refused(group, chatter, committee_trained, text) -> None:
    with pytest.raises(ChatError, match=says("These are the guidelines already.")):
        services.update_guidelines(group, actor=committee_trained, text=text)

    assert list(Guidelines.objects.filter(group=group).values_list("version", flat=True)) == [1]
    assert chat_access(chatter.user, group).can_read  # nobody is asked to accept again
