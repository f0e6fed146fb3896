"""Chat tests: quiet hours off unless a test turns them on, so a suite run at night behaves like one run
by day; a society group and a union rep group; members who joined and accepted the guidelines; a clock.

- ``group``: Hiking Society's group chat, opened by its President (``committee_trained``)
- ``rep_group``: a union group for student reps, opened by ``su_staff``
- ``chatter``: ``member`` in ``group``, guidelines accepted
- ``moderator``: ``committee_trained`` in ``group``, guidelines accepted
- ``clock``: `timezone.now()` for this test, moved with ``clock.travel_to(moment)``; time still passes
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from quad.chat import services
from quad.chat.models import ChatGroup, GroupMember
from quad.chat.permissions import current_version
from quad.chat.signals import member_removed, message_posted

REAL_NOW = timezone.now


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)


@pytest.fixture
def group(society: Any, committee_trained: Any) -> ChatGroup:
    return services.create_group(
        actor=committee_trained, society=society, name="Hiking Society", purpose="Planning our weekend walks."
    )


@pytest.fixture
def rep_group(su_staff: Any) -> ChatGroup:
    return services.create_group(actor=su_staff, name="Course reps: Engineering", purpose="Reps and the union.")


def says(text: str) -> str:
    """A `pytest.raises(match=...)` pattern for exactly `text`, the words a person is shown."""
    return f"^{re.escape(text)}$"


def begins(text: str) -> str:
    """A `pytest.raises(match=...)` pattern for words that begin with `text`."""
    return f"^{re.escape(text)}"


def enter(user: Any, group: ChatGroup) -> GroupMember:
    """Join `group` by its invite link and accept its current guidelines, as a person does on the invite page."""
    joined = services.join_group(user, group, token=group.invite_token)
    return services.accept_guidelines(joined, version=current_version(group))


@pytest.fixture
def chatter(member: Any, group: ChatGroup) -> GroupMember:
    return enter(member, group)


@pytest.fixture
def moderator(committee_trained: Any, group: ChatGroup) -> GroupMember:
    return enter(committee_trained, group)


@dataclass
class Clock:
    """`timezone.now()` shifted by `offset` (as quad.mailings.tests.conftest's clock)."""

    offset: datetime.timedelta = datetime.timedelta(0)

    def now(self) -> datetime.datetime:
        return REAL_NOW() + self.offset

    def travel_to(self, moment: datetime.datetime) -> None:
        self.offset = moment - REAL_NOW()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


def local(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """`hour:minute:second` on `day`, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


def a_working_day() -> datetime.date:
    """Today, or yesterday on the academic year's last day, so the day after is in the same year as the
    memberships (which last until the year's end)."""
    from quad.core.academic import current_academic_year

    today = timezone.localdate()
    return today if today < current_academic_year().end else today - datetime.timedelta(days=1)


@dataclass
class Heard:
    """What a receiver of one of chat's signals was sent, call by call."""

    calls: list[dict[str, Any]]

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def posted() -> Iterator[Heard]:
    """Everything `message_posted` sends while the test runs."""
    heard = Heard([])
    message_posted.connect(heard, weak=False, dispatch_uid="chat-tests-posted")
    yield heard
    message_posted.disconnect(dispatch_uid="chat-tests-posted")


@pytest.fixture
def removed() -> Iterator[Heard]:
    """Everything `member_removed` sends while the test runs (what conduct listens to, W13)."""
    heard = Heard([])
    member_removed.connect(heard, weak=False, dispatch_uid="chat-tests-removed")
    yield heard
    member_removed.disconnect(dispatch_uid="chat-tests-removed")
