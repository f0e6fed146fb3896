from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from quad.shop.models import Collection, MerchItem
from quad.societies.models import Society


def items_on_sale(society: Society) -> QuerySet[MerchItem]:
    return (
        MerchItem.objects.filter(society=society, product__is_active=True)
        .select_related("product")
        .prefetch_related("photos", "merch_variants__variant")
    )


@dataclass
class PickRow:
    item: str
    variant: str
    quantity: int


def pick_list(society: Society) -> list[PickRow]:
    """What to hand out: paid, not yet collected, by product and size."""
    rows = (
        Collection.objects.filter(
            item__society=society, status__in=[Collection.Status.ORDERED, Collection.Status.READY]
        )
        .values("item__product__name", "order_line__variant__name")
        .annotate(quantity=Sum("order_line__quantity"))
        .order_by("item__product__name", "order_line__variant__name")
    )
    return [PickRow(r["item__product__name"], r["order_line__variant__name"], r["quantity"]) for r in rows]


def collections(society: Society, *, status: str = "") -> QuerySet[Collection]:
    found = Collection.objects.filter(item__society=society).select_related(
        "order_line__order__buyer", "order_line__variant", "item__product", "collected_by"
    )
    if status:
        found = found.filter(status=status)
    return found.order_by("status", "order_line__order__buyer__display_name", "id")


def collections_of(user: Any) -> QuerySet[Collection]:
    return Collection.objects.filter(order_line__order__buyer=user).select_related("item__society", "order_line")
