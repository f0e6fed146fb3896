"""Fetch-and-authorise helpers for orders and refunds."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.accounts.permissions import has_totp
from quad.commerce.models import Order, RefundRequest
from quad.core.permissions import forbidden, not_found
from quad.societies.models import Power
from quad.societies.permissions import get_society_for_committee


def get_order_for_buyer(user: Any, reference: str) -> Order:
    """An order is its buyer's (and union staff's); to anyone else it does not exist."""
    order = get_object_or_404(Order.objects.select_related("buyer"), reference=reference)
    if not user.is_authenticated or (order.buyer_id != user.pk and not user.is_union_staff):
        raise not_found()
    return order


def get_refund_request_for_decision(user: Any, pk: int) -> RefundRequest:
    """The seller's committee with the finance power (and valid training), or union staff."""
    request = get_object_or_404(RefundRequest.objects.select_related("line__seller", "line__order"), pk=pk)
    if user.is_authenticated and user.is_union_staff:
        if not has_totp(user):
            raise forbidden("Union staff must set up two-factor sign-in first.")
        return request
    get_society_for_committee(user, request.line.seller.slug, power=Power.FINANCE)
    return request


def require_buyer(user: Any, order: Order, *, doing: str) -> None:
    """Staff may see any order, but paying for it or asking for its refund is the buyer's alone."""
    if order.buyer_id != user.pk:
        raise forbidden(f"Only the buyer can {doing}.")
