"""A report is never silently lost: one no moderator acted on within CONDUCT_ESCALATE_AFTER_HOURS goes to
union staff by itself, with one alert email, however often the job runs."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from quad.conduct import services
from quad.conduct.errors import ConductError
from quad.conduct.models import Case, Category, Report
from quad.conduct.tests.conftest import say, says
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

OVERDUE = "Conduct: 1 report not acted on in 48 hours"


@pytest.fixture
def waiting(said, member, moderator, clock) -> Report:
    return services.report_message(said, reporter=member, category=Category.OTHER, note="Rude to me again.")


def test_a_report_waits_for_the_moderators_until_48_hours_have_passed(waiting, clock, mail, commit, su_staff) -> None:
    clock.advance(hours=47, minutes=59)
    with commit():
        assert services.escalate_overdue() == []

    waiting.refresh_from_db()
    assert waiting.routed_to == Report.Route.MODERATORS
    assert not mail.to(su_staff.email)


def test_after_48_hours_it_goes_to_staff_with_exactly_one_email(waiting, clock, mail, commit, su_staff) -> None:
    clock.advance(hours=48, seconds=1)
    with commit():
        escalated = services.escalate_overdue()
    with commit():
        assert services.escalate_overdue() == []  # the job runs again: nothing more
    with commit():
        call_command("escalate_reports", stdout=io.StringIO())

    assert escalated == [waiting]
    waiting.refresh_from_db()
    assert waiting.routed_to == Report.Route.STAFF
    assert waiting.escalation == Report.Escalation.OVERDUE
    assert waiting.case is not None and waiting.case.status == Case.Status.OPEN
    assert mail.subjects(su_staff.email) == [OVERDUE]
    assert AuditEvent.objects.filter(action="conduct.report.overdue", actor=None).count() == 1


def test_several_overdue_reports_make_one_email(
    said, member, committee_trained, moderator, chatter, clock, mail, commit, su_staff
) -> None:
    other = say(chatter, "Anyone for a pint?")
    services.report_message(said, reporter=member, category=Category.OTHER)
    services.report_message(other, reporter=committee_trained, category=Category.OTHER)
    clock.advance(hours=49)

    with commit():
        assert len(services.escalate_overdue()) == 2

    assert mail.subjects(su_staff.email) == ["Conduct: 2 reports not acted on in 48 hours"]


def test_alerts_go_to_the_configured_address_when_set(waiting, clock, mail, commit, su_staff, settings) -> None:
    settings.CONDUCT_ALERT_EMAILS = ["casework@union.example.ac.uk"]
    clock.advance(hours=49)

    with commit():
        services.escalate_overdue()

    assert mail.subjects("casework@union.example.ac.uk") == [OVERDUE]
    assert not mail.to(su_staff.email)


def test_the_setting_sets_the_wait(waiting, clock, settings) -> None:
    settings.CONDUCT_ESCALATE_AFTER_HOURS = 2
    clock.advance(hours=2, seconds=1)

    assert services.escalate_overdue() == [waiting]


def test_a_report_a_moderator_dealt_with_never_escalates(waiting, committee_trained, clock) -> None:
    services.dismiss_report(waiting, actor=committee_trained, note="Banter between friends.")
    clock.advance(hours=72)

    assert services.escalate_overdue() == []


def test_a_moderator_too_late_is_told_it_went_to_staff(waiting, committee_trained, clock) -> None:
    clock.advance(hours=49)
    services.escalate_overdue()

    with pytest.raises(ConductError, match=says("This report has already been dealt with.")):
        services.dismiss_report(waiting, actor=committee_trained)
