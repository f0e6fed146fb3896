"""Merch: items, variants and stock, photos, and the collection of what was bought."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from quad.commerce import services as commerce
from quad.commerce.errors import OrderError
from quad.commerce.fulfilment import Fulfilment, register
from quad.commerce.models import OrderLine, Product, Quota, Refund, Variant
from quad.core import audit
from quad.memberships.services import current_membership
from quad.shop import emails
from quad.shop.errors import ShopError
from quad.shop.models import Collection, MerchItem, MerchPhoto, MerchVariant
from quad.societies.models import Society

KIND = "merch"


def create_merch_item(
    society: Society,
    *,
    actor: Any,
    name: str,
    description: str = "",
    members_only: bool = False,
    preorder_closes_at: datetime.datetime | None = None,
    variants: Sequence[tuple[str, int, int]] = (("One size", 0, 1),),
    max_per_order: int = 5,
) -> MerchItem:
    """`variants` are (name, price in pence, stock). A pre-order closes on `preorder_closes_at`."""
    if not variants:
        raise ShopError("Add at least one size or colour.")
    if preorder_closes_at is not None and preorder_closes_at <= timezone.now():
        raise ShopError("A pre-order must close in the future.")
    with transaction.atomic():
        product = Product.objects.create(
            seller=society,
            kind=KIND,
            name=name.strip(),
            description=description,
            sale_ends_at=preorder_closes_at,
            max_per_order=max_per_order,
        )
        item = MerchItem.objects.create(
            society=society,
            product=product,
            members_only=members_only,
            is_preorder=preorder_closes_at is not None,
            created_by=actor,
        )
        for position, (variant_name, price_pence, stock) in enumerate(variants):
            _add_variant(item, name=variant_name, price_pence=price_pence, stock=stock, position=position)
        audit.record(
            "shop.item.created",
            actor=actor,
            target=item,
            scope=society.audit_scope,
            data={"variants": [v[0] for v in variants]},
        )
    return item


def _add_variant(item: MerchItem, *, name: str, price_pence: int, stock: int, position: int) -> MerchVariant:
    if price_pence < 0:
        raise ShopError("A price cannot be negative.")
    if stock < 0:
        raise ShopError("Stock cannot be negative.")
    if item.merch_variants.filter(variant__name__iexact=name.strip()).exists():
        raise ShopError(f"There is already a “{name}”.")
    variant = Variant.objects.create(
        product=item.product, name=name.strip(), price_pence=price_pence, position=position
    )
    quota = Quota.objects.create(name=f"{item.product.name} ({name.strip()})"[:120], size=stock)
    quota.variants.add(variant)
    return MerchVariant.objects.create(item=item, variant=variant, stock=quota)


def add_variant(item: MerchItem, *, actor: Any, name: str, price_pence: int, stock: int) -> MerchVariant:
    with transaction.atomic():
        position = item.merch_variants.count()
        merch_variant = _add_variant(item, name=name, price_pence=price_pence, stock=stock, position=position)
        audit.record(
            "shop.variant.added", actor=actor, target=item, scope=item.society.audit_scope, data={"name": name}
        )
    return merch_variant


def sold(merch_variant: MerchVariant) -> int:
    return (
        OrderLine.objects.filter(variant=merch_variant.variant)
        .filter(commerce.holding_places(timezone.now()))
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )


def update_variant(merch_variant: MerchVariant, *, actor: Any, price_pence: int, stock: int) -> MerchVariant:
    """New stock may not be below what is already sold or held; a new price applies to later sales."""
    if price_pence < 0 or stock < 0:
        raise ShopError("Prices and stock cannot be negative.")
    with transaction.atomic():
        quota = Quota.objects.select_for_update().get(pk=merch_variant.stock_id)
        taken = sold(merch_variant)
        if stock < taken:
            raise ShopError(f"{taken} are already sold or held: stock cannot be less than that.")
        quota.size = stock
        quota.save(update_fields=["size"])
        merch_variant.variant.price_pence = price_pence
        merch_variant.variant.save(update_fields=["price_pence"])
        audit.record(
            "shop.variant.updated",
            actor=actor,
            target=merch_variant.item,
            scope=merch_variant.item.society.audit_scope,
            data={"variant": merch_variant.variant.name, "price_pence": price_pence, "stock": stock},
        )
    return merch_variant


def add_photo(item: MerchItem, *, actor: Any, image: ContentFile, alt_text: str) -> MerchPhoto:
    if not alt_text.strip():
        raise ShopError("Describe the photo for people who cannot see it.")
    with transaction.atomic():
        photo = MerchPhoto(item=item, alt_text=alt_text.strip(), position=item.photos.count())
        photo.image.save(f"merch-{item.pk}.png", image, save=False)
        photo.save()
        audit.record("shop.photo.added", actor=actor, target=item, scope=item.society.audit_scope)
    return photo


def set_item_on_sale(item: MerchItem, *, actor: Any, on_sale: bool) -> MerchItem:
    with transaction.atomic():
        item.product.is_active = on_sale
        item.product.save(update_fields=["is_active"])
        audit.record(
            "shop.item.on_sale" if on_sale else "shop.item.withdrawn",
            actor=actor,
            target=item,
            scope=item.society.audit_scope,
        )
    return item


def mark_ready(collection: Collection, *, actor: Any) -> Collection:
    """The item can be collected: its buyer is emailed."""
    with transaction.atomic():
        # Only the collection row is locked: PostgreSQL cannot lock the nullable side of a join (buyer).
        collection = (
            Collection.objects.select_for_update(of=("self",))
            .select_related("order_line__order__buyer", "item")
            .get(pk=collection.pk)
        )
        if collection.status != Collection.Status.ORDERED:
            raise ShopError(f"That order is already {collection.get_status_display().lower()}.")
        collection.status = Collection.Status.READY
        collection.ready_at = timezone.now()
        collection.save(update_fields=["status", "ready_at"])
        audit.record(
            "shop.collection.ready",
            actor=actor,
            target=collection.order_line.order,
            scope=collection.item.society.audit_scope,
        )
        emails.ready_to_collect(collection)
    return collection


def mark_collected(collection: Collection, *, actor: Any) -> Collection:
    with transaction.atomic():
        collection = Collection.objects.select_for_update().select_related("item").get(pk=collection.pk)
        if collection.status == Collection.Status.COLLECTED:
            raise ShopError("That order has already been collected.")
        if collection.status == Collection.Status.REFUNDED:
            raise ShopError("That order was refunded.")
        collection.status = Collection.Status.COLLECTED
        collection.collected_at = timezone.now()
        collection.collected_by = actor
        collection.save(update_fields=["status", "collected_at", "collected_by"])
        audit.record(
            "shop.collection.collected",
            actor=actor,
            target=collection.order_line.order,
            scope=collection.item.society.audit_scope,
        )
    return collection


class MerchFulfilment(Fulfilment):
    kind = KIND
    label = "Merch"

    def check_can_buy(self, user: Any, variant: Variant, quantity: int) -> None:
        item = MerchItem.objects.select_related("society").get(product_id=variant.product_id)
        if not getattr(user, "is_student", False):
            raise OrderError("The shop is for current students. Sign in with your verified student account.")
        if item.members_only and current_membership(user, item.society) is None:
            raise OrderError(f"{item} is for members of {item.society}. Join the society first.")

    def on_paid(self, line: OrderLine) -> None:
        item = MerchItem.objects.get(product_id=line.variant.product_id)
        Collection.objects.create(order_line=line, item=item)

    def on_refunded(self, line: OrderLine, refund: Refund, *, fully_refunded: bool) -> None:
        if fully_refunded:
            Collection.objects.filter(order_line=line).exclude(status=Collection.Status.COLLECTED).update(
                status=Collection.Status.REFUNDED
            )


register(MerchFulfilment())
