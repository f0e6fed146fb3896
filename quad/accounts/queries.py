from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from quad.accounts.models import TrainingRecord, User


def valid_training_records(*, on: datetime.date | None = None) -> QuerySet[TrainingRecord]:
    """Training records valid on `on` (today), anyone's."""
    day = on or timezone.localdate()
    return TrainingRecord.objects.filter(completed_on__lte=day, expires_on__gte=day)


def valid_training(user: User, *, on: datetime.date | None = None) -> TrainingRecord | None:
    return valid_training_records(on=on).filter(user=user).order_by("-expires_on").first()


def trained_user_ids(user_ids: list[int], *, on: datetime.date | None = None) -> set[int]:
    day = on or timezone.localdate()
    return set(
        TrainingRecord.objects.filter(user_id__in=user_ids, completed_on__lte=day, expires_on__gte=day).values_list(
            "user_id", flat=True
        )
    )


def user_ids_for_emails(emails: list[str]) -> list[int]:
    """The accounts at these addresses (any case), for logging whose data a page showed."""
    wanted = {email.strip().lower() for email in emails if email}
    if not wanted:
        return []
    return list(User.objects.annotate(address=Lower("email")).filter(address__in=wanted).values_list("pk", flat=True))
