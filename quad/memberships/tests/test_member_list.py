"""The member list: personal data, for trained committee members with the member-data power, audit-logged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import join, make_person, train
from quad.core.models import AuditEvent, DataAccess
from quad.memberships.models import Membership
from quad.societies.models import CommitteeTerm

pytestmark = pytest.mark.django_db


def list_url(society: Any) -> str:
    return reverse("memberships:member-list", kwargs={"slug": society.slug})


def export_url(society: Any) -> str:
    return reverse("memberships:export-members", kwargs={"slug": society.slug})


def rows_of(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_trained_committee_with_the_power_see_name_email_type_and_joined(
    client, society, committee_trained, member
) -> None:
    client.force_login(committee_trained)

    response = client.get(list_url(society))

    assert response.status_code == 200
    page = response.content.decode()
    today = timezone.localdate()
    for shown in ("Mia Member", member.email, "Full member", f"{today.day} {today:%b %Y}"):
        assert shown in page
    assert "1 member" in page


def test_the_trained_treasurer_has_the_power_too(client, society, member) -> None:
    treasurer = CommitteeTerm.objects.get(society=society, position__name="Treasurer").user
    train(treasurer)
    client.force_login(treasurer)

    assert member.email in client.get(list_url(society)).content.decode()


def test_untrained_committee_are_refused_and_never_see_an_email(client, society, committee_untrained, member) -> None:
    client.force_login(committee_untrained)

    for url in (list_url(society), export_url(society)):
        response = client.get(url)
        assert response.status_code == 403
        assert member.email not in response.content.decode()
        assert "GDPR training" in response.content.decode()
    for page in ("societies:manage", "societies:manage-committee"):
        assert member.email not in client.get(reverse(page, kwargs={"slug": society.slug})).content.decode()
    assert client.get(reverse("memberships:membership-types", kwargs={"slug": society.slug})).status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="memberships.member_list").exists()
    assert not DataAccess.objects.exists()


def test_a_committee_position_without_the_power_is_refused(client, society, committee_trained, member) -> None:
    """Trained, current committee, but the position does not include viewing member data."""
    from quad.societies import services as society_services

    social = society_services.create_position(society, actor=committee_trained, name="Social Sec", powers=["events"])
    student = make_person("Sol Social", "sol.social")
    train(student)
    society_services.grant_committee_term(
        society, student, social, actor=committee_trained, starts_on=timezone.localdate()
    )
    client.force_login(student)

    response = client.get(list_url(society))

    assert response.status_code == 403
    assert member.email not in response.content.decode()


def test_members_and_other_committees_are_refused(client, society, member, other_society, other_committee) -> None:
    for who in (member, other_committee):
        client.force_login(who)
        assert client.get(list_url(society)).status_code == 403
        assert client.get(export_url(society)).status_code == 403


def test_every_view_is_audit_logged_with_who_and_what_they_searched(client, society, committee_trained, member) -> None:
    client.force_login(committee_trained)

    client.get(list_url(society))
    client.get(list_url(society), {"q": "mia"})

    events = list(AuditEvent.objects.filter(action="memberships.member_list.viewed").order_by("id"))
    assert len(events) == 2
    assert all(event.actor == committee_trained for event in events)
    assert all(event.scope == society.audit_scope for event in events)
    assert events[0].target_id == str(society.pk)
    assert [event.data for event in events] == [{"query": "", "rows": 1}, {"query": "mia", "rows": 1}]
    assert all(event.created_at is not None for event in events)


def test_every_view_is_in_the_access_log_naming_the_members_shown(
    client, society, committee_trained, member, membership_type
) -> None:
    ben = make_person("Ben Boulder", "ben.boulder")
    join(ben, membership_type)
    client.force_login(committee_trained)

    client.get(list_url(society))
    client.get(list_url(society), {"q": "boulder"})
    client.get(list_url(society), {"q": "zebra"})

    accesses = list(DataAccess.objects.order_by("id"))
    assert [(a.action, a.what, a.subject_count) for a in accesses] == [
        ("memberships.member_list.viewed", "Member list of Hiking Society", 2),
        ("memberships.member_list.viewed", "Member list of Hiking Society (search: 'boulder')", 1),
        ("memberships.member_list.viewed", "Member list of Hiking Society (search: 'zebra')", 0),
    ]
    assert all((a.actor, a.scope) == (committee_trained, society.audit_scope) for a in accesses)
    assert {s.user for s in accesses[0].subjects.all()} == {member, ben}
    assert [s.user for s in accesses[1].subjects.all()] == [ben]
    assert not accesses[2].subjects.exists()


def test_csv_export_has_the_columns_and_is_audit_logged(client, society, committee_trained, member) -> None:
    client.force_login(committee_trained)

    response = client.get(export_url(society))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{society.slug}-members-')
    assert rows_of(response) == [
        ["Name", "University email", "Membership", "Joined"],
        ["Mia Member", member.email, "Full member", timezone.localdate().isoformat()],
    ]
    event = AuditEvent.objects.get(action="memberships.member_list.exported")
    assert event.actor == committee_trained
    assert event.data["rows"] == 1
    access = DataAccess.objects.get(action="memberships.member_list.exported")
    assert (access.actor, access.what, access.scope) == (
        committee_trained,
        "Member list export of Hiking Society (CSV)",
        society.audit_scope,
    )
    assert [s.user for s in access.subjects.all()] == [member]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab"])
def test_formulas_in_names_are_neutralised_in_the_csv(
    client, society, committee_trained, membership_type, name
) -> None:
    join(make_person(name, "formula.person"), membership_type)
    client.force_login(committee_trained)

    [_header, row] = rows_of(client.get(export_url(society)))

    assert row[0] == "'" + name
    assert row[2] == "Full member"


def test_the_csv_lists_current_members_only(client, society, committee_trained, member, membership_type) -> None:
    gone = join(make_person("Gail Gone", "gail.gone"), membership_type)
    gone.status = Membership.Status.REMOVED
    gone.save(update_fields=["status"])
    client.force_login(committee_trained)

    names = [row[0] for row in rows_of(client.get(export_url(society)))[1:]]

    assert names == ["Mia Member"]


def test_search_by_name_or_email(client, society, committee_trained, member, membership_type) -> None:
    join(make_person("Ben Boulder", "ben.boulder"), membership_type)
    client.force_login(committee_trained)

    by_name = client.get(list_url(society), {"q": "BOULDER"}).context["members"]
    by_email = client.get(list_url(society), {"q": "mia.member@"}).context["members"]
    nobody = client.get(list_url(society), {"q": "zebra"})

    assert [m.user.display_name for m in by_name] == ["Ben Boulder"]
    assert [m.user.display_name for m in by_email] == ["Mia Member"]
    assert "No members match “zebra”" in nobody.content.decode()


def test_no_phone_numbers_anywhere_on_the_list(client, society, committee_trained, member) -> None:
    client.force_login(committee_trained)

    page = client.get(list_url(society)).content.decode().lower().split("<footer")[0]  # the footer promises none
    export = client.get(export_url(society)).content.decode().lower()

    assert "phone" not in page
    assert "phone" not in export


def test_the_list_queries_do_not_grow_with_members(
    client, society, committee_trained, member, membership_type, django_assert_num_queries
) -> None:
    client.force_login(committee_trained)
    client.get(list_url(society))  # warm the session and the committee's own rows
    with django_assert_num_queries(QUERIES) as one:
        client.get(list_url(society))
    for n in range(5):
        join(make_person(f"Extra {n}", f"extra.{n}"), membership_type)

    with django_assert_num_queries(QUERIES):
        response = client.get(list_url(society))

    assert len(response.context["members"]) == 6
    assert one.final_queries == QUERIES


# Session and user; the committee check (society, terms with positions and training in one query); the
# members with their users and types in one query; in a savepoint (two queries), the audit event, the
# access-log entry and its subjects in one insert.
QUERIES = 10
