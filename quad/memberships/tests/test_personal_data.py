"""Memberships' part of a subject access export and of an erasure: memberships, why they ended, and the
graduate sweep's record. Erasure ends current memberships (without email) and keeps the rows so that
member counts stay true. Run through the privacy services, as the views do.

``member`` (Mia Member) bought ``membership_type`` ("Full member", £5) of ``society`` through the checkout.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from conftest import join
from quad.core.models import AuditEvent
from quad.memberships import queries, services
from quad.memberships.models import GraduateDeparture, Membership
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError

pytestmark = pytest.mark.django_db


def memberships_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "memberships"
        for section in part["sections"]
    }


def test_the_export_holds_their_memberships_and_graduation_record(
    member: Any, student: Any, membership_type: Any
) -> None:
    join(student, membership_type)
    GraduateDeparture.objects.create(
        user=member, course_ended_on=member.course_ends_on, warned_at=timezone.now(), notified=True
    )

    part = memberships_part(member)

    [membership] = part["Your memberships"]
    assert (membership["society"], membership["membership"], membership["status"]) == (
        "Hiking Society",
        "Full member",
        "Active",
    )
    assert membership["until"] == membership_type.year_end.isoformat()
    [departure] = part["Graduating"]
    assert departure["course ended on"] == member.course_ends_on.isoformat()
    assert departure["told afterwards"] is True
    assert student.email not in json.dumps(part) and "Sam Student" not in json.dumps(part)


def test_a_committee_member_sees_the_memberships_they_ended_without_the_member(
    member: Any, committee_trained: Any
) -> None:
    services.remove_member(Membership.objects.get(user=member), actor=committee_trained, reason="Left the area.")

    [ended] = memberships_part(committee_trained)["Memberships you ended as a committee member"]

    assert (ended["society"], ended["outcome"]) == ("Hiking Society", "Removed by the committee")
    assert "Mia Member" not in json.dumps(ended) and "Left the area." not in json.dumps(ended)


def test_erasure_ends_current_memberships_quietly_and_keeps_the_rows(
    member: Any, society: Any, su_staff: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    GraduateDeparture.objects.create(user=member, course_ended_on=member.course_ends_on, warned_at=timezone.now())
    counted_before = Membership.objects.filter(society=society).count()
    pk = member.pk

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_account(member, actor=su_staff, reason="Their request")

    membership = Membership.objects.get(user_id=pk)
    assert membership.status == Membership.Status.REMOVED
    assert membership.end_reason == "Ended when the member's account was erased."
    assert membership.ended_at is not None and membership.ended_by is None
    assert Membership.objects.filter(society=society).count() == counted_before
    assert not queries.current_members(society).filter(user_id=pk).exists()
    assert not GraduateDeparture.objects.filter(user_id=pk).exists()
    assert not AuditEvent.objects.filter(target_repr__contains="Mia Member").exists()
    assert mailoutbox == [], "nobody is emailed about an erasure"


def test_a_committees_reason_for_removing_them_is_erased(member: Any, committee_trained: Any, su_staff: Any) -> None:
    reason = "Mia Member shouted at people on the coach."
    membership = services.remove_member(Membership.objects.get(user=member), actor=committee_trained, reason=reason)

    privacy.erase_account(member, actor=su_staff, reason="Their request")

    membership.refresh_from_db()
    assert (membership.status, membership.end_reason, membership.ended_by) == (
        Membership.Status.REMOVED,
        "[erased]",
        committee_trained,
    )
    [event] = AuditEvent.objects.filter(action="memberships.membership.removed", target_id=str(membership.pk))
    assert event.data["reason"] == "[erased]"
    assert "coach" not in event.target_repr and "Mia Member" not in event.target_repr


def test_erasing_twice_is_refused(member: Any, su_staff: Any) -> None:
    privacy.erase_account(member, actor=member)

    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(member, actor=su_staff, reason="Again")
