"""Keeping a scorer's verdict on a message: the one place `flag_score` and `flagged_at` are written.

A flag puts the message in the moderators' review queue (quad.conduct.queries.flagged_messages); it never
hides, deletes or blocks anything. Scoring again never takes a flag away: once flagged, a person decides.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quad.chat.models import Message
from quad.chat.scoring import get_scorer
from quad.chat.scoring.base import Score, Scorer
from quad.core import audit


def score_message(message: Message, *, scorer: Scorer | None = None) -> Score:
    """Score `message` with `scorer` (default: CHAT_SCORER's), keep the score, and flag it for review
    at or above CHAT_FLAG_THRESHOLD. The scoring itself is slow and happens outside the transaction."""
    scorer = scorer or get_scorer()
    found = scorer.score([message.body])[0]
    value = min(max(float(found.value), 0.0), 1.0)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(flag_score=value)
        newly_flagged = (
            value >= settings.CHAT_FLAG_THRESHOLD
            and Message.objects.filter(pk=message.pk, flagged_at__isnull=True).update(flagged_at=timezone.now()) == 1
        )
        if newly_flagged:
            group = message.group
            audit.record(
                "chat.message.flagged",
                actor=None,
                target=message,
                scope=group.society.audit_scope if group.society is not None else "union",
                data={
                    "score": round(value, 4),
                    "category": found.category,
                    "scorer": f"{type(scorer).__module__}.{type(scorer).__qualname__}",
                },
            )
    message.refresh_from_db(fields=["flag_score", "flagged_at"])
    return Score(value, found.category)
