"""Societies' part of a subject access export and of an erasure: applications, founding committees,
committee terms and handover notes. Run through the privacy services, as the views do.

``society`` (Hiking Society) was founded by ``committee_trained`` (Priya President), Theo Treasurer and
``committee_untrained`` (Secretary); all three terms started on approval, today.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from quad.core.academic import current_academic_year
from quad.core.models import AuditEvent
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError
from quad.societies import services
from quad.societies.models import CommitteeTerm, HandoverNote, ProposedCommitteeMember, Society

pytestmark = pytest.mark.django_db


def societies_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "societies"
        for section in part["sections"]
    }


def test_the_export_holds_their_application_committee_places_and_handover(
    society: Any, committee_trained: Any, committee_untrained: Any
) -> None:
    services.write_handover(
        society, actor=committee_trained, work_in_flight="The Snowdon coach is booked.", external_accounts="None."
    )

    part = societies_part(committee_trained)

    assert [(row["society"], row["status"]) for row in part["Societies you applied to found"]] == [
        ("Hiking Society", "Active")
    ]
    [named] = part["Founding committees you were named on"]
    assert (named["email named"], named["position"]) == (committee_trained.email, "President")
    assert named["took the seat"] is not None
    [term] = part["Your committee terms"]
    assert (term["society"], term["position"], term["to"]) == (
        "Hiking Society",
        "President",
        current_academic_year().end.isoformat(),
    )
    assert [(row["society"], row["you"]) for row in part["Handover notes"]] == [("Hiking Society", "wrote them")]
    text = json.dumps(part)
    assert committee_untrained.email not in text
    assert "theo.treasurer" not in text


def test_erasure_ends_current_terms_keeps_the_history_and_forgets_the_founding_seat(
    society: Any, committee_trained: Any, committee_untrained: Any, su_staff: Any
) -> None:
    today = timezone.localdate()
    # A term under way since last month: erasure ends it yesterday and keeps it as history.
    CommitteeTerm.objects.filter(user=committee_trained).update(starts_on=today - datetime.timedelta(days=30))
    Society.objects.filter(pk=society.pk).update(contact_email=committee_trained.email)
    services.write_handover(
        society,
        actor=committee_untrained,
        work_in_flight=f"Priya President ({committee_trained.email}) has the minibus keys.",
        external_accounts="Instagram: Priya President to hand over.",
    )
    email, pk = committee_trained.email, committee_trained.pk

    privacy.erase_account(committee_trained, actor=su_staff, reason="Their request")

    term = CommitteeTerm.objects.get(user_id=pk)
    assert term.ends_on == today - datetime.timedelta(days=1)
    assert CommitteeTerm.objects.filter(society=society).count() == 3
    assert not ProposedCommitteeMember.objects.filter(email__iexact=email).exists()
    assert not ProposedCommitteeMember.objects.filter(user_id=pk).exists()
    society.refresh_from_db()
    assert society.contact_email == ""
    assert society.applied_by_id == pk, "the application stays, made by the anonymous stub"
    note = HandoverNote.objects.get(society=society)
    assert note.work_in_flight == f"Erased member {pk} (Erased member {pk}) has the minibus keys."
    assert note.external_accounts == f"Instagram: Erased member {pk} to hand over."
    assert note.written_by == committee_untrained
    for field in ("purpose", "meeting_info", "status_reason"):
        assert not Society.objects.filter(**{f"{field}__icontains": email}).exists()
    assert not AuditEvent.objects.filter(target_repr__contains="Priya President").exists()
    assert AuditEvent.objects.filter(
        action="societies.committee.ended", target_id=str(term.pk), target_repr__startswith=f"Erased member {pk} — "
    ).exists()


def test_a_term_not_yet_started_is_withdrawn(society: Any, committee_trained: Any, student: Any, su_staff: Any) -> None:
    term = services.grant_committee_term(
        society,
        student,
        society.positions.get(name="President"),
        actor=committee_trained,
        starts_on=current_academic_year().next().start,
    )

    privacy.erase_account(student, actor=student)

    assert not CommitteeTerm.objects.filter(pk=term.pk).exists()
    events = AuditEvent.objects.filter(target_type="societies.committeeterm", target_id=str(term.pk))
    assert {e.action for e in events} == {"societies.committee.granted", "societies.committee.withdrawn"}
    assert all("Sam Student" not in e.target_repr for e in events)


def test_erasing_twice_is_refused(society: Any, committee_untrained: Any, su_staff: Any) -> None:
    privacy.erase_account(committee_untrained, actor=su_staff, reason="Their request")

    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(committee_untrained, actor=su_staff, reason="Again")
