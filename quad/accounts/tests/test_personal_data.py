"""Accounts' part of a subject access export and of an erasure: the account, its addresses, two-step
sign-in, sessions and GDPR training. Run through the privacy services, as the views do."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, make_person, train
from quad.accounts import services
from quad.accounts.models import TrainingRecord, User
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError

pytestmark = pytest.mark.django_db


def accounts_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "accounts"
        for section in part["sections"]
    }


def test_the_export_holds_the_account_its_addresses_and_training(committee_trained: Any, student: Any) -> None:
    TOTP.activate(committee_trained, "JBSWY3DPEHPK3PXPQUADTEST")
    services.record_training(
        student,
        actor=committee_trained,
        source=TrainingRecord.Source.EXTERNAL,
        completed_on=timezone.localdate(),
        note="Union workshop",
    )

    part = accounts_part(committee_trained)

    [account] = part["Your account"]
    assert account["email"] == committee_trained.email
    assert account["display name"] == "Priya President"
    assert account["course ends on"] == committee_trained.course_ends_on.isoformat()
    assert account["verified as a student at"] == committee_trained.student_verified_at.isoformat()
    assert part["Email addresses"] == [{"email": committee_trained.email, "verified": True, "primary": True}]
    assert [row["kind"] for row in part["Two-step sign-in"]] == ["TOTP Authenticator"]
    assert [(row["how"], row["score"]) for row in part["GDPR training"]] == [("Quad's GDPR training module", 100)]
    text = json.dumps(part)
    assert student.email not in text, "the training they recorded for someone else is not theirs"
    assert "JBSWY3DP" not in text, "no sign-in secret is exported"


def test_training_recorded_by_staff_names_them_by_display_name_only(student: Any, su_staff: Any) -> None:
    services.record_training(
        student, actor=su_staff, source=TrainingRecord.Source.EXTERNAL, completed_on=timezone.localdate()
    )

    [row] = accounts_part(student)["GDPR training"]

    assert row["recorded by"] == "Jo Staff"
    assert su_staff.email not in json.dumps(accounts_part(student))


def test_erasure_leaves_a_stub_that_nobody_can_sign_in_to(
    client: Client, student: Any, su_staff: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    email, pk = student.email, student.pk
    train(student)
    TOTP.activate(student, "JBSWY3DPEHPK3PXPQUADTEST")
    client.force_login(student)
    assert Session.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        record = privacy.erase_account(student, actor=su_staff, reason="Asked by email on 3 March")

    stub = User.objects.get(pk=pk)
    assert (stub.email, stub.display_name) == (f"erased-{pk}@erased.invalid", f"Erased member {pk}")
    assert (stub.course_ends_on, stub.student_verified_at, stub.last_login) == (None, None, None)
    assert not stub.is_active and not stub.is_union_staff and not stub.is_officer
    assert not stub.has_usable_password()
    assert stub.erased_at is not None
    assert not EmailAddress.objects.filter(email__iexact=email).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not Authenticator.objects.filter(user_id=pk).exists()
    assert not TrainingRecord.objects.filter(user_id=pk).exists()
    assert Session.objects.count() == 0
    assert not User.objects.filter(email__iexact=email).exists()
    assert not User.objects.filter(display_name="Sam Student").exists()
    assert record.removed["email addresses"] == 1
    assert record.removed["signed-in sessions"] == 1
    assert record.removed["GDPR training records"] == 1
    assert mailoutbox == [], "erasure sends no email"
    # The old session is gone, and the password no longer signs anyone in.
    assert client.get(reverse("accounts:home")).status_code == 302
    assert not Client().login(email=email, password=PASSWORD)


def test_a_person_may_erase_their_own_account(student: Any) -> None:
    record = privacy.erase_account(student, actor=student)

    assert record.by_themselves
    assert User.objects.get(pk=student.pk).erased_at is not None


def test_notes_on_other_peoples_training_that_name_the_person_are_redacted(student: Any, su_staff: Any) -> None:
    other = make_person("Ola Other", "ola.other")
    services.record_training(
        other,
        actor=su_staff,
        source=TrainingRecord.Source.EXTERNAL,
        completed_on=timezone.localdate(),
        note=f"Trained with Sam Student ({student.email})",
    )
    pk = student.pk

    privacy.erase_account(student, actor=su_staff, reason="Their request")

    note = TrainingRecord.objects.get(user=other).note
    assert note == f"Trained with Erased member {pk} (Erased member {pk})"


def test_erasing_an_erased_account_is_refused(student: Any, su_staff: Any) -> None:
    privacy.erase_account(student, actor=su_staff, reason="Their request")
    stub = User.objects.get(pk=student.pk)

    assert privacy.erasure_refusals(stub) == ["This account has already been erased."]
    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(stub, actor=su_staff, reason="Again")
