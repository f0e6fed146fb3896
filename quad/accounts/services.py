"""State changes of accounts: student verification and GDPR training."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quad.accounts import training
from quad.accounts.errors import AccountError
from quad.accounts.models import TrainingRecord, User
from quad.accounts.signals import student_verified
from quad.core import audit


def record_email_verified(user: User, email: str, *, actor: Any) -> bool:
    """Mark the user a verified student if `email` is their address on a student domain.

    Returns whether they became a student now. Safe to call twice.
    """
    if email.lower() != user.email.lower() or not user.has_student_address:
        return False
    if user.student_verified_at is not None:
        return False
    with transaction.atomic():
        user.student_verified_at = timezone.now()
        user.save(update_fields=["student_verified_at"])
        audit.record("accounts.student.verified", actor=actor, target=user)
        transaction.on_commit(lambda: student_verified.send(sender=User, user=user))
    return True


def record_training(
    user: User,
    *,
    actor: Any,
    source: str,
    completed_on: datetime.date,
    score: int | None = None,
    note: str = "",
) -> TrainingRecord:
    today = timezone.localdate()
    if completed_on > today:
        raise AccountError("Training cannot be completed in the future.")
    expires_on = completed_on + datetime.timedelta(days=settings.GDPR_TRAINING_VALID_DAYS)
    if expires_on < today:
        raise AccountError("That training has already expired; it would not make anyone trained.")
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            user=user,
            completed_on=completed_on,
            expires_on=expires_on,
            source=source,
            score=score,
            note=note,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            "accounts.training.recorded",
            actor=actor,
            target=user,
            data={"source": source, "completed_on": completed_on.isoformat(), "expires_on": expires_on.isoformat()},
        )
    return record


def take_training_quiz(user: User, answers: dict[str, str], *, actor: Any) -> tuple[int, TrainingRecord | None]:
    """Grade the quiz; a pass records training valid from today. Returns (score, record or None)."""
    score = training.grade(answers)
    if score < settings.GDPR_TRAINING_PASS_MARK:
        return score, None
    record = record_training(
        user, actor=actor, source=TrainingRecord.Source.QUIZ, completed_on=timezone.localdate(), score=score
    )
    return score, record


def update_profile(user: User, *, actor: Any, display_name: str, course_ends_on: datetime.date | None) -> User:
    with transaction.atomic():
        user.display_name = display_name
        user.course_ends_on = course_ends_on
        user.save(update_fields=["display_name", "course_ends_on"])
        audit.record("accounts.profile.updated", actor=actor, target=user)
    return user
