"""What the shop holds about a person: where their merch is (ordered, ready, collected), and the items and
hand-overs they managed as a committee member. Registered with `quad.core.personal_data`.

The shop keeps nothing personal beyond links to the account and to orders: erasure leaves collections
with the order they belong to (financial records), now the anonymous stub's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.shop.models import Collection, MerchItem


def _export(user: Any) -> list[ExportSection]:
    collections = (
        Collection.objects.filter(order_line__order__buyer=user)
        .select_related("order_line__order", "item__society")
        .order_by("id")
    )
    created = MerchItem.objects.filter(created_by=user).select_related("product", "society").order_by("id")
    handed = (
        Collection.objects.filter(collected_by=user)
        .exclude(order_line__order__buyer=user)
        .values("item__product__name", "item__society__name")
        .annotate(handed_over=Count("id"))
        .order_by("item__society__name", "item__product__name")
    )
    return [
        ExportSection(
            "Your merch",
            [
                {
                    "item": c.order_line.description,
                    "society": c.item.society.name,
                    "quantity": c.order_line.quantity,
                    "order": c.order_line.order.reference,
                    "status": c.get_status_display(),
                    "ready": iso(c.ready_at),
                    "collected": iso(c.collected_at),
                }
                for c in collections
            ],
        ),
        ExportSection(
            "Merch you put on sale",
            [{"item": i.product.name, "society": i.society.name, "added": iso(i.product.created_at)} for i in created],
        ),
        ExportSection(
            "Merch you handed over",
            [
                {
                    "item": row["item__product__name"],
                    "society": row["item__society__name"],
                    "handed over": row["handed_over"],
                }
                for row in handed
            ],
            note="The buyers are not named here.",
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    if Collection.objects.filter(order_line__order__buyer=user).exists():
        erasure.keep("Merch collections, with the orders they belong to (financial records), under the anonymous stub.")


register(
    PersonalData(
        app="shop",
        title="Merch",
        models=("shop.MerchItem", "shop.Collection"),
        holdings=(
            Holding(
                what="The merch you bought and where it is: ordered, ready to collect, collected (and who handed "
                "it over)",
                why="So the society can get your order to you",
                basis="Contract",
                kept="With the order (six years, as financial records); without your name once your account is erased",
            ),
            Holding(
                what="Merch you put on sale and orders you hand over as a committee member",
                why="So the society can account for its stock",
                basis="Legitimate interests",
                kept="With the item and the order",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
