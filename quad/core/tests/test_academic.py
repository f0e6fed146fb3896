import datetime

import pytest

from quad.core.academic import AcademicYear, academic_year_for, current_academic_year


def test_31_july_belongs_to_the_year_that_began_the_previous_august() -> None:
    year = academic_year_for(datetime.date(2025, 7, 31))

    assert year == AcademicYear(start=datetime.date(2024, 8, 1), end=datetime.date(2025, 7, 31))


def test_1_august_starts_a_new_academic_year() -> None:
    year = academic_year_for(datetime.date(2025, 8, 1))

    assert year == AcademicYear(start=datetime.date(2025, 8, 1), end=datetime.date(2026, 7, 31))


def test_new_years_day_is_in_the_middle_of_the_academic_year() -> None:
    year = academic_year_for(datetime.date(2026, 1, 1))

    assert year.start == datetime.date(2025, 8, 1)
    assert year.end == datetime.date(2026, 7, 31)


def test_a_year_contains_its_first_and_last_day_and_nothing_either_side() -> None:
    year = academic_year_for(datetime.date(2025, 10, 1))

    assert datetime.date(2025, 8, 1) in year
    assert datetime.date(2026, 7, 31) in year
    assert datetime.date(2025, 7, 31) not in year
    assert datetime.date(2026, 8, 1) not in year


def test_custom_start_moves_the_boundary() -> None:
    start = (9, 15)

    assert academic_year_for(datetime.date(2025, 9, 14), start=start).start == datetime.date(2024, 9, 15)
    assert academic_year_for(datetime.date(2025, 9, 15), start=start) == AcademicYear(
        start=datetime.date(2025, 9, 15), end=datetime.date(2026, 9, 14)
    )


def test_year_start_comes_from_the_setting(settings) -> None:
    settings.ACADEMIC_YEAR_START = (9, 1)

    assert academic_year_for(datetime.date(2025, 8, 15)).start == datetime.date(2024, 9, 1)
    assert academic_year_for(datetime.date(2025, 9, 1)).start == datetime.date(2025, 9, 1)


def test_the_year_ending_in_a_leap_february_ends_on_the_29th() -> None:
    year = academic_year_for(datetime.date(2024, 1, 10), start=(3, 1))

    assert year.end == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (datetime.date(2025, 8, 1), "2025/26"),
        (datetime.date(2025, 7, 31), "2024/25"),
        (datetime.date(1999, 12, 1), "1999/00"),
    ],
)
def test_label_reads_as_the_union_writes_it(day: datetime.date, label: str) -> None:
    assert academic_year_for(day).label == label


def test_next_year_starts_the_day_after_this_one_ends() -> None:
    year = academic_year_for(datetime.date(2025, 11, 5))

    following = year.next()

    assert following.start == year.end + datetime.timedelta(days=1)
    assert following == AcademicYear(start=datetime.date(2026, 8, 1), end=datetime.date(2027, 7, 31))


def test_previous_year_ends_the_day_before_this_one_starts() -> None:
    year = academic_year_for(datetime.date(2025, 11, 5))

    before = year.previous()

    assert before.end == year.start - datetime.timedelta(days=1)
    assert before.label == "2024/25"
    assert before.next() == year


def test_current_academic_year_contains_today() -> None:
    from django.utils import timezone

    assert timezone.localdate() in current_academic_year()
