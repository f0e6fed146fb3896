"""The group moderators' review queue: reports routed to them and messages the scorer flagged. They
dismiss, hide (kept as evidence for staff), or send to union staff; nothing happens without a person,
and every act is audit-logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from quad.chat.models import Message
from quad.conduct import queries, services
from quad.conduct.errors import ConductError
from quad.conduct.models import Case, Category, FlagReview, Report
from quad.conduct.tests.conftest import say, says
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(said, member, moderator) -> Report:
    return services.report_message(said, reporter=member, category=Category.OTHER, note="Rude to me.")


@pytest.fixture
def flagged(rude) -> Message:
    message = say(rude, "Something the scorer disliked.")
    Message.objects.filter(pk=message.pk).update(flagged_at=message.created_at, flag_score=0.91)
    message.refresh_from_db()
    return message


def queue_url(group: Any) -> str:
    return reverse("conduct:group-queue", kwargs={"pk": group.pk})


def flashed(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_shows_reports_and_flags_to_the_groups_moderators(
    client: Client, report, flagged, group, committee_trained
) -> None:
    client.force_login(committee_trained)

    page = client.get(queue_url(group)).content.decode()

    assert "Something else: a message by Rex Rude" in page
    assert "Rude to me." in page
    assert "Nobody wants you on the walk, Mia." in page
    assert "Something the scorer disliked." in page
    assert "score 0.91" in page


def test_a_member_cannot_see_the_queue(client: Client, report, group, member, student) -> None:
    client.force_login(member)
    assert client.get(queue_url(group)).status_code == 403
    client.force_login(student)
    assert client.get(queue_url(group)).status_code == 404


def test_dismiss_closes_the_report_and_tells_the_reporter(
    client: Client, report, group, committee_trained, member, mail, commit
) -> None:
    client.force_login(committee_trained)
    with commit():
        response = client.post(reverse("conduct:dismiss-report", kwargs={"pk": report.pk}), {"note": "Banter."})

    assert response["Location"] == queue_url(group)
    report.refresh_from_db()
    assert (report.status, report.action, report.acted_by) == (
        Report.Status.CLOSED,
        Report.Action.DISMISSED,
        committee_trained,
    )
    assert mail.subjects(member.email)[-1] == "Your report is closed"
    assert AuditEvent.objects.filter(action="conduct.report.dismissed", actor=committee_trained).exists()


def test_hiding_keeps_the_message_for_staff_and_closes_every_report_of_it(
    client: Client, report, said, group, committee_trained, student, rude, chatter
) -> None:
    other = services.report_message(said, reporter=committee_trained, category=Category.OTHER)
    client.force_login(committee_trained)

    client.post(reverse("conduct:hide-reported-message", kwargs={"pk": report.pk}), {"reason": "Personal remark."})

    said.refresh_from_db()
    assert said.hidden_at is not None and said.hidden_by == committee_trained
    assert said.body == "Nobody wants you on the walk, Mia."
    assert set(Report.objects.filter(pk__in=[report.pk, other.pk]).values_list("action", flat=True)) == {"hidden"}
    assert AuditEvent.objects.filter(action="chat.message.hidden").exists()
    assert AuditEvent.objects.filter(action="conduct.report.hidden").count() == 2


def test_hiding_needs_a_reason(client: Client, report, committee_trained, said) -> None:
    client.force_login(committee_trained)

    response = client.post(reverse("conduct:hide-reported-message", kwargs={"pk": report.pk}), {"reason": ""})

    assert flashed(response) == ["Say why you are hiding it, for the record: only moderators and union staff see it."]
    said.refresh_from_db()
    assert said.hidden_at is None


def test_escalating_sends_it_to_staff_as_a_case(
    client: Client, report, committee_trained, su_staff, mail, commit
) -> None:
    client.force_login(committee_trained)
    with commit():
        client.post(reverse("conduct:escalate-report", kwargs={"pk": report.pk}), {"reason": "Third time."})

    report.refresh_from_db()
    assert report.routed_to == Report.Route.STAFF
    assert report.escalation == Report.Escalation.BY_MODERATOR
    assert report.case is not None
    assert [s for s in mail.subjects(su_staff.email) if "escalated by a moderator" in s]


def test_a_moderator_never_judges_a_report_about_themselves(report, group, committee_trained, chatter, member) -> None:
    about_them = Report.objects.get(pk=report.pk)
    Report.objects.filter(pk=report.pk).update(reported_user=committee_trained)
    about_them.refresh_from_db()

    assert about_them not in list(queries.moderator_reports(group, viewer=committee_trained))
    with pytest.raises(
        ConductError, match=says("This report is about you: another moderator or union staff will deal with it.")
    ):
        services.dismiss_report(about_them, actor=committee_trained)


def test_dismissing_a_flag_leaves_the_message(client: Client, flagged, group, committee_trained) -> None:
    client.force_login(committee_trained)

    client.post(reverse("conduct:dismiss-flag", kwargs={"pk": flagged.pk}))

    flagged.refresh_from_db()
    assert flagged.hidden_at is None
    assert FlagReview.objects.get(message=flagged).action == FlagReview.Action.DISMISSED
    assert "Something the scorer disliked." not in client.get(queue_url(group)).content.decode()
    with pytest.raises(ConductError, match=says("Someone has already reviewed this flag.")):
        services.dismiss_flag(flagged, actor=committee_trained)


def test_hiding_a_flagged_message(client: Client, flagged, committee_trained) -> None:
    client.force_login(committee_trained)

    client.post(reverse("conduct:hide-flagged-message", kwargs={"pk": flagged.pk}), {"reason": "Slur."})

    flagged.refresh_from_db()
    assert flagged.hidden_reason == "Slur."
    assert AuditEvent.objects.filter(action="conduct.flag.hidden", actor=committee_trained).exists()


def test_escalating_a_flag_opens_a_case_with_the_evidence(
    client: Client, flagged, committee_trained, su_staff, mail, commit
) -> None:
    client.force_login(committee_trained)
    with commit():
        client.post(reverse("conduct:escalate-flag", kwargs={"pk": flagged.pk}), {"reason": "Looks like a threat."})

    case = Case.objects.get()
    assert (case.source, case.message, case.subject) == (Case.Source.FLAG, flagged, flagged.author)
    assert [e["body"] for e in case.evidence if e["reported"]] == ["Something the scorer disliked."]
    assert case.notes.get().text == "Looks like a threat."
    assert mail.subjects(su_staff.email) == ["Conduct: New case: a flagged message sent to staff (Hiking Society)"]


def test_a_message_the_scorer_did_not_flag_is_in_no_queue(client: Client, said, committee_trained) -> None:
    client.force_login(committee_trained)

    assert client.post(reverse("conduct:dismiss-flag", kwargs={"pk": said.pk})).status_code == 404


def test_staff_use_any_groups_queue(staff_client: Client, report, group) -> None:
    assert "Rude to me." in staff_client.get(queue_url(group)).content.decode()
