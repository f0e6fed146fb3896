"""Academic years: the union's calendar that memberships, terms and training follow.

Framework-free apart from reading the boundary setting; the year starts on
ACADEMIC_YEAR_START (1 August by default) and ends the day before the next start.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class AcademicYear:
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return f"{self.start.year}/{str(self.end.year)[-2:]}"

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> AcademicYear:
        return academic_year_for(self.end + datetime.timedelta(days=1))

    def previous(self) -> AcademicYear:
        return academic_year_for(self.start - datetime.timedelta(days=1))


def academic_year_for(day: datetime.date, *, start: tuple[int, int] | None = None) -> AcademicYear:
    month, dom = start or settings.ACADEMIC_YEAR_START
    begins = datetime.date(day.year, month, dom)
    if day < begins:
        begins = datetime.date(day.year - 1, month, dom)
    following = datetime.date(begins.year + 1, month, dom)
    return AcademicYear(start=begins, end=following - datetime.timedelta(days=1))


def current_academic_year() -> AcademicYear:
    return academic_year_for(timezone.localdate())
