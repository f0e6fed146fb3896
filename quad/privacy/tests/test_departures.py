"""The graduate off-boarding report: whom the graduate sweep removed, when, from what, and whether they were
told; students warned but not yet removed, apart. Union staff only, and every view is an access."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person
from quad.accounts.models import User
from quad.core.academic import current_academic_year
from quad.core.models import DataAccess
from quad.memberships import services
from quad.memberships.models import GraduateDeparture
from quad.societies.models import CommitteeTerm

pytestmark = pytest.mark.django_db

URL = reverse("privacy:departures")


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def graduated(committee_untrained: Any, society: Any, membership_type: Any) -> Any:
    """The Secretary, a member too, whose course ended yesterday: swept without a warning first."""
    join(committee_untrained, membership_type)
    CommitteeTerm.objects.filter(user=committee_untrained).update(starts_on=days(-30))
    committee_untrained.course_ends_on = days(-1)
    committee_untrained.save(update_fields=["course_ends_on"])
    return committee_untrained


@pytest.fixture
def finishing(db: None, settings: Any) -> Any:
    return make_person("Fin Finishing", "fin.finishing", course_ends_on=days(settings.GRADUATE_NOTICE_DAYS - 1))


@pytest.fixture
def swept(graduated: Any, finishing: Any, membership_type: Any) -> GraduateDeparture:
    services.graduate_sweep()
    return GraduateDeparture.objects.get(user=graduated)


def departed(name: str, *, swept_on: datetime.date, **fields: Any) -> GraduateDeparture:
    """A plain departure row, as the sweep leaves one."""
    local = name.lower().replace(" ", ".")
    user = User.objects.create_user(f"{local}@example.com", "x", display_name=name)
    return GraduateDeparture.objects.create(
        user=user, course_ended_on=swept_on - datetime.timedelta(days=1), swept_at=noon(swept_on), **fields
    )


@pytest.mark.parametrize("who", ["student", "member", "committee_trained"])
def test_students_and_committees_are_refused(client, request, who, swept):
    client.force_login(request.getfixturevalue(who))

    response = client.get(URL)

    assert response.status_code == 403
    assert "Uma Untrained" not in response.content.decode()
    assert not DataAccess.objects.exists()


def test_staff_see_who_was_removed_from_what_and_whether_they_were_told(staff_client, swept, graduated):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert list(response.context["swept"].page) == [swept]
    page = response.content.decode()
    for shown in (
        "Uma Untrained",
        graduated.email,
        f"<li>Member of Hiking Society ({current_academic_year().label})</li>",
        "<li>Secretary of Hiking Society</li>",
        "Not warned first",
        "Told when removed",
    ):
        assert shown in page


def test_students_warned_but_not_yet_removed_are_listed_apart(staff_client, swept, finishing):
    response = staff_client.get(URL)

    [warned] = response.context["warned"].page
    assert warned.user == finishing
    assert finishing not in [d.user for d in response.context["swept"].page]
    section = response.content.decode().split("Warned, not yet removed")[1]
    assert "Fin Finishing" in section
    assert f"{timezone.localtime(warned.warned_at):%-d %b %Y}" in section


def test_a_graduate_the_sweep_could_not_tell_is_flagged(staff_client, swept):
    GraduateDeparture.objects.filter(pk=swept.pk).update(notified=False)

    assert "Not told when removed" in staff_client.get(URL).content.decode()


def test_every_view_is_in_the_access_log_naming_the_people_shown(staff_client, swept, graduated, finishing, su_staff):
    staff_client.get(URL)

    access = DataAccess.objects.get()
    assert (access.actor, access.action, access.scope, access.what) == (
        su_staff,
        "privacy.departures.viewed",
        "union",
        "Graduate off-boarding report",
    )
    assert {s.user for s in access.subjects.all()} == {graduated, finishing}


def test_filter_by_academic_year(staff_client):
    this_year = current_academic_year()
    last_year = this_year.previous()
    recent = departed("Rae Recent", swept_on=timezone.localdate())
    older = departed("Ola Older", swept_on=last_year.start + datetime.timedelta(days=10))

    now = staff_client.get(URL, {"year": this_year.start.year})
    before = staff_client.get(URL, {"year": last_year.start.year})
    everything = staff_client.get(URL)

    assert list(now.context["swept"].page) == [recent]
    assert list(before.context["swept"].page) == [older]
    assert list(everything.context["swept"].page) == [recent, older]
    [first, second, _] = DataAccess.objects.order_by("id")
    assert first.what == f"Graduate off-boarding report ({this_year.label})"
    assert [s.user for s in second.subjects.all()] == [older.user]


def test_filter_by_dates_removed(staff_client):
    early = departed("Ed Early", swept_on=days(-20))
    middle = departed("Mo Middle", swept_on=days(-10))
    departed("Lu Late", swept_on=days(-1))

    response = staff_client.get(URL, {"start": days(-15).isoformat(), "end": days(-5).isoformat()})
    from_only = staff_client.get(URL, {"start": days(-15).isoformat()})

    assert list(response.context["swept"].page) == [middle]
    assert early not in from_only.context["swept"].page
    assert len(from_only.context["swept"].page) == 2
    first_view = DataAccess.objects.order_by("id")[0]
    assert first_view.what == f"Graduate off-boarding report ({days(-15):%-d %b %Y} to {days(-5):%-d %b %Y})"


def test_dates_the_wrong_way_round_are_an_error(staff_client):
    departed("Ed Early", swept_on=days(-20))

    response = staff_client.get(URL, {"start": days(-5).isoformat(), "end": days(-15).isoformat()})

    assert "“Removed to” must be on or after “Removed from”." in response.content.decode()
    assert len(response.context["swept"].page) == 1  # not filtered by a range that cannot be meant


def test_departures_from_before_details_were_kept_show_counts(staff_client):
    departed("Pat Past", swept_on=days(-3), memberships_ended=2, committee_terms_ended=1, notified=True)

    assert "2 memberships, 1 committee term" in staff_client.get(URL).content.decode()


def test_the_report_is_paginated_fifty_a_page_apart_from_the_warned_list(staff_client, finishing):
    services.graduate_sweep()  # warns Fin
    for n in range(51):
        departed(f"Gone {n}", swept_on=days(-1 - n))

    first = staff_client.get(URL)
    second = staff_client.get(URL, {"page": 2})

    assert len(first.context["swept"].page) == 50
    assert [d.user.display_name for d in second.context["swept"].page] == ["Gone 50"]
    assert first.context["swept"].next_url == "?page=2"
    assert [d.user for d in second.context["warned"].page] == [finishing]  # its own pages
    assert DataAccess.objects.order_by("-id")[0].subject_count == 2  # Gone 50 and Fin: what page 2 showed


def test_the_report_queries_do_not_grow_with_its_rows(staff_client, finishing, django_assert_num_queries):
    services.graduate_sweep()  # warns Fin
    departed("Gone first", swept_on=days(-1))
    staff_client.get(URL)  # warm the session
    with django_assert_num_queries(QUERIES):
        staff_client.get(URL)
    for n in range(5):
        departed(f"Gone {n}", swept_on=days(-2 - n))
        warned = departed(f"Soon {n}", swept_on=days(-2 - n))
        GraduateDeparture.objects.filter(pk=warned.pk).update(swept_at=None, warned_at=timezone.now())

    with django_assert_num_queries(QUERIES):
        response = staff_client.get(URL)

    assert (len(response.context["swept"].page), len(response.context["warned"].page)) == (6, 6)


# Session and user; the two-factor check; for each list, its count and its page with the people; the
# access-log entry and its subjects.
QUERIES = 9
