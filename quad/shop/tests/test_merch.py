"""Society merch: items and their sizes from the form's lines, stock per size, members-only items,
pre-orders, stock edits, collection (ordered → ready → collected), the pick list and the buyer list.

`committee_trained` is the President of `society` (every power, trained); `member` is a member.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import make_person, train
from quad.commerce import services as commerce
from quad.commerce.errors import OrderError
from quad.commerce.models import Order, OrderLine, Product
from quad.commerce.tests.factories import pay, place
from quad.core.models import AuditEvent, DataAccess
from quad.shop import queries, services
from quad.shop.errors import ShopError
from quad.shop.models import Collection, MerchItem
from quad.shop.queries import PickRow
from quad.shop.tests.factories import buy_merch, make_item, size
from quad.societies.models import CommitteeTerm, Power


def message_of(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def shop_url(society: Any) -> str:
    return reverse("shop:society-shop", kwargs={"slug": society.slug})


def item_form(**changes: Any) -> dict[str, Any]:
    return {"name": "Club hoodie", "description": "Warm.", "variants": "S / Navy, 18.00, 20"} | changes


@pytest.fixture
def hoodie(society: Any, committee_trained: Any) -> MerchItem:
    """S and M at £18 (5 each), L at £20 (3)."""
    return make_item(society, actor=committee_trained)


# --- Creating items ------------------------------------------------------------------------------


def test_committee_creates_an_item_with_a_size_per_line(client, society, committee_trained):
    client.force_login(committee_trained)
    lines = "S / Navy, 18.00, 20\n\nM / Navy, £18, 25\nNavy, XL, 21.50, 0\n"

    response = client.post(shop_url(society), item_form(variants=lines, members_only="on"))

    item = MerchItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:manage-item", kwargs={"pk": item.pk})
    assert message_of(response) == "“Club hoodie” is in the shop. Add a photo next."
    assert [(mv.variant.name, mv.variant.price_pence, mv.stock.size) for mv in item.merch_variants.all()] == [
        ("S / Navy", 1800, 20),
        ("M / Navy", 1800, 25),
        ("Navy, XL", 2150, 0),  # a comma in the name: the last two fields are price and stock
    ]
    assert item.members_only and not item.is_preorder
    # Each size's stock is a quota of its own.
    assert all(list(mv.stock.variants.all()) == [mv.variant] for mv in item.merch_variants.all())
    assert AuditEvent.objects.filter(action="shop.item.created", actor=committee_trained).exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("M, 18.00", "Line 1: write name, price, stock — e.g. “M / Navy, 18.00, 20”."),
        (", 18.00, 5", "Line 1: write name, price, stock — e.g. “M / Navy, 18.00, 20”."),
        ("S, 18, 5\n\nM, eighteen, 5", "Line 3: the price must be like 18.00 and the stock a whole number."),
        ("M, 18.00, 2.5", "Line 1: the price must be like 18.00 and the stock a whole number."),
        ("M, NaN, 5", "Line 1: the price must be between 0.00 and 1000.00."),
        ("M, -1, 5", "Line 1: the price must be between 0.00 and 1000.00."),
        ("M, 1000.01, 5", "Line 1: the price must be between 0.00 and 1000.00."),
        ("M, 18.005, 5", "Line 1: the price must be between 0.00 and 1000.00."),
        ("M, 18, -1", "Line 1: stock must be between 0 and 100000."),
        ("M, 18, 100001", "Line 1: stock must be between 0 and 100000."),
        ("M, 18, 5\nm, 20, 5", "Each size or colour must have a different name."),
        ("", "This field is required."),
    ],
    ids=[
        "two-fields",
        "no-name",
        "words-for-price",
        "fractional-stock",
        "nan",
        "negative",
        "too-dear",
        "fractions-of-pence",
        "negative-stock",
        "too-much-stock",
        "same-name",
        "empty",
    ],
)
def test_bad_lines_are_refused_with_a_clear_message(client, society, committee_trained, lines, message):
    client.force_login(committee_trained)

    response = client.post(shop_url(society), item_form(variants=lines))

    assert response.status_code == 200
    assert response.context["form"].errors == {"variants": [message]}
    assert not MerchItem.objects.exists()
    assert not Product.objects.exists()


def test_a_preorder_must_close_in_the_future(client, society, committee_trained):
    client.force_login(committee_trained)
    yesterday = timezone.localtime() - datetime.timedelta(days=1)

    response = client.post(shop_url(society), item_form(preorder_closes_at=yesterday.strftime("%Y-%m-%dT%H:%M")))

    assert response.context["form"].non_field_errors() == ["A pre-order must close in the future."]
    assert not MerchItem.objects.exists()


def test_the_item_page_shows_sizes_prices_and_what_is_left(client, hoodie, student):
    buy_merch(student, size(hoodie, "L"), 3)
    client.force_login(student)

    page = client.get(hoodie.get_absolute_url()).content.decode()

    assert "<strong>S</strong> — £18.00" in page and "5 left" in page
    assert '<strong>L</strong> — £20.00 <span class="muted">sold out' in page
    assert page.count("Add to basket") == 2


def test_a_photo_needs_a_description_for_people_who_cannot_see_it(client, hoodie, committee_trained):
    client.force_login(committee_trained)
    url = reverse("shop:add-photo", kwargs={"pk": hoodie.pk})
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), "navy").save(buffer, format="PNG")

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("hoodie.png", buffer.getvalue(), content_type="image/png")

    response = client.post(url, {"image": upload(), "alt_text": ""})
    assert "This field is required." in message_of(response)
    assert not hoodie.photos.exists()

    response = client.post(url, {"image": upload(), "alt_text": "A navy hoodie with the club's badge"})
    assert message_of(response) == "Photo added."
    page = client.get(hoodie.get_absolute_url()).content.decode()
    assert 'alt="A navy hoodie with the club&#x27;s badge"' in page


# --- Stock ---------------------------------------------------------------------------------------


def test_stock_is_per_size(hoodie, student, member):
    buy_merch(student, size(hoodie, "L"), 3)
    buy_merch(student, size(hoodie, "M"), 3)

    with pytest.raises(OrderError, match=r"Sold out: Hoodie \(L\)"):
        place(member, (size(hoodie, "L").variant, 1))
    with pytest.raises(OrderError, match=r"Only 2 left for Hoodie \(M\); you asked for 3"):
        place(member, (size(hoodie, "M").variant, 3))
    buy_merch(member, size(hoodie, "M"), 2)
    assert [commerce.places_left(size(hoodie, name).variant) for name in ("S", "M", "L")] == [5, 0, 0]


def test_stock_cannot_be_set_below_what_is_sold(client, hoodie, student, member, committee_trained):
    buy_merch(student, size(hoodie, "S"), 2)
    place(member, (size(hoodie, "S").variant, 1))  # awaiting payment: held, so counted
    client.force_login(committee_trained)
    small = size(hoodie, "S")
    url = reverse("shop:update-variant", kwargs={"pk": hoodie.pk, "variant_id": small.pk})

    response = client.post(url, {"price": "18.00", "stock": "2"})

    assert message_of(response) == "3 are already sold or held: stock cannot be less than that."
    small.stock.refresh_from_db()
    assert small.stock.size == 5
    response = client.post(url, {"price": "19.50", "stock": "3"})
    assert message_of(response) == "Hoodie (S) saved. A new price applies to later sales only."
    small = size(hoodie, "S")
    assert (small.stock.size, small.variant.price_pence) == (3, 1950)
    assert commerce.places_left(small.variant) == 0
    with pytest.raises(ShopError, match="cannot be negative"):
        services.update_variant(small, actor=committee_trained, price_pence=1950, stock=-1)


def test_a_price_change_applies_to_later_sales_only(hoodie, student, member, committee_trained):
    waiting = place(student, (size(hoodie, "M").variant, 1))
    services.update_variant(size(hoodie, "M"), actor=committee_trained, price_pence=2500, stock=5)

    pay(waiting)
    buy_merch(member, size(hoodie, "M"))

    prices = dict(OrderLine.objects.filter(kind="merch").values_list("order__buyer", "unit_price_pence"))
    assert prices == {student.pk: 1800, member.pk: 2500}


# --- Who may buy, and when -----------------------------------------------------------------------


def test_members_only_items_are_refused_to_non_members_with_the_reason(
    client, society, committee_trained, student, member
):
    scarf = make_item(
        society, actor=committee_trained, name="Members' scarf", variants=[("One size", 900, 10)], members_only=True
    )
    only = size(scarf, "One size")
    client.force_login(student)

    response = client.post(
        reverse("commerce:add-to-basket"),
        {"variant": only.variant_id, "quantity": "1", "next": scarf.get_absolute_url()},
    )

    assert message_of(response) == "Members' scarf is for members of Hiking Society. Join the society first."
    buy_merch(member, only)
    assert Collection.objects.filter(order_line__order__buyer=member).count() == 1


def test_merch_is_for_current_students(hoodie, visitor, graduate):
    for outsider in (visitor, graduate):
        with pytest.raises(OrderError, match="The shop is for current students"):
            commerce.add_to_basket(outsider, size(hoodie, "M").variant)


def test_a_preorder_refuses_sales_after_its_closing_date(society, committee_trained, student, member):
    closes = timezone.now() + datetime.timedelta(days=3)
    tee = make_item(society, actor=committee_trained, name="Tour tee", preorder_closes_at=closes)
    medium = size(tee, "M")
    assert tee.is_preorder
    early = place(member, (medium.variant, 1))  # ordered in time, paid later

    Product.objects.filter(pk=tee.product_id).update(sale_ends_at=timezone.now() - datetime.timedelta(minutes=1))

    with pytest.raises(OrderError, match=r"Sales of Tour tee \(M\) have closed."):
        commerce.add_to_basket(student, medium.variant)
    with pytest.raises(OrderError, match="have closed"):
        place(student, (medium.variant, 1))
    pay(early)
    early.refresh_from_db()
    assert early.status == Order.Status.PAID


def test_an_item_taken_off_sale_sells_nothing(client, hoodie, committee_trained, student):
    client.force_login(committee_trained)

    response = client.post(reverse("shop:set-item-on-sale", kwargs={"pk": hoodie.pk}), {"on_sale": "0"})

    assert message_of(response) == "Taken off sale."
    with pytest.raises(OrderError, match="is not on sale"):
        commerce.add_to_basket(student, size(hoodie, "M").variant)
    client.post(reverse("shop:set-item-on-sale", kwargs={"pk": hoodie.pk}), {"on_sale": "1"})
    commerce.add_to_basket(student, size(hoodie, "M").variant)


# --- Collection ----------------------------------------------------------------------------------


def collections_url(society: Any, **query: str) -> str:
    url = reverse("shop:collections", kwargs={"slug": society.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_collection_goes_ordered_then_ready_with_an_email_then_collected(
    client, society, hoodie, student, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    collection = buy_merch(student, size(hoodie, "M"), 2)
    assert collection.status == Collection.Status.ORDERED
    client.force_login(committee_trained)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:mark-ready", kwargs={"pk": collection.pk}))

    assert response["Location"] == collections_url(society)
    assert message_of(response) == "Marked ready; the buyer has been emailed."
    collection.refresh_from_db()
    assert collection.status == Collection.Status.READY and collection.ready_at is not None
    [email] = [m for m in mailoutbox if m.subject.startswith("Ready to collect")]
    assert email.to == [student.email]
    assert email.subject == "Ready to collect: Hoodie (M)"
    assert collection.order_line.order.reference in email.body

    response = client.post(reverse("shop:mark-ready", kwargs={"pk": collection.pk}))
    assert message_of(response) == "That order is already ready to collect."

    response = client.post(reverse("shop:mark-collected", kwargs={"pk": collection.pk}))
    assert message_of(response) == "Marked collected."
    collection.refresh_from_db()
    assert (collection.status, collection.collected_by) == (Collection.Status.COLLECTED, committee_trained)
    response = client.post(reverse("shop:mark-collected", kwargs={"pk": collection.pk}))
    assert message_of(response) == "That order has already been collected."
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="shop.collection").order_by("id")] == [
        "shop.collection.ready",
        "shop.collection.collected",
    ]


def test_a_refunded_order_is_not_collected(hoodie, student, committee_trained):
    collection = buy_merch(student, size(hoodie, "S"))
    line = collection.order_line
    commerce.refund_line(line, amount_pence=line.total_pence, actor=committee_trained, reason="Wrong size.")

    collection.refresh_from_db()
    assert collection.status == Collection.Status.REFUNDED
    with pytest.raises(ShopError, match="was refunded"):
        services.mark_collected(collection, actor=committee_trained)
    assert commerce.places_left(size(hoodie, "S").variant) == 5  # back in stock


def test_the_pick_list_counts_what_to_hand_out_by_item_and_size(
    client, society, hoodie, committee_trained, student, member
):
    scarf = make_item(society, actor=committee_trained, name="Scarf", variants=[("Green", 900, 10)])
    buy_merch(student, size(hoodie, "M"), 2)
    buy_merch(member, size(hoodie, "M"))
    buy_merch(member, size(hoodie, "S"))
    buy_merch(student, size(scarf, "Green"), 4)
    collected = buy_merch(make_person("Col Lected", "col.lected"), size(hoodie, "L"))
    services.mark_collected(collected, actor=committee_trained)
    place(make_person("Una Paid", "una.paid"), (size(hoodie, "L").variant, 1))  # not paid: nothing to pick

    assert queries.pick_list(society) == [
        PickRow("Hoodie", "M", 3),
        PickRow("Hoodie", "S", 1),
        PickRow("Scarf", "Green", 4),
    ]
    client.force_login(committee_trained)
    page = client.get(reverse("shop:pick-list", kwargs={"slug": society.slug})).content.decode()
    assert "<td>Hoodie</td><td>M</td><td>3</td>" in page
    assert not DataAccess.objects.exists()  # counts by size name nobody: not an access to personal data


def test_the_collections_list_is_personal_data_and_every_view_is_recorded(
    client, society, hoodie, committee_trained, student, member
):
    ready = buy_merch(student, size(hoodie, "M"))
    services.mark_ready(ready, actor=committee_trained)
    buy_merch(member, size(hoodie, "S"))
    client.force_login(committee_trained)

    everything = client.get(collections_url(society))
    only_ready = client.get(collections_url(society, status="ready"))
    nonsense = client.get(collections_url(society, status="lost"))

    assert [c.order_line.order.buyer for c in everything.context["collections"]] == [member, student]
    assert [c.order_line.order.buyer for c in only_ready.context["collections"]] == [student]
    assert len(nonsense.context["collections"]) == 2  # an unknown status shows everything
    assert "Sam Student" in everything.content.decode()
    views = AuditEvent.objects.filter(action="memberships.member_list.buyers_viewed", actor=committee_trained)
    assert sorted(v.data["rows"] for v in views) == [1, 2, 2]
    assert all(v.scope == society.audit_scope for v in views)
    accesses = list(DataAccess.objects.filter(actor=committee_trained).order_by("id"))
    assert [a.what for a in accesses] == [
        "Buyers of Hoodie (Hiking Society)",
        "Buyers of Hoodie (Hiking Society, ready to collect)",
        "Buyers of Hoodie (Hiking Society)",
    ]
    assert all((a.action, a.scope) == ("memberships.member_list.buyers_viewed", society.audit_scope) for a in accesses)
    assert [{s.user for s in a.subjects.all()} for a in accesses] == [{member, student}, {student}, {member, student}]


def test_the_access_log_names_every_item_on_the_collections_list(
    client, society, hoodie, committee_trained, student, member
):
    scarf = make_item(society, actor=committee_trained, name="Scarf", variants=[("Green", 900, 10)])
    buy_merch(student, size(scarf, "Green"))
    buy_merch(member, size(hoodie, "S"))
    buy_merch(member, size(scarf, "Green"))
    client.force_login(committee_trained)

    client.get(collections_url(society))

    access = DataAccess.objects.get()
    assert access.what == "Buyers of Hoodie, Scarf (Hiking Society)"
    assert access.subject_count == 2  # three orders, two people
    assert {s.user for s in access.subjects.all()} == {student, member}


def test_the_collections_list_needs_the_member_data_power_as_well_as_the_shop(client, society, hoodie):
    """The Treasurer has both powers; without member data, the shop power alone is not enough."""
    term = CommitteeTerm.objects.select_related("position").get(society=society, position__name="Treasurer")
    train(term.user)
    client.force_login(term.user)
    assert client.get(collections_url(society)).status_code == 200

    term.position.powers = [p for p in term.position.powers if p != Power.MEMBER_DATA]
    term.position.save(update_fields=["powers"])

    assert client.get(collections_url(society)).status_code == 403
    collection = buy_merch(make_person("Bea Buyer", "bea.buyer"), size(hoodie, "M"))
    assert client.post(reverse("shop:mark-ready", kwargs={"pk": collection.pk})).status_code == 403
    assert client.post(reverse("shop:mark-collected", kwargs={"pk": collection.pk})).status_code == 403
    collection.refresh_from_db()
    assert collection.status == Collection.Status.ORDERED
    assert client.get(reverse("shop:pick-list", kwargs={"slug": society.slug})).status_code == 200
    views = AuditEvent.objects.filter(action="memberships.member_list.buyers_viewed", scope=society.audit_scope)
    assert views.count() == 1  # the allowed one
    assert DataAccess.objects.filter(scope=society.audit_scope).count() == 1
