"""Union staff read the access log: every view of other people's personal data, newest first, by society
and by person (whose data was seen, and whose data they saw). Reading it for one person is an access too."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_person
from quad.core.access_log import record_access
from quad.core.models import DataAccess
from quad.memberships.services import log_member_data_access

pytestmark = pytest.mark.django_db

URL = reverse("privacy:access-log")


def viewed_members(society: Any, actor: Any, *people: Any, query: str = "") -> DataAccess:
    return log_member_data_access(
        society,
        actor=actor,
        action="viewed",
        what=f"Member list of {society.name}",
        subjects=[p.pk for p in people],
        query=query,
    )


@pytest.fixture
def accesses(
    society: Any, other_society: Any, committee_trained: Any, other_committee: Any, member: Any, student: Any
) -> Any:
    """Priya views Hiking Society's list (Mia on it); Oscar views Chess Club's (Mia and Sam on it)."""
    first = viewed_members(society, committee_trained, member)
    second = viewed_members(other_society, other_committee, member, student)
    return first, second, student


@pytest.mark.parametrize("who", ["student", "member", "committee_trained"])
def test_students_and_committees_are_refused(client, request, who, accesses):
    client.force_login(request.getfixturevalue(who))

    response = client.get(URL)

    assert response.status_code == 403
    assert "Member list of" not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_staff_without_two_factor_are_sent_to_set_it_up(client):
    staff = make_person("Nat Nofactor", "nat.nofactor", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    client.force_login(staff)

    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_see_when_who_what_and_how_many_newest_first(staff_client, accesses, committee_trained, other_committee):
    response = staff_client.get(URL)

    assert response.status_code == 200
    first, second, _ = accesses
    assert list(response.context["log"].page) == [second, first]
    page = response.content.decode()
    for shown in ("Priya President", committee_trained.email, "Oscar Other", other_committee.email):
        assert shown in page
    assert "Member list of Chess Club</td><td>2</td>" in page
    assert "Member list of Hiking Society</td><td>1</td>" in page


def test_reading_the_whole_log_is_not_itself_logged(staff_client, accesses):
    staff_client.get(URL)

    assert DataAccess.objects.count() == 2


def test_filter_by_society_shows_its_accesses_only(staff_client, accesses, society):
    response = staff_client.get(URL, {"society": society.slug})

    first, _, _ = accesses
    assert list(response.context["log"].page) == [first]
    assert "Member list of Chess Club" not in response.content.decode()


def test_an_unknown_society_is_not_found(staff_client, accesses):
    assert staff_client.get(URL, {"society": "no-such-society"}).status_code == 404


def test_filter_by_person_shows_whose_data_they_saw_and_who_saw_theirs(
    staff_client, accesses, member, committee_trained, su_staff
):
    first, second, student = accesses
    # Mia, once on the committee of another society, looked at a list with Sam on it.
    by_mia = record_access(member, "test.viewed", what="A list with Sam on it", scope="union", subjects=[student.pk])

    response = staff_client.get(URL, {"person": member.pk})

    assert response.status_code == 200
    assert list(response.context["seen"].page) == [second, first]
    assert list(response.context["looked"].page) == [by_mia]
    page = response.content.decode()
    assert "Access log: Mia Member" in page
    assert "A list with Sam on it" in page
    # Reading one person's entries is an access to their data, and is logged naming them.
    logged = DataAccess.objects.get(action="privacy.access_log.viewed")
    assert (logged.actor, logged.scope, logged.what) == (su_staff, "union", "Access log entries about one person")
    assert [s.user for s in logged.subjects.all()] == [member]


def test_the_person_and_society_filters_combine(staff_client, accesses, member, society):
    first, _, _ = accesses

    response = staff_client.get(URL, {"person": member.pk, "society": society.slug})

    assert list(response.context["seen"].page) == [first]
    logged = DataAccess.objects.get(action="privacy.access_log.viewed")
    assert logged.what == "Access log entries about one person (Hiking Society)"


def test_a_person_who_does_not_exist_is_not_found(staff_client, accesses):
    assert staff_client.get(URL, {"person": 999999}).status_code == 404
    assert not DataAccess.objects.filter(action="privacy.access_log.viewed").exists()


def test_a_person_that_is_not_a_number_is_an_error_and_the_log_still_shows(staff_client, accesses, society):
    response = staff_client.get(URL, {"person": "mia", "society": society.slug})

    assert response.status_code == 200
    assert "Person: Enter a whole number." in response.content.decode()
    first, _, _ = accesses
    assert list(response.context["log"].page) == [first]  # the society filter still applies


def test_the_log_is_paginated_fifty_a_page_keeping_the_filter(staff_client, society, other_society, committee_trained):
    for n in range(51):
        viewed_members(society, committee_trained, query=str(n))
    viewed_members(other_society, committee_trained)

    first = staff_client.get(URL, {"society": society.slug})
    second = staff_client.get(URL, {"society": society.slug, "page": 2})

    first_page, second_page = first.context["log"], second.context["log"]
    assert len(first_page.page) == 50
    assert first_page.page.paginator.count == 51
    oldest = DataAccess.objects.filter(scope=society.audit_scope).order_by("id")[0]
    assert list(second_page.page) == [oldest]
    assert first_page.next_url == f"?society={society.slug}&page=2"
    assert 'rel="next"' in first.content.decode()
    assert second_page.previous_url == f"?society={society.slug}&page=1"


def test_the_log_queries_do_not_grow_with_its_rows(
    staff_client, society, committee_trained, other_committee, member, django_assert_num_queries
):
    viewed_members(society, committee_trained, member)
    staff_client.get(URL)  # warm the session
    with django_assert_num_queries(QUERIES):
        staff_client.get(URL)
    for n in range(5):
        viewed_members(society, make_person(f"Extra {n}", f"extra.{n}"), member)

    with django_assert_num_queries(QUERIES):
        response = staff_client.get(URL)

    assert len(response.context["log"].page) == 6


# Session and user; the two-factor check; the count and the page of accesses with their actors; the
# societies for the filter.
QUERIES = 6
