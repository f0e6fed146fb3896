"""Mailings tests: quiet hours off unless a test turns them on, so a suite run at night behaves
like one run by day; helpers to write and send a mailing to a society's members; a clock.

- ``members``: ``member`` and four more current members of ``society``
- ``clock``: `timezone.now()` for this test, moved with ``clock.travel_to(moment)``; time still passes
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import join, make_person

REAL_NOW = timezone.now


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)


@pytest.fixture
def members(membership_type: Any, member: Any) -> list[Any]:
    """`member` and four more current members of `society`."""
    people = [member]
    for n in range(4):
        person = make_person(f"Member {n}", f"member.{n}")
        join(person, membership_type)
        people.append(person)
    return people


def write(society: Any, actor: Any, **fields: Any) -> Any:
    from quad.mailings import services

    values = {"subject": "Hike on Saturday", "body": "Meet at **9am** by the [lake](https://example.com/lake)."}
    return services.create_mailing(society, actor=actor, **(values | fields))


@dataclass
class Clock:
    """`timezone.now()` shifted by `offset` (quad.elections.tests.factories has the same for elections)."""

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


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """`hour:minute` on `day`, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def a_working_day() -> datetime.date:
    """Today, or yesterday on the academic year's last day, so the day after is in the same year
    as the memberships (which last until the year's end)."""
    from quad.core.academic import current_academic_year

    today = timezone.localdate()
    return today if today < current_academic_year().end else today - datetime.timedelta(days=1)


@pytest.fixture
def noon(clock: Clock) -> datetime.datetime:
    """The clock at noon on a working day, before anyone else is set up: list it first."""
    moment = local(a_working_day(), 12)
    clock.travel_to(moment)
    return moment
