"""Plain rows and short-hands for commerce tests.

Memberships (the only product kind an app registers so far) allow one per person, so the checkout's
own rules — quantities, per-order limits, shared capacity — are tested with `GOODS`, a kind with
no rules of its own, registered here for tests only. Orders and payments go through the services.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from quad.commerce import services
from quad.commerce.fulfilment import Fulfilment, register
from quad.commerce.models import Order, Payment, Product, Quota, Variant
from quad.core.academic import current_academic_year
from quad.memberships.models import MembershipType
from quad.memberships.services import create_membership_type
from quad.societies.models import Society

GOODS = "test-goods"


class GoodsFulfilment(Fulfilment):
    kind = GOODS
    label = "Test goods"


register(GoodsFulfilment())


def make_variant(
    seller: Society,
    *,
    name: str = "Hoodie",
    price_pence: int = 2000,
    capacity: int | None = None,
    max_per_order: int = 10,
    sale_starts_at: datetime.datetime | None = None,
    sale_ends_at: datetime.datetime | None = None,
) -> Variant:
    """A product of kind GOODS with one variant; `capacity` puts it in a quota of its own."""
    product = Product.objects.create(
        seller=seller,
        kind=GOODS,
        name=name,
        max_per_order=max_per_order,
        sale_starts_at=sale_starts_at,
        sale_ends_at=sale_ends_at,
    )
    variant = Variant.objects.create(product=product, price_pence=price_pence)
    if capacity is not None:
        quota = Quota.objects.create(name=f"{name} places", size=capacity)
        quota.variants.add(variant)
    return variant


def make_membership_type(
    society: Society, *, actor: Any, name: str = "Full member", price_pence: int = 500, limit: int | None = None
) -> MembershipType:
    return create_membership_type(
        society, actor=actor, year=current_academic_year(), name=name, price_pence=price_pence, limit=limit
    )


def place(user: Any, *items: tuple[Variant, int]) -> Order:
    order, _ = services.place_order(user, items=list(items))
    return order


def pay(order: Order, *, payment_id: str | None = None, amount_pence: int | None = None) -> Payment:
    """The provider says it took the money (the test page's Pay button, or Stripe's webhook)."""
    return services.confirm_payment(
        order,
        provider=order.provider,
        payment_id=payment_id or f"{order.provider}-{order.reference}",
        amount_pence=order.total_pence if amount_pence is None else amount_pence,
    )


def buy(user: Any, *items: tuple[Variant, int]) -> Order:
    """Place and pay for an order; returns it as it is now."""
    order = place(user, *items)
    if order.status == Order.Status.PENDING:
        pay(order)
    order.refresh_from_db()
    return order


def lapse(order: Order, *, minutes: int = 1) -> Order:
    """The buyer walked away: the order's hold ran out `minutes` ago (no sweep has run yet)."""
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=minutes))
    order.refresh_from_db()
    return order
