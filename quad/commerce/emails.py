"""One function per email about orders and refunds. Each queues on commit."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from quad.commerce.models import Order, OrderLine, Refund, RefundRequest
from quad.core.emails import queue_email


def _order_url(order: Order) -> str:
    return settings.SITE_URL + reverse("commerce:order", kwargs={"reference": order.reference})


def receipt(order: Order) -> None:
    if order.buyer is None:
        return
    queue_email(
        "commerce/emails/receipt",
        to=[order.buyer.email],
        context={"order": order, "lines": list(order.lines.all()), "order_url": _order_url(order)},
    )


def refunded(line: OrderLine, refund: Refund) -> None:
    if line.order.buyer is None:
        return
    queue_email(
        "commerce/emails/refunded",
        to=[line.order.buyer.email],
        context={"order": line.order, "line": line, "refund": refund, "order_url": _order_url(line.order)},
    )


def refund_requested(request: RefundRequest) -> None:
    """Tell the seller's committee members who hold the finance power."""
    from quad.societies.models import Power
    from quad.societies.queries import current_terms

    line = request.line
    finance = [term.user.email for term in current_terms(line.seller) if Power.FINANCE in term.position.powers]
    queue_email(
        "commerce/emails/refund_requested",
        to=finance,
        context={
            "request": request,
            "line": line,
            "requests_url": settings.SITE_URL + reverse("commerce:refund-requests", kwargs={"slug": line.seller.slug}),
        },
    )


def refund_declined(request: RefundRequest) -> None:
    order = request.line.order
    if order.buyer is None:
        return
    queue_email(
        "commerce/emails/refund_declined",
        to=[order.buyer.email],
        context={"request": request, "line": request.line, "order_url": _order_url(order)},
    )
