"""Posting in a group chat: numbered in order per group, replies and mentions within the group, editing
and deleting your own, reactions, announcements-only groups, read-only members, flooding, slow mode,
and quiet hours (guidance W15)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import join, make_person
from quad.chat import services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, Mention, Message, Reaction
from quad.chat.permissions import chat_access, get_group_for_poster
from quad.chat.tests.conftest import a_working_day, begins, enter, local, says

pytestmark = pytest.mark.django_db

TOO_QUICK = "You are sending messages too quickly. Wait a minute and try again."


def seqs(group: ChatGroup) -> list[int]:
    return list(Message.objects.filter(group=group).order_by("seq").values_list("seq", flat=True))


@pytest.fixture
def socials(society: Any, committee_trained: Any) -> ChatGroup:
    """A second group of the same society."""
    return services.create_group(
        actor=committee_trained, society=society, name="Hiking socials", purpose="Pub after the walk."
    )


def test_messages_are_numbered_one_two_three_in_each_group_on_its_own(group, socials, chatter, member) -> None:
    in_socials = enter(member, socials)

    first = [services.post_message(chatter, f"Walk {n}") for n in range(3)]
    other = [services.post_message(in_socials, f"Pub {n}") for n in range(2)]
    services.post_message(chatter, "Walk 3")

    assert [m.seq for m in first] == [1, 2, 3]
    assert [m.seq for m in other] == [1, 2]
    assert seqs(group) == [1, 2, 3, 4]
    assert seqs(socials) == [1, 2]
    group.refresh_from_db()
    socials.refresh_from_db()
    assert (group.last_seq, socials.last_seq) == (4, 2)
    chatter.refresh_from_db()
    assert chatter.last_read_seq == 4  # your own message is read


def test_a_reply_stays_within_its_group(group, socials, chatter, member) -> None:
    elsewhere = services.post_message(enter(member, socials), "Who's coming to the pub?")
    here = services.post_message(chatter, "Boots or trainers on Saturday?")

    with pytest.raises(ChatError, match=says("You can only reply to a message in this group.")):
        services.post_message(chatter, "Me!", reply_to=elsewhere)

    reply = services.post_message(chatter, "Boots, it's muddy.", reply_to=here)
    assert reply.reply_to == here
    assert seqs(group) == [1, 2]


def test_mentions_reach_only_people_present_in_the_group(
    group, chatter, moderator, membership_type, committee_trained, student
) -> None:
    gone, out = make_person("Gil Gone", "gil.gone"), make_person("Rob Removed", "rob.removed")
    for person in (gone, out):
        join(person, membership_type)
    services.leave_group(enter(gone, group))
    services.remove_member(enter(out, group), actor=committee_trained, reason="Spam links, twice.")
    mentioned = (committee_trained, gone, out, student)

    message = services.post_message(chatter, " ".join(f"@[{p.pk}]" for p in mentioned) + " @[999999] lift?")

    assert list(Mention.objects.filter(message=message).values_list("user", flat=True)) == [committee_trained.pk]


def test_a_huge_number_in_a_mention_is_just_text(group, chatter) -> None:
    message = services.post_message(chatter, "@[99999999999999999999999999] ha")

    assert not Mention.objects.filter(message=message).exists()


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ("", "Write something first."),
        ("  \n\t ", "Write something first."),
        ("x" * 4001, "Messages are at most 4000 characters; this one has 4001."),
    ],
)
def test_empty_and_overlong_messages_are_refused_and_nothing_is_saved(group, chatter, body, refusal) -> None:
    with pytest.raises(ChatError, match=says(refusal)):
        services.post_message(chatter, body)

    assert not Message.objects.exists()
    group.refresh_from_db()
    assert group.last_seq == 0


def test_a_message_of_exactly_4000_characters_is_fine(group, chatter) -> None:
    message = services.post_message(chatter, "  " + "x" * 4000 + "\n")

    assert message.body == "x" * 4000


def test_people_edit_and_delete_only_their_own_messages(group, chatter, moderator) -> None:
    mine = services.post_message(chatter, "Meet at 9")

    with pytest.raises(ChatError, match=says("You can edit only your own messages.")):
        services.edit_message(mine, actor=moderator.user, body="Meet at 10")
    with pytest.raises(ChatError, match=says("You can delete only your own messages.")):
        services.delete_message(mine, actor=moderator.user)
    mine.refresh_from_db()
    assert (mine.body, mine.edited_at, mine.deleted_at) == ("Meet at 9", None, None)

    with pytest.raises(ChatError, match=says("Write something first.")):
        services.edit_message(mine, actor=chatter.user, body=" ")
    services.edit_message(mine, actor=chatter.user, body="Meet at 9:30")
    mine.refresh_from_db()
    assert mine.body == "Meet at 9:30"
    assert mine.edited_at is not None

    services.delete_message(mine, actor=chatter.user)
    mine.refresh_from_db()
    assert mine.deleted_at is not None
    assert not mine.is_visible
    with pytest.raises(ChatError, match=says("This message was deleted or hidden.")):
        services.edit_message(mine, actor=chatter.user, body="Meet at 10")


def test_reactions_toggle_and_only_the_offered_ones_are_allowed(group, chatter, moderator) -> None:
    message = services.post_message(moderator, "Saturday's walk is on!")

    assert services.react(message, user=chatter.user, emoji="👍") is True
    assert services.react(message, user=chatter.user, emoji="🎉") is True
    assert services.react(message, user=chatter.user, emoji="👍") is False
    assert list(Reaction.objects.filter(message=message).values_list("emoji", flat=True)) == ["🎉"]

    with pytest.raises(ChatError, match=says("Choose one of the reactions offered.")):
        services.react(message, user=chatter.user, emoji="🍕")
    assert Reaction.objects.count() == 1


def test_in_an_announcements_group_members_read_and_react_and_moderators_post(
    society, committee_trained, member
) -> None:
    news = services.create_group(
        actor=committee_trained, society=society, name="Hiking news", purpose="News only.", announcements_only=True
    )
    reader, writer = enter(member, news), enter(committee_trained, news)
    refusal = "Only moderators post in this group; you can read and react."

    with pytest.raises(ChatError, match=says(refusal)):
        services.post_message(reader, "Can I ask something?")
    with pytest.raises(PermissionDenied, match=says(refusal)):
        get_group_for_poster(member, news.pk)

    announcement = services.post_message(writer, "The AGM is on 3 March.")
    assert chat_access(member, news).can_read
    assert services.react(announcement, user=member, emoji="👍") is True
    assert seqs(news) == [1]


def test_only_moderators_post_notices(group, chatter, moderator) -> None:
    with pytest.raises(ChatError, match=says("Only moderators post notices.")):
        services.post_message(chatter, "Stop arguing, everyone.", kind=Message.Kind.NOTICE)

    notice = services.post_message(moderator, "A reminder of our guidelines.", kind=Message.Kind.NOTICE)
    assert notice.kind == Message.Kind.NOTICE


def test_a_member_who_left_cannot_post(group, chatter) -> None:
    services.leave_group(chatter)

    with pytest.raises(ChatError, match=says("Join this group to read and post.")):
        services.post_message(chatter, "Still here?")
    assert not Message.objects.exists()


def test_a_read_only_member_is_refused_until_the_time_passes(clock, group, chatter, committee_trained) -> None:
    clock.travel_to(local(a_working_day(), 12))
    until = local(a_working_day(), 13)
    services.make_read_only(chatter, actor=committee_trained, until=until, reason="Cooling off after the argument.")
    expected = f"A moderator has made you read-only in this group until 13:00 on {until:%-d %B}."

    with pytest.raises(ChatError, match=says(expected)):
        services.post_message(chatter, "That's not fair")
    with pytest.raises(PermissionDenied, match=says(expected)):
        get_group_for_poster(chatter.user, group.pk)
    assert chat_access(chatter.user, group).can_read  # they still read

    clock.travel_to(local(a_working_day(), 13, 1))

    assert services.post_message(chatter, "Sorry about earlier.").seq == 1


def test_a_fourth_message_in_a_minute_is_refused_when_the_limit_is_three(
    clock, settings, group, socials, chatter, member
) -> None:
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 3
    clock.travel_to(local(a_working_day(), 12, 0, 5))
    for n in range(3):
        services.post_message(chatter, f"Message {n}")

    with pytest.raises(ChatError, match=says(TOO_QUICK)):
        services.post_message(chatter, "One more")
    with pytest.raises(ChatError, match=says(TOO_QUICK)):  # the limit is across groups
        services.post_message(enter(member, socials), "Over here then")
    assert seqs(group) == [1, 2, 3]

    clock.travel_to(local(a_working_day(), 12, 1, 5))
    assert services.post_message(chatter, "A minute later").seq == 4


def test_slow_mode_makes_a_member_wait_between_messages(clock, group, chatter, moderator) -> None:
    group.slow_mode_seconds = 30
    group.save(update_fields=["slow_mode_seconds"])
    clock.travel_to(local(a_working_day(), 12))
    services.post_message(chatter, "First")

    with pytest.raises(ChatError, match=says("This group is in slow mode: one message every 30 seconds.")):
        services.post_message(chatter, "Second")
    services.post_message(moderator, "Someone else may post")  # the wait is each person's own

    clock.travel_to(local(a_working_day(), 12, 0, 31))
    assert services.post_message(chatter, "Second, later").seq == 3


@pytest.fixture
def union_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = datetime.time(22, 0)
    settings.QUIET_HOURS_END = datetime.time(8, 0)


def test_at_eleven_at_night_posting_asks_first_and_posting_anyway_works(
    union_quiet_hours, clock, group, chatter
) -> None:
    day = a_working_day()
    clock.travel_to(local(day, 23))

    with pytest.raises(services.QuietHours) as quiet:
        services.post_message(chatter, "Anyone awake?")

    assert quiet.value.until == local(day + datetime.timedelta(days=1), 8)
    assert str(quiet.value).startswith("It is quiet hours in this group until 08:00.")
    assert not Message.objects.exists()
    assert services.post_message(chatter, "Anyone awake?", in_quiet_hours=True).seq == 1


def test_quiet_hours_end_the_same_morning_for_an_early_message(union_quiet_hours, clock, group, chatter) -> None:
    clock.travel_to(local(a_working_day(), 6, 30))

    with pytest.raises(services.QuietHours) as quiet:
        services.post_message(chatter, "Early start?")

    assert quiet.value.until == local(a_working_day(), 8)


def test_a_groups_own_quiet_hours_replace_the_unions(union_quiet_hours, clock, group, chatter) -> None:
    group.quiet_hours_start, group.quiet_hours_end = datetime.time(20, 0), datetime.time(7, 0)
    group.save(update_fields=["quiet_hours_start", "quiet_hours_end"])
    chatter.group.refresh_from_db()
    day = a_working_day()

    clock.travel_to(local(day, 21))
    with pytest.raises(services.QuietHours) as quiet:
        services.post_message(chatter, "Quiz tonight?")
    assert quiet.value.until == local(day + datetime.timedelta(days=1), 7)

    clock.travel_to(local(day, 7, 30))  # quiet for the union, not for this group
    assert services.post_message(chatter, "Morning all").seq == 1


def test_a_moderators_notice_is_not_held_by_quiet_hours(union_quiet_hours, clock, group, moderator) -> None:
    clock.travel_to(local(a_working_day(), 23))

    assert services.post_message(moderator, "Tomorrow's walk is cancelled.", kind=Message.Kind.NOTICE).seq == 1


def test_message_posted_is_sent_after_the_transaction_commits(
    group, chatter, posted, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.post_message(chatter, "See you there")
        assert posted.calls == []  # not yet: the message could still be rolled back

    for callback in callbacks:
        callback()
    assert posted.calls == [{"signal": services.message_posted, "message": message}]


def test_a_refused_message_sends_nothing(group, chatter, posted, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ChatError):
        services.post_message(chatter, "")

    assert posted.calls == []


def test_muting_is_each_members_own_choice(group, chatter, moderator) -> None:
    services.set_muted(chatter, muted=True)

    assert list(GroupMember.objects.filter(group=group, muted=True).values_list("user", flat=True)) == [chatter.user_id]


def test_marking_read_never_goes_backwards(group, chatter, moderator) -> None:
    for n in range(3):
        services.post_message(moderator, f"News {n}")

    services.mark_read(chatter, seq=3)
    services.mark_read(chatter, seq=1)  # an old tab catching up late

    chatter.refresh_from_db()
    assert chatter.last_read_seq == 3


def test_an_access_read_for_someone_else_is_not_trusted_when_posting(
    group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    """post_message takes the access the caller's helper just read, but only for the same member: one read
    for the moderator does not let a read-only member post."""
    services.make_read_only(
        chatter, actor=moderator.user, until=timezone.now() + datetime.timedelta(days=1), reason="cool off"
    )
    theirs = chat_access(moderator.user, group)
    assert theirs.can_post
    with pytest.raises(ChatError, match=begins("A moderator has made you read-only")):
        services.post_message(chatter, "let me in", access=theirs)
    assert not Message.objects.filter(group=group).exists()
