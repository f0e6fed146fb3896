"""Retention of member email's per-recipient records (RETENTION_DELIVERY_LOGS_DAYS): once a mailing has
finished sending, its Delivery rows (each recipient's address and what happened to it) are kept for the
period, then deleted. The mailing itself stays, with its recipient count; a mailing still sending keeps
every row it needs. Running the sweep again deletes nothing more."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction

from quad.mailings.models import Delivery, Mailing


def sweep_delivery_logs(now: datetime.datetime) -> int:
    """Delete the Delivery rows of mailings that finished sending more than the period before `now`;
    the number deleted."""
    cutoff = now - datetime.timedelta(days=settings.RETENTION_DELIVERY_LOGS_DAYS)
    finished = Mailing.objects.filter(status=Mailing.Status.SENT, finished_at__lt=cutoff)
    with transaction.atomic():
        deleted, _ = Delivery.objects.filter(mailing__in=finished).delete()
    return deleted
