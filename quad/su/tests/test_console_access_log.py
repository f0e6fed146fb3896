"""Console pages showing people's personal data beyond a display name log each view (access log)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from quad.accounts import services as account_services
from quad.accounts.models import TrainingRecord, User
from quad.core.models import DataAccess
from quad.su.tests.test_approvals import application, refund_request  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def subjects(action: str) -> set[int]:
    access = DataAccess.objects.get(action=action)
    return set(access.subjects.values_list("user_id", flat=True))


def test_the_union_refund_list_logs_who_asked(staff_client: Any, refund_request: Any, member: Any) -> None:  # noqa: F811
    staff_client.get(reverse("su:refund-requests"))
    assert subjects("su.refund_requests.viewed") == {member.pk}


def test_an_empty_refund_list_logs_nothing(staff_client: Any) -> None:
    staff_client.get(reverse("su:refund-requests"))
    assert not DataAccess.objects.exists()


def test_reading_an_application_logs_its_founders(staff_client: Any, application: Any) -> None:  # noqa: F811
    staff_client.get(reverse("su:society-detail", kwargs={"slug": application.slug}))
    emails = set(application.proposed_committee.values_list("email", flat=True))
    founders = {user.pk for user in User.objects.all() if user.email in emails}
    assert len(founders) == 3 and subjects("su.application.viewed") == founders


def test_an_approved_society_page_shows_no_emails_and_logs_nothing(staff_client: Any, society: Any) -> None:
    staff_client.get(reverse("su:society-detail", kwargs={"slug": society.slug}))
    assert not DataAccess.objects.filter(action="su.application.viewed").exists()


def test_the_training_page_logs_whose_records_it_lists(
    staff_client: Any, su_staff: Any, student: Any, committee_trained: Any
) -> None:
    account_services.record_training(
        student,
        actor=su_staff,
        source=TrainingRecord.Source.EXTERNAL,
        completed_on=datetime.date.today(),
        note="University course",
    )
    staff_client.get(reverse("su:record-training"))
    assert subjects("su.training_records.viewed") == {student.pk, committee_trained.pk}
