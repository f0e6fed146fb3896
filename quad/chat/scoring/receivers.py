"""Every posted message is queued for scoring once its transaction has committed, and a deployment whose
CHAT_SCORER cannot be imported is told so by `manage.py check`, not by a failing worker."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.utils.module_loading import import_string

from quad.chat.models import Message
from quad.chat.signals import message_edited, message_posted

logger = logging.getLogger(__name__)


def queue_scoring(sender: Any, message: Message, **kwargs: Any) -> None:
    def enqueue() -> None:
        from quad.chat.scoring.tasks import score_message

        # Scoring is a second look, never a condition of posting: a queue that is down loses a score, not a post.
        try:
            score_message.enqueue(message_id=message.pk)
        except Exception:
            logger.exception("Could not queue chat message %s for scoring", message.pk)

    # message_posted is sent after the post's transaction commits; on_commit guards a sender inside another.
    transaction.on_commit(enqueue, robust=True)


@checks.register()
def check_chat_scorer(**kwargs: Any) -> list[checks.CheckMessage]:
    try:
        scorer = import_string(settings.CHAT_SCORER)
        # A scorer that needs an optional package says what is missing (without loading its model).
        problem = scorer.missing() if hasattr(scorer, "missing") else ""
    except ImportError as error:
        problem = f"cannot be imported: {error}"
    if problem:
        return [
            checks.Error(
                f"CHAT_SCORER {settings.CHAT_SCORER!r} {problem}",
                hint="docs/moderation.md says what each scorer needs; the semantic one: make semantic.",
                id="chat.E001",
            )
        ]
    return []


message_posted.connect(queue_scoring, dispatch_uid="chat.scoring.queue_scoring")
# An edit is read again: a message made abusive after posting is flagged like one posted that way.
message_edited.connect(queue_scoring, dispatch_uid="chat.scoring.queue_scoring_edit")
