"""Quiet hours (guidance W15): no society mail or chat notifications late at night.

The union sets the hours (QUIET_HOURS_START and QUIET_HOURS_END, local time, default 22:00-08:00);
a period that crosses midnight is the usual case. A start equal to the end means no quiet hours.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone


def _is_quiet_at(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_until(
    when: datetime.datetime | None = None,
    *,
    start: datetime.time | None = None,
    end: datetime.time | None = None,
) -> datetime.datetime | None:
    """The moment quiet hours end if `when` (default now) falls in them, else None."""
    start = settings.QUIET_HOURS_START if start is None else start
    end = settings.QUIET_HOURS_END if end is None else end
    local = timezone.localtime(when or timezone.now())
    if not _is_quiet_at(local.time().replace(tzinfo=None), start, end):
        return None
    day = local.date()
    if local.time().replace(tzinfo=None) >= end:
        day += datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, end)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def describe(start: datetime.time | None = None, end: datetime.time | None = None) -> str:
    start = settings.QUIET_HOURS_START if start is None else start
    end = settings.QUIET_HOURS_END if end is None else end
    return f"{start:%H:%M}–{end:%H:%M}"
