"""The shop's part of a subject access export and of an erasure: where a person's merch is, and what
committee members put on sale and handed over. The shop holds nothing personal beyond links to the
account and the order, so erasure keeps collections with their orders (financial records). Run through
the privacy services, as the views do.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from quad.commerce import queries as commerce_queries
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError
from quad.shop import services
from quad.shop.models import Collection, MerchItem
from quad.shop.tests.factories import buy_merch, make_item, size

pytestmark = pytest.mark.django_db


def shop_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "shop"
        for section in part["sections"]
    }


@pytest.fixture
def hoodie(society: Any, committee_trained: Any) -> MerchItem:
    return make_item(society, actor=committee_trained, name="Hoodie")


def test_the_export_holds_their_merch_and_where_it_is(
    hoodie: MerchItem, member: Any, student: Any, committee_trained: Any
) -> None:
    collection = buy_merch(member, size(hoodie, "M"))
    buy_merch(student, size(hoodie, "L"))
    services.mark_ready(collection, actor=committee_trained)

    [row] = shop_part(member)["Your merch"]

    collection.refresh_from_db()
    assert (row["item"], row["society"], row["quantity"], row["status"]) == (
        collection.order_line.description,
        "Hiking Society",
        1,
        "Ready to collect",
    )
    assert collection.ready_at is not None and row["ready"] == collection.ready_at.isoformat()
    assert row["order"] == collection.order_line.order.reference
    assert student.email not in json.dumps(shop_part(member)) and "Sam Student" not in json.dumps(shop_part(member))


def test_a_committee_member_sees_what_they_sold_and_handed_over_without_the_buyers(
    hoodie: MerchItem, member: Any, student: Any, committee_trained: Any
) -> None:
    services.mark_collected(buy_merch(member, size(hoodie, "M")), actor=committee_trained)
    services.mark_collected(buy_merch(student, size(hoodie, "S")), actor=committee_trained)

    part = shop_part(committee_trained)

    assert [(i["item"], i["society"]) for i in part["Merch you put on sale"]] == [("Hoodie", "Hiking Society")]
    assert [(h["item"], h["handed over"]) for h in part["Merch you handed over"]] == [("Hoodie", 2)]
    text = json.dumps(part)
    assert member.email not in text and student.email not in text and "Mia Member" not in text


def test_erasure_keeps_collections_with_their_orders(
    hoodie: MerchItem, society: Any, member: Any, su_staff: Any, committee_trained: Any
) -> None:
    collection = buy_merch(member, size(hoodie, "M"))
    services.mark_collected(collection, actor=committee_trained)
    ledger_before = commerce_queries.society_ledger(society)

    record = privacy.erase_account(member, actor=su_staff, reason="Their request")

    collection = Collection.objects.select_related("order_line__order__buyer").get(pk=collection.pk)
    assert collection.status == Collection.Status.COLLECTED
    assert collection.collected_by == committee_trained
    buyer = collection.order_line.order.buyer
    assert buyer is not None and buyer.pk == member.pk
    assert (buyer.email, buyer.display_name) == (f"erased-{member.pk}@erased.invalid", f"Erased member {member.pk}")
    assert commerce_queries.society_ledger(society) == ledger_before
    assert any("Merch collections" in kept for kept in record.kept)


def test_erasing_twice_is_refused(member: Any, su_staff: Any) -> None:
    privacy.erase_account(member, actor=member)

    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(member, actor=su_staff, reason="Again")
