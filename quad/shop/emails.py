"""One function per email about merch. Each queues on commit."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from quad.core.emails import queue_email
from quad.shop.models import Collection


def ready_to_collect(collection: Collection) -> None:
    order = collection.order_line.order
    if order.buyer is None:
        return
    society = collection.item.society
    queue_email(
        "shop/emails/ready_to_collect",
        to=[order.buyer.email],
        context={
            "collection": collection,
            "line": collection.order_line,
            "society": society,
            "order_url": settings.SITE_URL + reverse("commerce:order", kwargs={"reference": order.reference}),
        },
    )
