"""Union casework (O19): a case goes open → investigating → closed with an outcome, gathers notes, can be
put before named elected officers, and every step is in its audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from quad.chat import services as chat_services
from quad.chat.models import Message
from quad.conduct import services
from quad.conduct.errors import ConductError
from quad.conduct.models import Case, Category, OfficerEscalation, Report, Suspension
from quad.conduct.queries import audit_trail
from quad.conduct.tests.conftest import enter, say, says

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(said, member, committee_trained, moderator, commit) -> Case:
    with commit():
        services.report_message(said, reporter=member, category=Category.THREATS, note="Scared to go now.")
        report = services.report_message(said, reporter=committee_trained, category=Category.THREATS)
    assert report.case is not None
    return report.case


def url(name: str, case: Any) -> str:
    return reverse(name, kwargs={"pk": case.pk})


def test_a_case_goes_open_investigating_closed_and_the_trail_says_who_did_what(
    case, su_staff, member, committee_trained, mail, commit
) -> None:
    services.set_case_status(case, actor=su_staff, status=Case.Status.INVESTIGATING)
    services.add_case_note(case, actor=su_staff, text="Spoke to Mia; she is OK. Meeting Rex on Monday.")
    with commit():
        services.close_case(case, actor=su_staff, outcome=Case.Outcome.WARNING, note="Written warning sent.")

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_by) == (Case.Status.CLOSED, Case.Outcome.WARNING, su_staff)
    assert set(case.reports.values_list("status", flat=True)) == {Report.Status.CLOSED}
    assert mail.subjects(member.email) == ["Your report has arrived", "Your report is closed"]
    assert mail.subjects(committee_trained.email) == ["Your report has arrived", "Your report is closed"]
    assert [(e.action, e.actor) for e in audit_trail(case)] == [
        ("conduct.report.filed", member),
        ("conduct.case.opened", member),
        ("conduct.report.added_to_case", member),
        ("conduct.report.filed", committee_trained),
        ("conduct.report.added_to_case", committee_trained),
        ("conduct.case.status_changed", su_staff),
        ("conduct.case.note_added", su_staff),
        ("conduct.case.closed", su_staff),
    ]


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ("reopen", "This case is closed. If something new happens, it comes in as a new report."),
        ("close again", "This case is already closed."),
        ("empty note", "Write the note first."),
    ],
)
def test_what_a_closed_or_empty_step_is_told(step, words, case, su_staff) -> None:
    if step != "empty note":
        services.close_case(case, actor=su_staff, outcome=Case.Outcome.NO_ACTION)
    with pytest.raises(ConductError, match=says(words)):
        if step == "reopen":
            services.set_case_status(case, actor=su_staff, status=Case.Status.OPEN)
        elif step == "close again":
            services.close_case(case, actor=su_staff, outcome=Case.Outcome.WARNING)
        else:
            services.add_case_note(case, actor=su_staff, text="   ")


def test_a_case_is_put_before_named_elected_officers(case, su_staff, officer, student, mail, commit) -> None:
    with commit():
        services.escalate_to_officers(case, actor=su_staff, officers=[officer], note="Threats: your call on referral.")

    assert OfficerEscalation.objects.get(case=case).officer == officer
    assert mail.subjects(officer.email) == [f"A conduct case for you: case {case.pk}"]
    with pytest.raises(ConductError, match=says("The case is already before them.")):
        services.escalate_to_officers(case, actor=su_staff, officers=[officer])
    with pytest.raises(ConductError, match=says("Sam Student is not one of the union's elected officers.")):
        services.escalate_to_officers(case, actor=su_staff, officers=[student])


def test_an_officer_reads_the_cases_put_before_them_and_no_others(
    client: Client, case, su_staff, officer, said, member
) -> None:
    client.force_login(officer)
    assert client.get(url("conduct:case", case)).status_code == 404

    services.escalate_to_officers(case, actor=su_staff, officers=[officer])
    page = client.get(url("conduct:case", case))

    assert page.status_code == 200
    assert "Nobody wants you on the walk, Mia." in page.content.decode()
    assert "Add the note" not in page.content.decode(), "officers read; staff act"
    assert client.post(url("conduct:add-case-note", case), {"text": "Hi"}).status_code == 403
    assert client.get(reverse("conduct:queue")).status_code == 403


def test_staff_work_a_case_through_its_page(staff_client: Client, case, officer, su_staff, rude) -> None:
    page = staff_client.get(url("conduct:case", case)).content.decode()
    assert "Scared to go now." in page
    assert "Mia Member" in page, "staff see who reported"

    staff_client.post(url("conduct:set-case-status", case), {"status": "investigating"})
    staff_client.post(url("conduct:add-case-note", case), {"text": "Called Rex."})
    staff_client.post(url("conduct:escalate-to-officers", case), {"officers": [officer.pk], "note": "FYI"})
    staff_client.post(url("conduct:suspend-member", case), {"reason": "Threats.", "until": ""})
    suspension = Suspension.objects.get(user=rude.user)
    staff_client.post(reverse("conduct:lift-suspension", kwargs={"pk": suspension.pk}))
    response = staff_client.post(url("conduct:close-case", case), {"outcome": "referral", "note": "To the university."})

    assert response["Location"] == url("conduct:case", case)
    case.refresh_from_db()
    suspension.refresh_from_db()
    assert case.outcome == Case.Outcome.REFERRAL
    assert case.notes.filter(text="Called Rex.").exists()
    assert case.escalations.filter(officer=officer).exists()
    assert suspension.lifted_by == su_staff
    page = staff_client.get(url("conduct:case", case)).content.decode()
    assert "Referral to the university&#x27;s disciplinary procedure" in page
    for action in ("status_changed", "note_added", "escalated_to_officers", "closed"):
        assert f"conduct.case.{action}" in page
    assert "conduct.member.suspended" in page and "conduct.member.suspension_lifted" in page


def test_the_staff_queue_lists_open_cases_waiting_reports_and_flags_across_the_union(
    staff_client: Client, case, rude, member, moderator, other_society, other_committee
) -> None:
    services.report_message(say(rude, "Buy my essays!"), reporter=member, category=Category.OTHER)
    chess = chat_services.create_group(actor=other_committee, society=other_society, name="Chess", purpose="Chess.")
    flagged = say(enter(other_committee, chess), "Something the scorer disliked.")
    Message.objects.filter(pk=flagged.pk).update(flagged_at=flagged.created_at, flag_score=0.93)

    page = staff_client.get(reverse("conduct:queue")).content.decode()

    assert f"Case {case.pk}" in page
    assert "Threats or violence reported in Hiking Society" in page
    assert "Something else, reported" in page
    assert "Something the scorer disliked." in page and "Chess" in page


def test_the_console_shows_how_many_cases_are_open(staff_client: Client, case) -> None:
    page = staff_client.get(reverse("su:console")).content.decode()

    assert reverse("conduct:queue") in page
    assert '<span class="stat">1</span> open case' in page
