"""Quiet hours: when late-night mail waits until, across midnight, within a day, and over the clock
changes (Europe/London: the last Sundays of March and October)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from quad.core.quiet_hours import describe, quiet_until

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
NIGHT = {"start": datetime.time(22, 0), "end": datetime.time(8, 0)}


@pytest.fixture(autouse=True)
def _london(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/London"


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (london(2026, 11, 20, 23, 30), london(2026, 11, 21, 8, 0)),  # before midnight: the next morning
        (london(2026, 11, 20, 22, 0), london(2026, 11, 21, 8, 0)),  # quiet from the first minute
        (london(2026, 11, 21, 0, 0), london(2026, 11, 21, 8, 0)),
        (london(2026, 11, 21, 7, 59), london(2026, 11, 21, 8, 0)),  # after midnight: this morning
    ],
)
def test_a_night_crossing_midnight_ends_at_eight_the_following_morning(
    moment: datetime.datetime, until: datetime.datetime
) -> None:
    assert quiet_until(moment, **NIGHT) == until


@pytest.mark.parametrize(
    "moment",
    [london(2026, 11, 21, 8, 0), london(2026, 11, 21, 12, 0), london(2026, 11, 21, 21, 59)],
)
def test_daytime_is_not_quiet(moment: datetime.datetime) -> None:
    assert quiet_until(moment, **NIGHT) is None


def test_a_moment_given_in_utc_is_judged_by_the_local_clock() -> None:
    # 22:30 UTC on a summer evening is 23:30 in London: quiet until 08:00 London, 07:00 UTC.
    assert quiet_until(datetime.datetime(2026, 6, 10, 22, 30, tzinfo=UTC), **NIGHT) == datetime.datetime(
        2026, 6, 11, 7, 0, tzinfo=UTC
    )
    # 21:30 UTC in summer is 22:30 in London: quiet, although 21:30 on its own would not be.
    assert quiet_until(datetime.datetime(2026, 6, 10, 21, 30, tzinfo=UTC), **NIGHT) is not None


def test_a_window_within_one_day() -> None:
    lunch = {"start": datetime.time(12, 0), "end": datetime.time(14, 0)}

    assert quiet_until(london(2026, 11, 20, 11, 59), **lunch) is None
    assert quiet_until(london(2026, 11, 20, 12, 0), **lunch) == london(2026, 11, 20, 14, 0)
    assert quiet_until(london(2026, 11, 20, 13, 30), **lunch) == london(2026, 11, 20, 14, 0)
    assert quiet_until(london(2026, 11, 20, 14, 0), **lunch) is None
    assert quiet_until(london(2026, 11, 20, 23, 0), **lunch) is None


@pytest.mark.parametrize("hour", [0, 8, 12, 22, 23])
def test_start_equal_to_end_means_no_quiet_hours(hour: int) -> None:
    same = {"start": datetime.time(8, 0), "end": datetime.time(8, 0)}

    assert quiet_until(london(2026, 11, 20, hour, 0), **same) is None


def test_the_night_the_clocks_go_forward_is_half_an_hour_shorter() -> None:
    # Sunday 29 March 2026, 01:00 GMT becomes 02:00 BST.
    evening = london(2026, 3, 28, 23, 30)  # GMT, UTC+0

    until = quiet_until(evening, **NIGHT)

    assert until == london(2026, 3, 29, 8, 0)
    assert until is not None and until.utcoffset() == datetime.timedelta(hours=1)
    assert until.astimezone(UTC) == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    # Real time, not the wall clock's 8½ hours (Python subtracts times in one zone by the wall clock).
    assert until.astimezone(UTC) - evening.astimezone(UTC) == datetime.timedelta(hours=7, minutes=30)


def test_the_night_the_clocks_go_back_is_an_hour_longer() -> None:
    # Sunday 25 October 2026, 02:00 BST becomes 01:00 GMT.
    evening = london(2026, 10, 24, 23, 30)  # BST, UTC+1

    until = quiet_until(evening, **NIGHT)

    assert until == london(2026, 10, 25, 8, 0)
    assert until is not None and until.utcoffset() == datetime.timedelta(0)
    assert until.astimezone(UTC) == datetime.datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert until.astimezone(UTC) - evening.astimezone(UTC) == datetime.timedelta(hours=9, minutes=30)


def test_in_the_repeated_hour_when_the_clocks_go_back_it_is_still_quiet_until_eight() -> None:
    # 01:30 happens twice on 25 October 2026; either way quiet hours end at 08:00 GMT.
    first = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    assert timezone.localtime(first).time() == timezone.localtime(second).time() == datetime.time(1, 30)

    assert (
        quiet_until(first, **NIGHT) == quiet_until(second, **NIGHT) == datetime.datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    )


def test_the_union_settings_are_used_when_no_hours_are_given(settings: Any) -> None:
    settings.QUIET_HOURS_START = datetime.time(23, 0)
    settings.QUIET_HOURS_END = datetime.time(7, 0)

    assert quiet_until(london(2026, 11, 20, 22, 30)) is None
    assert quiet_until(london(2026, 11, 20, 23, 30)) == london(2026, 11, 21, 7, 0)
    assert describe() == "23:00–07:00"
