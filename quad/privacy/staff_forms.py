"""Filters for union staff's access log and graduate off-boarding report (`staff_views`)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings

from quad.core.academic import AcademicYear, academic_year_for, current_academic_year

# The report goes back this many academic years in its year menu; older sweeps are reached by dates.
YEARS_OFFERED = 6


class AccessLogFilterForm(forms.Form):
    society = forms.SlugField(required=False, max_length=110)
    person = forms.IntegerField(required=False, min_value=1, label="Person (account number)")


def year_choices() -> list[tuple[str, str]]:
    """This academic year and the ones before it, newest first, by the year each starts in."""
    year = current_academic_year()
    choices = [("", "Any year")]
    for _ in range(YEARS_OFFERED):
        choices.append((str(year.start.year), year.label))
        year = year.previous()
    return choices


class DeparturesFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        choices=year_choices, required=False, coerce=int, empty_value=None, label="Academic year"
    )
    start = forms.DateField(required=False, label="Removed from", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="Removed to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError("“Removed to” must be on or after “Removed from”.")
        return data

    def academic_year(self) -> AcademicYear | None:
        chosen = self.cleaned_data.get("year")
        return academic_year_for(datetime.date(chosen, *settings.ACADEMIC_YEAR_START)) if chosen else None

    def date_range(self) -> tuple[datetime.date | None, datetime.date | None]:
        """The days, inclusive, on which a listed graduate was swept: the year and the dates together."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if year := self.academic_year():
            start = max(start, year.start) if start else year.start
            end = min(end, year.end) if end else year.end
        return start, end

    def describe(self) -> str:
        parts = []
        if year := self.academic_year():
            parts.append(year.label)
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end:
            parts.append(f"{start:%-d %b %Y} to {end:%-d %b %Y}")
        elif start:
            parts.append(f"from {start:%-d %b %Y}")
        elif end:
            parts.append(f"to {end:%-d %b %Y}")
        return ", ".join(parts)
