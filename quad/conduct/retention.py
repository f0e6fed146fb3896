"""Retention of closed conduct cases (RETENTION_CLOSED_CASES_DAYS): a case closed longer ago than the
period is deleted with its reports (and their evidence), notes, escalations to officers and the
suspensions it imposed that have ended. Reports the moderators closed without a case go after the same
period. A case whose suspension is still in force is kept: the sanction must not lose its record.

An erasure keeps the private threads between a group's moderators and the erased person while an open
case about them in that group needs them (chat.personal_data.register_thread_hold); when the last such
case goes, so do those threads. Running the sweep again deletes nothing more."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from quad.chat.models import ModeratorThread
from quad.conduct.models import Case, Report, Suspension
from quad.conduct.queries import OPEN_CASE


def sweep_closed_cases(now: datetime.datetime) -> int:
    """Delete cases (and moderator-closed reports) closed more than the period before `now`; how many
    cases and such reports were deleted."""
    cutoff = now - datetime.timedelta(days=settings.RETENTION_CLOSED_CASES_DAYS)
    in_force = Suspension.objects.filter(case__isnull=False, lifted_at__isnull=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
    with transaction.atomic():
        due = Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff).exclude(
            pk__in=in_force.values("case_id")
        )
        old = list(due.values_list("pk", flat=True))
        erased = set(due.filter(subject__erased_at__isnull=False).values_list("subject_id", "group_id"))
        # Reports hold their case (PROTECT), so they go first; notes and escalations go with the case.
        Report.objects.filter(case_id__in=old).delete()
        Suspension.objects.filter(case_id__in=old).delete()
        Case.objects.filter(pk__in=old).delete()
        _, handled_by_moderators = Report.objects.filter(
            case__isnull=True, status=Report.Status.CLOSED, closed_at__lt=cutoff
        ).delete()
        for subject_id, group_id in erased:
            if not _still_needed(subject_id, group_id):
                ModeratorThread.objects.filter(member_id=subject_id, group_id=group_id).delete()
    return len(old) + handled_by_moderators.get(Report._meta.label, 0)


def _still_needed(subject_id: int, group_id: int) -> bool:
    """Does anything about the person in the group remain that may need their threads with the moderators?"""
    return (
        Case.objects.filter(subject_id=subject_id, group_id=group_id).exists()
        or Report.objects.filter(reported_user_id=subject_id, group_id=group_id)
        .filter(Q(status=Report.Status.OPEN) | Q(case__status__in=OPEN_CASE))
        .exists()
    )
