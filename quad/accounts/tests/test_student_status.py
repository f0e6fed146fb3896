import datetime

import pytest
from django.utils import timezone

from conftest import make_person
from quad.accounts import services
from quad.accounts.models import User
from quad.accounts.signals import student_verified
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _unverified(email: str, *, course_ends_on: datetime.date | None = None) -> User:
    ends = course_ends_on or timezone.localdate() + datetime.timedelta(days=400)
    return User.objects.create_user(email, "x-password-123", display_name="New Person", course_ends_on=ends)


@pytest.fixture
def verified_signals():
    received: list[User] = []

    def listener(sender, user, **kwargs):
        received.append(user)

    student_verified.connect(listener)
    yield received
    student_verified.disconnect(listener)


def test_verified_address_on_a_student_domain_makes_a_student(student) -> None:
    assert student.is_student
    assert student.student_verified_at is not None
    assert not student.is_graduate


def test_unverified_student_address_is_not_a_student() -> None:
    user = _unverified("new.fresher@student.example.ac.uk")

    assert user.has_student_address
    assert not user.is_student


def test_address_on_another_domain_stays_a_visitor_even_when_verified() -> None:
    user = _unverified("someone@example.com")

    became = services.record_email_verified(user, user.email, actor=user)

    user.refresh_from_db()
    assert became is False
    assert user.student_verified_at is None
    assert not user.is_student
    assert not user.is_graduate


def test_visitor_fixture_is_not_a_student(visitor) -> None:
    assert not visitor.is_student
    assert not visitor.is_graduate


def test_lookalike_domain_is_not_a_student_domain() -> None:
    user = _unverified("sneaky@evil-student.example.ac.uk")

    assert not services.record_email_verified(user, user.email, actor=user)
    assert not user.is_student


def test_verifying_a_different_address_does_not_make_a_student() -> None:
    user = _unverified("someone@example.com")

    assert not services.record_email_verified(user, "someone@student.example.ac.uk", actor=user)
    user.refresh_from_db()
    assert user.student_verified_at is None


def test_student_domains_come_from_the_setting(settings) -> None:
    settings.STUDENT_EMAIL_DOMAINS = ["uni.example.edu"]
    user = _unverified("ana@uni.example.edu")

    assert services.record_email_verified(user, "ANA@uni.example.edu", actor=user)
    user.refresh_from_db()
    assert user.is_student


def test_course_ended_makes_a_graduate(graduate) -> None:
    assert graduate.is_graduate
    assert not graduate.is_student


def test_course_ending_today_is_still_a_student() -> None:
    user = make_person("Last Day", "last.day", course_ends_on=timezone.localdate())

    assert user.is_student
    assert not user.is_graduate


def test_deactivated_account_is_not_a_student(student) -> None:
    student.is_active = False
    student.save(update_fields=["is_active"])

    assert not student.is_student


def test_record_email_verified_writes_an_audit_event() -> None:
    user = _unverified("fresh@student.example.ac.uk")

    services.record_email_verified(user, user.email, actor=user)

    event = AuditEvent.objects.get(action="accounts.student.verified")
    assert event.actor == user
    assert event.target_id == str(user.pk)


def test_record_email_verified_is_idempotent_and_signals_once(
    django_capture_on_commit_callbacks, verified_signals
) -> None:
    user = _unverified("fresh@student.example.ac.uk")

    with django_capture_on_commit_callbacks(execute=True):
        first = services.record_email_verified(user, user.email, actor=user)
    first_verified_at = User.objects.get(pk=user.pk).student_verified_at
    with django_capture_on_commit_callbacks(execute=True):
        second = services.record_email_verified(user, user.email, actor=user)

    assert (first, second) == (True, False)
    assert verified_signals == [user]
    assert User.objects.get(pk=user.pk).student_verified_at == first_verified_at
    assert AuditEvent.objects.filter(action="accounts.student.verified").count() == 1


def test_repeat_verification_from_a_fresh_copy_of_the_user_does_not_signal_again(
    django_capture_on_commit_callbacks, verified_signals
) -> None:
    user = _unverified("fresh@student.example.ac.uk")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_email_verified(user, user.email, actor=user)

    stale_copy = User.objects.get(pk=user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.record_email_verified(stale_copy, stale_copy.email, actor=stale_copy)

    assert len(verified_signals) == 1


def test_no_signal_for_a_visitor(django_capture_on_commit_callbacks, verified_signals) -> None:
    user = _unverified("someone@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        services.record_email_verified(user, user.email, actor=user)

    assert verified_signals == []
