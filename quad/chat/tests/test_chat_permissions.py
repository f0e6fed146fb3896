"""The fetch-and-authorise helpers every chat view and socket event asks: to outsiders a group does not
exist (404, and guessing ids tells them nothing); members may see it but are told why they cannot post
or moderate (403 with the reason)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from quad.chat import services
from quad.chat.models import ChatGroup
from quad.chat.permissions import get_group_for_moderator, get_group_for_poster, get_group_for_reader
from quad.chat.tests.conftest import enter

pytestmark = pytest.mark.django_db

OUTSIDERS = ["anonymous", "student", "visitor", "graduate", "other_committee", "committee_untrained"]


def person(request: Any, who: str) -> Any:
    return AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)


def a_guessed_id() -> int:
    return (ChatGroup.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def refused(helper: Any, user: Any, pk: int) -> str:
    with pytest.raises(PermissionDenied) as denied:
        helper(user, pk)
    return str(denied.value)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_find_no_group_to_read(request, group, other_society, who) -> None:
    with pytest.raises(Http404):
        get_group_for_reader(person(request, who), group.pk)


@pytest.mark.parametrize("who", ["chatter", "moderator"])
def test_members_find_no_group_behind_a_guessed_id(request, group, who) -> None:
    user = request.getfixturevalue(who).user

    with pytest.raises(Http404):
        get_group_for_reader(user, a_guessed_id())
    with pytest.raises(Http404):
        get_group_for_poster(user, a_guessed_id())
    with pytest.raises(Http404):
        get_group_for_moderator(user, a_guessed_id())


def test_a_member_who_accepted_the_guidelines_reads_and_posts(group, chatter) -> None:
    access = get_group_for_reader(chatter.user, group.pk)

    assert (access.group, access.member) == (group, chatter)
    assert access.can_read and not access.moderator
    assert get_group_for_poster(chatter.user, group.pk).can_post


@pytest.mark.parametrize("who", ["committee_trained", "su_staff"])
def test_moderators_read_a_society_group_without_joining_it(request, group, who) -> None:
    access = get_group_for_reader(request.getfixturevalue(who), group.pk)

    assert access.moderator and access.can_read
    assert access.member is None


def test_a_member_who_left_finds_no_group(group, chatter) -> None:
    services.leave_group(chatter)

    with pytest.raises(Http404):
        get_group_for_reader(chatter.user, group.pk)


def test_a_closed_group_is_gone_for_its_members(group, chatter) -> None:
    group.archived_at = timezone.now()
    group.save(update_fields=["archived_at"])

    with pytest.raises(Http404):
        get_group_for_reader(chatter.user, group.pk)


def test_a_read_only_member_is_told_until_when(group, chatter, committee_trained) -> None:
    until = timezone.localtime() + datetime.timedelta(days=2)
    services.make_read_only(chatter, actor=committee_trained, until=until, reason="Cooling off.")

    expected = f"A moderator has made you read-only in this group until {until:%H:%M on %-d %B}."
    assert refused(get_group_for_poster, chatter.user, group.pk) == expected


def test_a_member_who_has_not_accepted_is_told_to_accept(group, member) -> None:
    services.join_group(member, group, token=group.invite_token)

    assert refused(get_group_for_poster, member, group.pk) == "Read and accept the group's guidelines to carry on."


def test_in_an_announcements_group_members_are_told_only_moderators_post(society, committee_trained, member) -> None:
    news = services.create_group(
        actor=committee_trained, society=society, name="News", purpose="News only.", announcements_only=True
    )
    enter(member, news)

    assert (
        refused(get_group_for_poster, member, news.pk) == "Only moderators post in this group; you can read and react."
    )
    # A moderator watching the group joins it, like everyone else, before posting.
    assert refused(get_group_for_poster, committee_trained, news.pk) == "Join this group to read and post."
    enter(committee_trained, news)
    assert get_group_for_poster(committee_trained, news.pk).moderator


@pytest.mark.parametrize("who", ["student", "other_committee", "visitor", "anonymous"])
def test_outsiders_find_no_group_to_moderate(request, group, other_society, who) -> None:
    with pytest.raises(Http404):
        get_group_for_moderator(person(request, who), group.pk)


def test_a_plain_member_is_told_only_moderators_can(group, chatter) -> None:
    assert refused(get_group_for_moderator, chatter.user, group.pk) == "Only the group's moderators can do that."


def test_the_untrained_secretary_in_the_group_is_told_only_moderators_can(group, committee_untrained) -> None:
    enter(committee_untrained, group)

    assert refused(get_group_for_moderator, committee_untrained, group.pk) == "Only the group's moderators can do that."


@pytest.mark.parametrize("who", ["committee_trained", "su_staff"])
def test_moderators_reach_the_moderation_tools(request, group, who) -> None:
    assert get_group_for_moderator(request.getfixturevalue(who), group.pk).moderator


def test_a_rep_group_is_hidden_from_a_society_committee(rep_group, committee_trained) -> None:
    with pytest.raises(Http404):
        get_group_for_reader(committee_trained, rep_group.pk)
    with pytest.raises(Http404):
        get_group_for_moderator(committee_trained, rep_group.pk)
