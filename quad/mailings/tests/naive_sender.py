"""The control for the worker-kill test: how a mail sender goes wrong without per-message records.

It sends each batch of queued deliveries over one connection and records the whole batch as sent
afterwards, in one commit. Kill it mid-batch and restart it: every message of the interrupted
batch that had already gone out is sent again. Never used by Quad; run by kill_scene.py.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quad.settings")


def run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.mail import get_connection
    from django.utils import timezone

    from quad.mailings.models import Delivery, Mailing
    from quad.mailings.rendering import build_message, render_mailing

    mailing = Mailing.objects.select_related("society").get(status=Mailing.Status.SENDING)
    rendered = render_mailing(mailing)
    while True:
        batch = list(
            Delivery.objects.filter(mailing=mailing)
            .exclude(status=Delivery.Status.SENT)
            .order_by("pk")[: settings.MAILINGS_BATCH_SIZE]
        )
        if not batch:
            return
        with get_connection() as connection:
            connection.send_messages([build_message(rendered, d, society_id=mailing.society_id) for d in batch])
        Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
            status=Delivery.Status.SENT, sent_at=timezone.now()
        )


if __name__ == "__main__":
    run()
