from __future__ import annotations

from django_tasks import task

from quad.chat.models import Message
from quad.chat.scoring import services


@task()
def score_message(message_id: int) -> float | None:
    """Score a posted message in the background; None if it was deleted before its turn came."""
    message = Message.objects.select_related("group__society").filter(pk=message_id, deleted_at__isnull=True).first()
    if message is None:
        return None
    return services.score_message(message).value
