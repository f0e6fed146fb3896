"""Fetch-and-authorise helpers for merch."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from quad.core.permissions import not_found
from quad.shop.models import Collection, MerchItem
from quad.societies.models import Power
from quad.societies.permissions import CommitteeAccess, get_society_for_committee


def get_item_for_sale(user: Any, pk: int) -> MerchItem:
    item = get_object_or_404(MerchItem.objects.select_related("society", "product"), pk=pk)
    if not item.society.is_public:
        raise not_found()
    return item


def get_item_for_committee(user: Any, pk: int, *, power: str | None = Power.SHOP) -> tuple[CommitteeAccess, MerchItem]:
    item = get_object_or_404(MerchItem.objects.select_related("society", "product"), pk=pk)
    return get_society_for_committee(user, item.society.slug, power=power), item


def get_collection_for_committee(user: Any, pk: int) -> Collection:
    """Buyer lists are personal data: the shop power is not enough, member-data power and training too."""
    collection = get_object_or_404(Collection.objects.select_related("item__society"), pk=pk)
    get_society_for_committee(user, collection.item.society.slug, power=Power.SHOP)
    get_society_for_committee(user, collection.item.society.slug, power=Power.MEMBER_DATA)
    return collection
