"""Conduct's part of subject access and erasure: a person's export shows their reports, the reports and
cases about them and their own messages kept as evidence, never who reported them or which moderator
acted; erasure keeps what an open report or case needs (and says so in the erasure record) and, once it is
closed, takes the person's messages and name out of the evidence and the notes."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from quad.chat import services as chat_services
from quad.chat.models import Message, ModeratorThread
from quad.conduct import services
from quad.conduct.models import Case, Category, Report, Suspension
from quad.conduct.retention import sweep_closed_cases
from quad.conduct.tests.conftest import say
from quad.core.personal_data import Erasure, PersonalData, registered
from quad.privacy.services import erase_account

pytestmark = pytest.mark.django_db


def conduct_data() -> PersonalData:
    return next(entry for entry in registered() if entry.app == "conduct")


def case_of(report: Report) -> Case:
    assert report.case is not None
    return report.case


def export_of(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {section.title: [dict(row) for row in section.rows] for section in conduct_data().export(user)}


@pytest.fixture
def reported(said: Message, member: Any, commit: Any) -> Report:
    """Mia reports Rex's message as bullying: zero tolerance, so a case for staff at once."""
    with commit():
        return services.report_message(
            said, reporter=member, category=Category.BULLYING, note="Rex Rude keeps doing this to me."
        )


def test_the_reported_person_sees_the_report_and_their_own_words_but_never_who_reported(
    reported: Report, rude: Any, member: Any, committee_trained: Any, su_staff: Any, chatter: Any
) -> None:
    say(chatter, "Please stop, Rex.")
    services.close_case(case_of(reported), actor=su_staff, outcome=Case.Outcome.WARNING, note="Warned by Jo Staff.")

    export = export_of(rude.user)

    [about] = export["Reports about you"]
    assert (about["category"], about["progress"], about["about"]) == ("Bullying", "Closed", "A message of yours")
    [case] = export["Cases about you"]
    assert (case["outcome"], case["handled_by"]) == ("Warning", "Union staff")
    # The report's copy holds the message; a case opened by a report keeps no copy of its own.
    assert export["Your messages kept as evidence"] == [
        {
            "kept_for": f"Report {reported.pk}",
            "group": "Hiking Society (Hiking Society)",
            "written_at": reported.evidence[-1]["at"],
            "text": "Nobody wants you on the walk, Mia.",
            "reported": True,
        }
    ]
    everything = json.dumps(export)
    for secret in (member.email, member.display_name, "keeps doing this", su_staff.display_name, "Warned by"):
        assert secret not in everything


def test_the_reporter_sees_their_report_and_note_but_not_the_copies_of_other_peoples_messages(
    reported: Report, member: Any, rude: Any
) -> None:
    export = export_of(member)

    [made] = export["Reports you made"]
    assert made["your_note"] == "Rex Rude keeps doing this to me."
    assert made["about"] == "A message by Rex Rude"
    assert made["progress"] == "With union staff"
    assert "Nobody wants you on the walk" not in json.dumps(export)
    assert rude.user.email not in json.dumps(export)


def test_erased_while_the_case_is_open_the_evidence_is_kept_and_the_record_says_why(
    reported: Report, rude: Any, su_staff: Any, said: Message
) -> None:
    case = case_of(reported)
    evidence_before = list(reported.evidence)
    chat_services.open_thread(rude, actor=su_staff, body="We need to talk about your messages.")

    record = erase_account(rude.user, actor=su_staff, reason="Asked by email")

    reported.refresh_from_db()
    case.refresh_from_db()
    assert reported.evidence == evidence_before
    assert (reported.reported_name, case.subject_name) == ("Rex Rude", "Rex Rude")
    assert f"Case {case.pk} about them is still open: its evidence and their name are kept until it closes." in (
        record.kept
    )
    assert f"Report {reported.pk} about them is still open" in " ".join(record.kept)
    # Chat keeps the reported message's text for staff, and the moderators' thread with them.
    said.refresh_from_db()
    assert said.body == "Nobody wants you on the walk, Mia." and said.deleted_at is not None
    assert ModeratorThread.objects.filter(member=rude.user).exists()
    assert any("evidence in an open report or case" in reason for reason in record.kept)


def test_erased_after_the_case_closed_their_messages_and_name_leave_the_evidence(
    reported: Report, rude: Any, chatter: Any, su_staff: Any, said: Message
) -> None:
    case = case_of(reported)
    services.add_case_note(case, actor=su_staff, text="Spoke to Rex Rude on Monday.")
    services.suspend_member(rude.user, actor=su_staff, reason="Bullying Mia", case=case)
    services.close_case(case, actor=su_staff, outcome=Case.Outcome.SUSPENSION, note="Rex Rude suspended.")
    stub = f"Erased member {rude.user.pk}"

    erasure = Erasure(user_id=rude.user.pk)
    conduct_data().erase(rude.user, erasure)

    reported.refresh_from_db()
    case.refresh_from_db()
    [theirs] = [e for e in reported.evidence if e["author_id"] == rude.user.pk]
    assert (theirs["author"], theirs["body"]) == (stub, "[erased]")
    assert reported.reported_name == stub and case.subject_name == stub
    assert reported.note == f"{stub} keeps doing this to me."  # Mia's note stays, without his name
    assert case.outcome_note == f"{stub} suspended."
    assert case.notes.get().text == f"Spoke to {stub} on Monday."
    assert Suspension.objects.get(user=rude.user).reason == "[erased]"
    assert erasure.removed == {
        "closed conduct cases scrubbed": 1,
        "closed reports scrubbed": 1,
        "reasons for suspensions": 1,
    }
    assert erasure.kept == []


def test_a_closed_report_loses_the_reporters_note_and_their_words_in_other_peoples_reports(
    rude: Any, chatter: Any, member: Any, moderator: Any, committee_trained: Any
) -> None:
    say(chatter, "See you all at nine.")
    advert = say(rude, "Cheap essays, message me!")
    report = services.report_message(advert, reporter=member, category=Category.OTHER, note="Spam again.")
    services.dismiss_report(report, actor=committee_trained, note="Not spam.")

    conduct_data().erase(member, erasure := Erasure(user_id=member.pk))

    report.refresh_from_db()
    assert report.note == ""
    assert report.reporter == member  # the link stays: the stub is nobody
    [theirs] = [e for e in report.evidence if e["author_id"] == member.pk]
    assert theirs["body"] == "[erased]"
    assert [e["body"] for e in report.evidence if e["author_id"] == rude.user.pk] == ["Cheap essays, message me!"]
    assert erasure.removed == {"closed reports scrubbed": 1}


def test_a_report_they_made_that_is_still_open_keeps_their_note(reported: Report, member: Any) -> None:
    erasure = Erasure(user_id=member.pk)
    conduct_data().erase(member, erasure)

    reported.refresh_from_db()
    assert reported.note == "Rex Rude keeps doing this to me."
    assert erasure.kept == [
        f"Case {reported.case_id} is still open and involves them: it is kept as it is until it closes.",
        f"Their report {reported.pk} is still open: it and their note are kept until it closes.",
    ]


def test_the_privacy_notice_names_the_retention_setting() -> None:
    kept = " ".join(holding.kept for holding in conduct_data().holdings)
    assert "RETENTION_CLOSED_CASES_DAYS" in kept


def test_their_name_in_someone_elses_message_in_a_closed_case_becomes_the_stubs(
    chatter: Any, rude: Any, member: Any, su_staff: Any
) -> None:
    say(chatter, "Please stop it, Rex Rude.")
    unkind = say(rude, "No.")
    report = services.report_message(unkind, reporter=member, category=Category.BULLYING)
    services.close_case(case_of(report), actor=su_staff, outcome=Case.Outcome.NO_ACTION)

    conduct_data().erase(rude.user, Erasure(user_id=rude.user.pk))

    report.refresh_from_db()
    assert [e["body"] for e in report.evidence] == [f"Please stop it, Erased member {rude.user.pk}.", "[erased]"]


def test_staff_notes_and_reasons_naming_them_in_a_closed_case_name_the_stub(
    chatter: Any, rude: Any, member: Any, su_staff: Any, officer: Any
) -> None:
    """Mia reported Rex; staff's notes and Rex's suspension name Mia. Erasing Mia names the stub instead."""
    report = services.report_message(say(rude, "Go away."), reporter=member, category=Category.BULLYING)
    case = case_of(report)
    services.add_case_note(case, actor=su_staff, text="Mia Member is upset; call mia.member@student.example.ac.uk.")
    services.escalate_to_officers(case, actor=su_staff, officers=[officer], note="Mia Member asked for this.")
    services.suspend_member(rude.user, actor=su_staff, reason="Targeted Mia Member twice.", case=case)
    services.close_case(case, actor=su_staff, outcome=Case.Outcome.SUSPENSION)
    stub = f"Erased member {member.pk}"

    conduct_data().erase(member, Erasure(user_id=member.pk))

    assert case.notes.get().text == f"{stub} is upset; call {stub}."
    assert case.escalations.get().note == f"{stub} asked for this."
    assert Suspension.objects.get(user=rude.user).reason == f"Targeted {stub} twice."


def test_a_thread_kept_for_an_open_case_goes_with_the_case_when_its_period_passes(
    reported: Report, rude: Any, su_staff: Any, settings: Any
) -> None:
    chat_services.open_thread(rude, actor=su_staff, body="A word, please.")
    erase_account(rude.user, actor=su_staff, reason="Asked by email")
    assert ModeratorThread.objects.filter(member=rude.user).exists()
    case = services.close_case(case_of(reported), actor=su_staff, outcome=Case.Outcome.NO_ACTION)
    assert case.closed_at is not None
    after = datetime.timedelta(days=settings.RETENTION_CLOSED_CASES_DAYS + 1)

    assert sweep_closed_cases(case.closed_at + after) == 1

    assert not ModeratorThread.objects.exists()
    assert not Case.objects.exists() and not Report.objects.exists()
