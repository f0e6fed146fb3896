"""Closed cases are kept RETENTION_CLOSED_CASES_DAYS after they close, then deleted with their reports,
notes, escalations and ended suspensions; reports the moderators closed go after the same period. Open
cases, recently closed ones and those whose suspension is in force stay. A second run removes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from quad.conduct import services
from quad.conduct.models import Case, CaseNote, Category, OfficerEscalation, Report, Suspension
from quad.conduct.retention import sweep_closed_cases
from quad.conduct.tests.conftest import say
from quad.core.personal_data import retention_kinds

pytestmark = pytest.mark.django_db


def closed_days_ago(case: Case, days: int) -> Case:
    when = timezone.now() - datetime.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(closed_at=when)
    Report.objects.filter(case=case).update(closed_at=when)
    return case


def incident(rude: Any, reporter: Any, text: str) -> Case:
    report = services.report_message(say(rude, text), reporter=reporter, category=Category.THREATS)
    assert report.case is not None
    return report.case


def test_cases_closed_long_ago_go_with_everything_recorded_about_them(
    settings: Any,
    chatter: Any,
    rude: Any,
    member: Any,
    moderator: Any,
    committee_trained: Any,
    su_staff: Any,
    officer: Any,
) -> None:
    assert settings.RETENTION_CLOSED_CASES_DAYS == 730
    old = incident(rude, member, "Old threat")
    services.add_case_note(old, actor=su_staff, text="Spoke to both.")
    services.escalate_to_officers(old, actor=su_staff, officers=[officer])
    services.suspend_member(rude.user, actor=su_staff, reason="A week off.", case=old)
    Suspension.objects.filter(case=old).update(lifted_at=timezone.now())
    services.close_case(old, actor=su_staff, outcome=Case.Outcome.SUSPENSION)
    closed_days_ago(old, 731)
    recent = incident(rude, member, "Recent threat")
    services.close_case(recent, actor=su_staff, outcome=Case.Outcome.WARNING)
    closed_days_ago(recent, 700)
    still_open = incident(moderator, member, "Open threat")
    dismissed = services.report_message(say(rude, "Spam"), reporter=member, category=Category.OTHER)
    services.dismiss_report(dismissed, actor=committee_trained)
    Report.objects.filter(pk=dismissed.pk).update(closed_at=timezone.now() - datetime.timedelta(days=800))

    assert sweep_closed_cases(timezone.now()) == 2  # the old case, and the report moderators dismissed

    assert set(Case.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert not Report.objects.filter(pk=dismissed.pk).exists()
    assert not Report.objects.filter(case_id=old.pk).exists()
    assert not CaseNote.objects.filter(case_id=old.pk).exists()
    assert not OfficerEscalation.objects.exists()
    assert not Suspension.objects.exists()
    assert sweep_closed_cases(timezone.now()) == 0


def test_a_case_whose_suspension_is_in_force_is_kept(chatter: Any, rude: Any, member: Any, su_staff: Any) -> None:
    case = incident(rude, member, "Threat")
    services.suspend_member(rude.user, actor=su_staff, reason="Until we meet.", case=case)
    services.close_case(case, actor=su_staff, outcome=Case.Outcome.SUSPENSION)
    closed_days_ago(case, 1000)

    assert sweep_closed_cases(timezone.now()) == 0
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_sweep_is_registered_with_its_setting() -> None:
    [kind] = [k for k in retention_kinds() if k.key == "closed_cases"]
    assert (kind.setting, kind.sweep) == ("RETENTION_CLOSED_CASES_DAYS", sweep_closed_cases)
