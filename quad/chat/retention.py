"""Retention (item 13): messages older than the union's period (CHAT_RETENTION_DAYS) are deleted by a
daily sweep, except those another app holds as evidence (services.register_retention_hold: an open case).

The sweep walks old messages in id order, a batch per transaction, so it never holds the database for
long and a sweep cut short is finished by the next. Deletion is for good: reactions and mentions go with
their message, replies lose the link to it, and a scheduled post that became one goes too (left behind,
it would look unposted). Running it again deletes nothing more.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quad.chat.models import Message, ScheduledPost
from quad.chat.services import retention_holds
from quad.core import audit

BATCH = 500


@dataclass(frozen=True)
class Swept:
    deleted: int
    held: int


def sweep_messages(*, now: datetime.datetime | None = None, batch: int = BATCH) -> Swept:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CHAT_RETENTION_DAYS)
    # Asked once, before deleting: a case opened during the sweep holds messages from its next run.
    held = retention_holds()
    deleted = kept = 0
    after = 0
    while True:
        old = list(
            Message.objects.filter(created_at__lt=cutoff, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not old:
            break
        after = old[-1]
        doomed = [pk for pk in old if pk not in held]
        kept += len(old) - len(doomed)
        if doomed:
            with transaction.atomic():
                ScheduledPost.objects.filter(message_id__in=doomed).delete()
                _, counts = Message.objects.filter(pk__in=doomed).delete()
                deleted += counts.get(Message._meta.label, 0)
    if deleted:
        # One summary for the run, after its batches (each is its own transaction).
        audit.record(
            "chat.retention.swept",
            actor=None,
            scope="union",
            data={"deleted": deleted, "held": kept, "older_than": cutoff.isoformat()},
        )
    return Swept(deleted=deleted, held=kept)
