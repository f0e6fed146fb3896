from __future__ import annotations

from django_tasks import task

from quad.mailings import delivery


@task()
def deliver_mailing(*, mailing_id: int, limit: int) -> int:
    """Send up to `limit` of a mailing's queued deliveries; safe to run twice or alongside itself."""
    return delivery.deliver(mailing_id, limit=limit)
