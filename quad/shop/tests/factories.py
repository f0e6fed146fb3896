"""Short-hands for shop tests: merch through the services, purchases through the checkout."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from quad.commerce.models import Order
from quad.commerce.tests.factories import pay, place
from quad.shop import services
from quad.shop.models import Collection, MerchItem, MerchVariant

SIZES = (("S", 1800, 5), ("M", 1800, 5), ("L", 2000, 3))


def make_item(
    society: Any,
    *,
    actor: Any,
    name: str = "Hoodie",
    variants: Sequence[tuple[str, int, int]] = SIZES,
    members_only: bool = False,
    preorder_closes_at: datetime.datetime | None = None,
) -> MerchItem:
    """An item with `variants` as (name, price in pence, stock)."""
    return services.create_merch_item(
        society,
        actor=actor,
        name=name,
        variants=variants,
        members_only=members_only,
        preorder_closes_at=preorder_closes_at,
    )


def size(item: MerchItem, name: str) -> MerchVariant:
    return item.merch_variants.select_related("variant", "stock").get(variant__name=name)


def buy_merch(user: Any, merch_variant: MerchVariant, quantity: int = 1) -> Collection:
    """Order and pay as the checkout does; the collection the payment opened."""
    order = place(user, (merch_variant.variant, quantity))
    if order.status == Order.Status.PENDING:
        pay(order)
    return Collection.objects.select_related("order_line__order").get(order_line__order=order)
