"""Scheduling a message for the end of quiet hours (guidance W15): offered on the quiet hours page, shown
to its author with a Cancel button, posted exactly once when the hours end, and dropped without a word if
its author may no longer post by then."""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person
from quad.chat import scheduling, services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, Message, ScheduledPost
from quad.chat.tests.conftest import Clock, a_working_day, begins, enter, local, says

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def group_url(group: ChatGroup, name: str = "chat:group") -> str:
    return reverse(name, kwargs={"pk": group.pk})


@pytest.fixture
def night(settings: Any, clock: Clock) -> datetime.datetime:
    """Quiet hours 22:00–08:00, and the clock at 23:30 on a working day; the morning's 08:00 returned."""
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = datetime.time(22, 0), datetime.time(8, 0)
    day = a_working_day()
    clock.travel_to(local(day, 23, 30))
    return local(day + datetime.timedelta(days=1), 8, 0)


def test_the_quiet_hours_page_schedules_it_for_the_morning_and_it_is_posted_once(
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    night: datetime.datetime,
    posted: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(chatter.user)
    response = client.post(group_url(group, "chat:post-message"), {"body": "Boots or trainers <tomorrow>?"})
    html = response.content.decode()
    assert "Schedule for 08:00" in html
    assert "Post it now anyway" in html

    response = client.post(group_url(group, "chat:schedule-message"), {"body": "Boots or trainers <tomorrow>?"})
    assert response["Location"] == group_url(group)
    assert messages_of(response) == ["Scheduled for 08:00. You can cancel it below until then."]
    scheduled = ScheduledPost.objects.get()
    assert (scheduled.send_at, scheduled.author, scheduled.message) == (night, chatter.user, None)
    html = client.get(group_url(group)).content.decode()
    assert "Your scheduled messages" in html
    assert "Boots or trainers &lt;tomorrow&gt;?" in html
    assert reverse("chat:cancel-scheduled", kwargs={"pk": scheduled.pk}) in html
    assert not Message.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling.post_due_messages(now=night - datetime.timedelta(minutes=1)) == 0
        assert scheduling.post_due_messages(now=night) == 1
        assert scheduling.post_due_messages(now=night + datetime.timedelta(minutes=1)) == 0

    message = Message.objects.get()
    assert (message.body, message.author, message.seq) == ("Boots or trainers <tomorrow>?", chatter.user, 1)
    scheduled.refresh_from_db()
    assert scheduled.message == message
    assert len(posted.calls) == 1
    assert "Your scheduled messages" not in client.get(group_url(group)).content.decode()


def test_outside_quiet_hours_a_scheduled_message_goes_at_the_next_run(group: ChatGroup, chatter: GroupMember) -> None:
    scheduled = scheduling.schedule_message(chatter, "Morning all")
    assert scheduling.post_due_messages(now=scheduled.send_at) == 1
    assert Message.objects.get().body == "Morning all"


def test_the_author_cancels_before_it_goes_and_nobody_else_can(
    client: Client,
    group: ChatGroup,
    chatter: GroupMember,
    moderator: GroupMember,
    committee_trained: Any,
    night: datetime.datetime,
) -> None:
    scheduled = scheduling.schedule_message(chatter, "Lift anyone?")
    url = reverse("chat:cancel-scheduled", kwargs={"pk": scheduled.pk})

    client.force_login(committee_trained)
    assert client.post(url).status_code == 404  # not even a moderator: it is not theirs
    client.force_login(chatter.user)
    response = client.post(url)
    assert response["Location"] == group_url(group)
    assert messages_of(response) == ["Cancelled: it will not be posted."]
    assert not ScheduledPost.objects.exists()
    assert scheduling.post_due_messages(now=night) == 0
    assert not Message.objects.exists()


def test_a_posted_message_can_no_longer_be_cancelled(group: ChatGroup, chatter: GroupMember) -> None:
    scheduled = scheduling.schedule_message(chatter, "Morning all")
    scheduling.post_due_messages(now=scheduled.send_at)
    scheduled.refresh_from_db()
    with pytest.raises(ChatError, match=says("It has been posted already.")):
        scheduling.cancel_scheduled(scheduled, actor=chatter.user)
    with pytest.raises(ChatError, match=says("You can cancel only your own messages.")):
        scheduling.cancel_scheduled(scheduled, actor=group.created_by)


def test_posts_of_people_who_may_no_longer_post_are_dropped_quietly(
    group: ChatGroup,
    chatter: GroupMember,
    membership_type: Any,
    committee_trained: Any,
    night: datetime.datetime,
) -> None:
    others = []
    for name in ("Lee Left", "Rob Removed"):
        person = make_person(name, name.lower().replace(" ", "."))
        join(person, membership_type)
        others.append(enter(person, group))
    left, removed = others
    for member in (chatter, left, removed):
        scheduling.schedule_message(member, f"From {member.user.display_name}")
    services.leave_group(left)
    services.remove_member(removed, actor=committee_trained, reason="Spam links, twice.")
    services.make_read_only(
        chatter, actor=committee_trained, until=night + datetime.timedelta(days=1), reason="Cool off."
    )

    assert scheduling.post_due_messages(now=night) == 0
    assert not ScheduledPost.objects.exists()
    assert not Message.objects.exists()


def test_at_most_five_messages_wait_in_a_group(group: ChatGroup, chatter: GroupMember, night: Any) -> None:
    for n in range(scheduling.MAX_WAITING):
        scheduling.schedule_message(chatter, f"Thought {n}")
    with pytest.raises(ChatError, match=begins("You have 5 messages waiting for the morning")):
        scheduling.schedule_message(chatter, "One more")


def test_only_posters_schedule(client: Client, group: ChatGroup, chatter: GroupMember, committee_trained: Any) -> None:
    client.force_login(committee_trained)  # a moderator watching without joining: reads, does not post
    assert client.post(group_url(group, "chat:schedule-message"), {"body": "Hi"}).status_code == 403
    with pytest.raises(ChatError):
        scheduling.schedule_message(GroupMember(group=group, user=committee_trained), "Hi")
    assert not ScheduledPost.objects.exists()


def test_the_job_runs_from_the_command_and_the_schedule(settings: Any, group: ChatGroup, chatter: Any) -> None:
    assert ("post_scheduled_messages", 60) in settings.PERIODIC_JOBS
    scheduling.schedule_message(chatter, "Morning all")
    call_command("post_scheduled_messages", verbosity=0)
    assert Message.objects.get().body == "Morning all"


# --- Two runs at once (PostgreSQL) -----------------------------------------------------------------

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)
RUNS = 4


def runs_at_once(now: datetime.datetime) -> tuple[list[int], list[str]]:
    """RUNS threads, each with its own connection, call the job together; what each posted, and errors."""
    barrier = threading.Barrier(RUNS)
    posted: list[int] = []
    errors: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            posted.append(scheduling.post_due_messages(now=now))
        except Exception as error:  # a thread's failure is the test's to report
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return posted, errors


@pytest.fixture
def claim_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each run a moment between claiming a post and posting it, where a race would slip through."""
    monkeypatch.setattr(scheduling, "_after_claim", lambda: time.sleep(0.05))


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_runs_at_once_post_a_scheduled_message_exactly_once(
    group: ChatGroup, chatter: GroupMember, claim_window: None
) -> None:
    scheduled = scheduling.schedule_message(chatter, "Morning all")

    posted, errors = runs_at_once(scheduled.send_at)

    assert errors == []
    assert sorted(posted) == [0] * (RUNS - 1) + [1]
    assert list(Message.objects.values_list("body", flat=True)) == ["Morning all"]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_claim_lock_runs_at_once_post_it_twice(
    group: ChatGroup, chatter: GroupMember, claim_window: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: shows the lock is what keeps it to one above, not luck or timing."""
    monkeypatch.setattr(scheduling, "LOCK_FOR_CLAIM", False)
    scheduled = scheduling.schedule_message(chatter, "Morning all")

    posted, errors = runs_at_once(scheduled.send_at)

    assert errors == []
    assert sum(posted) > 1
    assert Message.objects.count() == sum(posted)


# --- In a browser ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_a_member_schedules_a_late_message_then_cancels_it(
    page: Any, settings: Any, group: ChatGroup, chatter: GroupMember
) -> None:
    from playwright.sync_api import expect

    from conftest import PASSWORD
    from quad.conftest import check_a11y, sign_in

    # Quiet hours from an hour ago to an hour from now, whatever the time the suite runs.
    now = timezone.localtime()
    settings.QUIET_HOURS_START = (now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    settings.QUIET_HOURS_END = (now + datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = f"{settings.QUIET_HOURS_END:%H:%M}"
    sign_in(page, chatter.user.email, PASSWORD)
    page.goto(group_url(group))
    page.get_by_role("textbox", name="Message", exact=True).fill("Who has a spare head torch?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1, name="It is quiet hours")).to_be_visible()
    check_a11y(page, "chat-quiet-hours")
    page.get_by_role("button", name=f"Schedule for {end}").click()
    expect(page.get_by_text(f"Scheduled for {end}.")).to_be_visible()
    waiting = page.get_by_role("region", name="Your scheduled messages")
    expect(waiting).to_contain_text("Who has a spare head torch?")
    check_a11y(page, "chat-scheduled")
    waiting.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Cancelled: it will not be posted.")).to_be_visible()
    assert not ScheduledPost.objects.exists()
