"""Memberships end with their academic year: the end_memberships job marks them, idempotently."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import join, make_person
from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.memberships import queries, services
from quad.memberships.models import Membership

pytestmark = pytest.mark.django_db


def day_after_the_year() -> datetime.date:
    return current_academic_year().end + datetime.timedelta(days=1)


def make_last_years(membership: Membership) -> Membership:
    """Move a membership back a year, as if bought last year (a plain row change)."""
    last = current_academic_year().previous()
    Membership.objects.filter(pk=membership.pk).update(starts_on=last.start, ends_on=last.end)
    membership.refresh_from_db()
    return membership


def run_command() -> str:
    out = io.StringIO()
    call_command("end_memberships", stdout=out)
    return out.getvalue().strip()


def test_memberships_expire_when_the_academic_year_is_over(member, society) -> None:
    membership = Membership.objects.get(user=member)

    assert services.end_memberships(today=current_academic_year().end) == 0
    assert services.end_memberships(today=day_after_the_year()) == 1

    membership.refresh_from_db()
    assert membership.status == Membership.Status.EXPIRED
    assert membership.ended_at is not None
    assert membership.end_reason == "The academic year ended."
    assert membership.ended_by is None
    event = AuditEvent.objects.get(action="memberships.membership.expired")
    assert event.actor is None
    assert event.target_id == str(membership.pk)


def test_ending_memberships_twice_changes_nothing_the_second_time(member, membership_type) -> None:
    join(make_person("Ned Next", "ned.next"), membership_type)
    assert services.end_memberships(today=day_after_the_year()) == 2
    ended = list(Membership.objects.order_by("id").values_list("status", "ended_at"))
    events = AuditEvent.objects.count()

    assert services.end_memberships(today=day_after_the_year()) == 0

    assert list(Membership.objects.order_by("id").values_list("status", "ended_at")) == ended
    assert AuditEvent.objects.count() == events


def test_the_command_ends_last_years_memberships_only(member, membership_type) -> None:
    last_years = make_last_years(join(make_person("Lara Last", "lara.last"), membership_type))

    assert run_command() == "Ended 1 membership."
    assert run_command() == "Ended 0 memberships."

    last_years.refresh_from_db()
    assert last_years.status == Membership.Status.EXPIRED
    assert Membership.objects.get(user=member).status == Membership.Status.ACTIVE


def test_a_removed_membership_keeps_its_status(member, committee_trained) -> None:
    membership = Membership.objects.get(user=member)
    services.remove_member(membership, actor=committee_trained, reason="Left the university.")

    services.end_memberships(today=day_after_the_year())

    membership.refresh_from_db()
    assert membership.status == Membership.Status.REMOVED


def test_a_membership_stops_counting_the_day_after_its_year_even_before_the_job(member, society) -> None:
    after = day_after_the_year()

    assert list(queries.current_members(society, on=after)) == []
    assert services.current_membership(member, society, on=after) is None
    assert services.current_membership(member, society, on=timezone.localdate()) is not None


def test_last_years_members_may_join_this_year(member: Any, society, committee_trained, membership_type) -> None:
    make_last_years(Membership.objects.get(user=member))
    run_command()

    assert join(member, membership_type).status == Membership.Status.ACTIVE
    assert Membership.objects.filter(user=member).count() == 2
