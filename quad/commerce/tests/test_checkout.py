"""The checkout: basket, bad input, sale rules, capacity holds, and paying (or not) with the test provider."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from quad.commerce import services
from quad.commerce.errors import OrderError
from quad.commerce.models import BasketItem, Order, OrderLine, Payment, Refund
from quad.commerce.queries import order_balance
from quad.commerce.tests.factories import buy, lapse, make_membership_type, make_variant, pay, place
from quad.core.models import AuditEvent
from quad.memberships.models import Membership
from quad.societies.services import suspend_society


def message_of(response: Any) -> str:
    """The message the request added (earlier unread ones stay queued in the session too)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def add(client: Any, variant_id: Any, quantity: Any = "1", **extra: str) -> Any:
    return client.post(reverse("commerce:add-to-basket"), {"variant": variant_id, "quantity": quantity, **extra})


def pay_page(order: Order) -> str:
    return reverse("commerce:test-payment", kwargs={"reference": order.reference})


# --- Basket ------------------------------------------------------------------------------------


def test_student_adds_to_basket_changes_quantity_and_removes(client, student, society):
    hoodie = make_variant(society)
    client.force_login(student)

    response = add(client, hoodie.pk, "2")
    assert response.status_code == 302
    assert response.url == reverse("commerce:basket")
    assert message_of(response) == "Hoodie is in your basket."
    assert BasketItem.objects.get(basket__owner=student, variant=hoodie).quantity == 2

    add(client, hoodie.pk, "3")  # replaces, does not add up
    assert list(BasketItem.objects.filter(basket__owner=student).values_list("quantity", flat=True)) == [3]
    page = client.get(reverse("commerce:basket"))
    assert page.status_code == 200
    assert "Hoodie" in page.content.decode()

    response = client.post(reverse("commerce:remove-from-basket", kwargs={"variant_id": hoodie.pk}))
    assert response.status_code == 302
    assert not BasketItem.objects.filter(basket__owner=student).exists()


def test_one_basket_spans_societies_and_kinds(client, student, society, other_society, other_committee):
    hoodie = make_variant(society)
    chess = make_membership_type(other_society, actor=other_committee, price_pence=300)
    client.force_login(student)
    add(client, hoodie.pk, "2")
    add(client, chess.variant.pk, "1")

    response = client.post(reverse("commerce:checkout"))

    order = Order.objects.get(buyer=student)
    assert response.url == pay_page(order)
    assert order.total_pence == 2 * 2000 + 300
    assert {(line.seller.name, line.kind, line.quantity) for line in order.lines.all()} == {
        ("Hiking Society", "test-goods", 2),
        ("Chess Club", "membership", 1),
    }
    assert not BasketItem.objects.filter(basket__owner=student).exists()


def test_removing_someone_elses_item_leaves_their_basket_alone(client, student, member, society):
    hoodie = make_variant(society)
    services.add_to_basket(member, hoodie, quantity=1)
    client.force_login(student)
    client.post(reverse("commerce:remove-from-basket", kwargs={"variant_id": hoodie.pk}))
    assert BasketItem.objects.filter(basket__owner=member).count() == 1


def test_checkout_with_an_empty_basket_says_so(client, student):
    client.force_login(student)
    response = client.post(reverse("commerce:checkout"))
    assert response.url == reverse("commerce:basket")
    assert message_of(response) == "Your basket is empty."
    assert not Order.objects.exists()


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "Choose at least one."),
        ("-32769", "Choose at least one."),
        ("0", "Choose at least one."),
        ("51", "You can buy at most 50 at a time."),
        ("32768", "You can buy at most 50 at a time."),
        ("9" * 40, "You can buy at most 50 at a time."),
        ("two", "Enter a whole number."),
        ("1.5", "Enter a whole number."),
        ("1e3", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_bad_quantities_are_refused_with_a_message(client, student, society, quantity, message):
    hoodie = make_variant(society)
    client.force_login(student)

    response = add(client, hoodie.pk, quantity)

    assert response.status_code == 302
    assert message_of(response) == message
    assert not BasketItem.objects.exists()


def test_quantity_above_the_products_own_limit_is_refused(client, student, society):
    hoodie = make_variant(society, max_per_order=4)
    client.force_login(student)

    response = add(client, hoodie.pk, "5")

    assert message_of(response) == "You can buy at most 4 of Hoodie at a time."
    assert not BasketItem.objects.exists()
    add(client, hoodie.pk, "4")
    assert BasketItem.objects.get().quantity == 4


def test_per_order_limit_holds_when_items_are_passed_directly(student, society):
    hoodie = make_variant(society, max_per_order=2)
    with pytest.raises(OrderError, match="at most 2 of Hoodie"):
        place(student, (hoodie, 3))
    with pytest.raises(OrderError, match="at least one"):
        place(student, (hoodie, 0))
    assert not Order.objects.exists()


def test_the_same_variant_twice_in_one_order_counts_as_one_quantity(student, member, society):
    """Splitting a quantity over two lines must not dodge the per-order limit or the capacity check."""
    hoodie = make_variant(society, max_per_order=2, capacity=3)
    with pytest.raises(OrderError, match="at most 2 of Hoodie"):
        place(student, (hoodie, 2), (hoodie, 2))
    place(student, (hoodie, 1), (hoodie, 1))
    with pytest.raises(OrderError, match="Only 1 left"):
        place(member, (hoodie, 1), (hoodie, 1))
    assert OrderLine.objects.filter(variant=hoodie).aggregate(n=Sum("quantity"))["n"] == 2


def test_unknown_variant_is_not_found(client, student):
    client.force_login(student)
    assert add(client, 999_999).status_code == 404


def test_tampered_prices_are_ignored(client, student, society):
    hoodie = make_variant(society, price_pence=2000)
    client.force_login(student)

    add(client, hoodie.pk, "2", price="1", price_pence="1", unit_price_pence="1", total="1")
    response = client.post(reverse("commerce:checkout"), {"total_pence": "1", "price": "1"})

    order = Order.objects.get(buyer=student)
    assert response.url == pay_page(order)
    assert order.total_pence == 4000
    assert order.lines.get().unit_price_pence == 2000
    with pytest.raises(OrderError, match="does not match"):
        pay(order, amount_pence=2)
    assert not Payment.objects.filter(order__buyer=student).exists()


def test_the_price_is_the_servers_at_checkout_not_when_added(student, society):
    hoodie = make_variant(society, price_pence=2000)
    services.add_to_basket(student, hoodie, quantity=1)
    hoodie.price_pence = 2500
    hoodie.save(update_fields=["price_pence"])

    order, _ = services.place_order(student)

    assert order.total_pence == 2500


def test_visitors_cannot_fill_a_basket(client, visitor, society):
    hoodie = make_variant(society)
    client.force_login(visitor)
    assert add(client, hoodie.pk).status_code == 403
    assert not BasketItem.objects.exists()


# --- Sale rules --------------------------------------------------------------------------------


def test_not_on_sale_yet(client, student, society):
    opens = timezone.now() + datetime.timedelta(days=2)
    hoodie = make_variant(society, sale_starts_at=opens)
    client.force_login(student)

    response = add(client, hoodie.pk)

    assert message_of(response) == f"Hoodie goes on sale on {timezone.localtime(opens):%-d %B at %H:%M}."
    assert not BasketItem.objects.exists()


def test_sales_closed(client, student, society):
    hoodie = make_variant(society, sale_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(student)
    assert message_of(add(client, hoodie.pk)) == "Sales of Hoodie have closed."
    assert not BasketItem.objects.exists()


def test_sales_closing_while_in_the_basket_stops_the_checkout(client, student, society):
    hoodie = make_variant(society, sale_ends_at=timezone.now() + datetime.timedelta(hours=1))
    client.force_login(student)
    add(client, hoodie.pk)
    hoodie.product.sale_ends_at = timezone.now() - datetime.timedelta(seconds=1)
    hoodie.product.save(update_fields=["sale_ends_at"])

    response = client.post(reverse("commerce:checkout"))

    assert message_of(response) == "Sales of Hoodie have closed."
    assert not Order.objects.exists()
    assert BasketItem.objects.count() == 1  # kept, so the student sees what failed


def test_inactive_product_is_not_on_sale(student, society):
    hoodie = make_variant(society)
    hoodie.product.is_active = False
    hoodie.product.save(update_fields=["is_active"])
    with pytest.raises(OrderError, match="Hoodie is not on sale"):
        services.add_to_basket(student, hoodie)


def test_a_suspended_society_sells_nothing(client, student, society, su_staff):
    hoodie = make_variant(society)
    services.add_to_basket(student, hoodie)
    suspend_society(society, actor=su_staff, reason="Unpaid affiliation fee.")
    client.force_login(student)

    assert message_of(add(client, hoodie.pk)) == "Hiking Society is not selling anything at the moment."
    response = client.post(reverse("commerce:checkout"))
    assert message_of(response) == "Hiking Society is not selling anything at the moment."
    assert not Order.objects.exists()


# --- Capacity ----------------------------------------------------------------------------------


def test_a_pending_order_holds_its_places(student, member, committee_untrained, society):
    hoodie = make_variant(society, capacity=3)
    first = place(student, (hoodie, 2))
    assert first.status == Order.Status.PENDING
    assert services.places_left(hoodie) == 1

    with pytest.raises(OrderError, match=r"Only 1 left for Hoodie places; you asked for 2\."):
        place(member, (hoodie, 2))
    place(member, (hoodie, 1))
    with pytest.raises(OrderError, match=r"Sold out: Hoodie places\."):
        place(committee_untrained, (hoodie, 1))
    assert services.places_left(hoodie) == 0


def test_a_quota_is_shared_by_the_products_in_it(student, member, committee_untrained, society, other_society):
    hoodie = make_variant(society, capacity=2)
    quota = hoodie.quotas.get()
    mug = make_variant(other_society, name="Mug")
    quota.variants.add(mug)

    buy(student, (hoodie, 1))
    place(member, (mug, 1))

    with pytest.raises(OrderError, match="Sold out"):
        place(committee_untrained, (hoodie, 1))
    with pytest.raises(OrderError, match="Sold out"):
        place(committee_untrained, (mug, 1))


def test_expire_orders_releases_the_places(student, member, society):
    hoodie = make_variant(society, capacity=1)
    order = place(student, (hoodie, 1))

    assert services.expire_orders() == 0  # still within its hold
    assert services.expire_orders(now=timezone.now() + datetime.timedelta(minutes=16)) == 1

    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert AuditEvent.objects.filter(action="commerce.order.expired", target_id=str(order.pk)).count() == 1
    assert services.expire_orders(now=timezone.now() + datetime.timedelta(minutes=16)) == 0  # idempotent
    assert place(member, (hoodie, 1)).status == Order.Status.PENDING


def test_expire_orders_leaves_paid_orders_alone(student, society):
    hoodie = make_variant(society, capacity=1)
    order = buy(student, (hoodie, 1))
    assert services.expire_orders(now=timezone.now() + datetime.timedelta(days=1)) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_lapsed_hold_frees_its_places_before_any_sweep(student, member, society):
    hoodie = make_variant(society, capacity=1)
    order = place(student, (hoodie, 1))
    with pytest.raises(OrderError, match="Sold out"):
        place(member, (hoodie, 1))

    lapse(order)

    assert order.status == Order.Status.PENDING  # nothing has swept it
    assert services.places_left(hoodie) == 1
    assert place(member, (hoodie, 1)).status == Order.Status.PENDING


def test_the_hold_lasts_the_configured_time(student, society, settings):
    settings.ORDER_HOLD_MINUTES = 7
    order = place(student, (make_variant(society), 1))
    assert order.provider == "test"
    assert abs(order.expires_at - order.created_at - datetime.timedelta(minutes=7)) < datetime.timedelta(seconds=5)


# --- Free orders -------------------------------------------------------------------------------


def test_a_zero_total_order_is_paid_at_once_by_the_free_provider(client, student, society, committee_trained):
    free = make_membership_type(society, actor=committee_trained, name="Friend", price_pence=0)
    client.force_login(student)
    add(client, free.variant.pk)

    response = client.post(reverse("commerce:checkout"))

    order = Order.objects.get(buyer=student)
    assert response.url == reverse("commerce:order", kwargs={"reference": order.reference})
    assert (order.status, order.provider, order.total_pence) == (Order.Status.PAID, "free", 0)
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.amount_pence) == ("free", 0)
    assert Membership.objects.get(user=student).status == Membership.Status.ACTIVE


# --- The test payment page ---------------------------------------------------------------------


def test_the_test_payment_page_is_labelled_test_mode(client, student, society):
    order = place(student, (make_variant(society), 1))
    client.force_login(student)
    page = client.get(pay_page(order))
    assert page.status_code == 200
    assert "TEST MODE" in page.content.decode()


def test_only_the_buyer_sees_the_test_payment_page(client, student, member, society):
    order = place(student, (make_variant(society), 1))
    client.force_login(member)
    assert client.post(pay_page(order), {"action": "pay"}).status_code == 404
    assert not Payment.objects.filter(order=order).exists()


@pytest.mark.parametrize(("action", "message"), [("decline", "The card was declined"), ("abandon", "abandoned")])
def test_declining_or_abandoning_cancels_the_order_and_releases_places(
    client, student, member, society, action, message
):
    hoodie = make_variant(society, capacity=1)
    order = place(student, (hoodie, 1))
    client.force_login(student)

    response = client.post(pay_page(order), {"action": action})

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert message in message_of(response)
    assert not Payment.objects.filter(order=order).exists()
    assert AuditEvent.objects.filter(action="commerce.order.cancelled", target_id=str(order.pk)).exists()
    assert place(member, (hoodie, 1)).status == Order.Status.PENDING


def test_an_unknown_action_is_a_bad_request(client, student, society):
    order = place(student, (make_variant(society), 1))
    client.force_login(student)
    assert client.post(pay_page(order), {"action": "refund-me"}).status_code == 400


def test_an_order_cannot_be_paid_twice(client, student, society, mailoutbox, django_capture_on_commit_callbacks):
    order = place(student, (make_variant(society), 1))
    client.force_login(student)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(pay_page(order), {"action": "pay"})
        second = client.post(pay_page(order), {"action": "pay"})

    assert message_of(first) == "Payment received. A receipt is on its way by email."
    assert message_of(second) == "This order is already paid."
    assert Payment.objects.filter(order=order).count() == 1
    assert order_balance(order) == 2000
    assert [message.to for message in mailoutbox] == [[student.email]]
    assert order.reference in mailoutbox[0].body


def test_a_paid_order_cannot_be_cancelled_by_the_decline_button(client, student, society):
    order = buy(student, (make_variant(society), 1))
    client.force_login(student)
    client.post(pay_page(order), {"action": "decline"})
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_paying_an_expired_order_with_room_left_pays_it(client, student, society):
    hoodie = make_variant(society, capacity=1)
    order = lapse(place(student, (hoodie, 1)))
    assert services.expire_orders() == 1
    client.force_login(student)

    response = client.post(pay_page(order), {"action": "pay"})

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert message_of(response) == "Payment received. A receipt is on its way by email."
    assert not Refund.objects.filter(order=order).exists()
    assert services.places_left(hoodie) == 0  # a paid order holds its place again


def test_paying_an_expired_order_whose_places_went_refunds_it(client, student, member, society):
    hoodie = make_variant(society, capacity=1)
    late = lapse(place(student, (hoodie, 1)))
    services.expire_orders()
    buy(member, (hoodie, 1))  # the last place goes to someone else
    client.force_login(student)

    response = client.post(pay_page(late), {"action": "pay"})

    late.refresh_from_db()
    assert late.status == Order.Status.CANCELLED
    assert message_of(response) == (
        "We could not complete this order (the place has gone, or you already have it): "
        "the payment has been refunded in full."
    )
    payment = Payment.objects.get(order=late)
    refund = Refund.objects.get(order=late)
    assert payment.amount_pence == refund.amount_pence == 2000
    assert refund.provider_refund_id.startswith("test_refund_")
    assert order_balance(late) == 0
    paid_lines = OrderLine.objects.filter(variant=hoodie, order__status=Order.Status.PAID)
    assert [line.order.buyer for line in paid_lines] == [member]  # not oversold


def test_a_lapsed_but_unswept_order_is_rechecked_too(student, member, society):
    hoodie = make_variant(society, capacity=1)
    late = lapse(place(student, (hoodie, 1)))
    buy(member, (hoodie, 1))

    pay(late)

    late.refresh_from_db()
    assert late.status == Order.Status.CANCELLED
    assert order_balance(late) == 0


# --- Confirming payments -----------------------------------------------------------------------


def test_confirm_payment_is_idempotent_by_payment_id(student, society, mailoutbox, django_capture_on_commit_callbacks):
    order = place(student, (make_variant(society), 2))
    with django_capture_on_commit_callbacks(execute=True):
        payments = {pay(order, payment_id="pay-1").pk for _ in range(10)}
    assert len(payments) == 1
    assert Payment.objects.filter(order=order).count() == 1
    assert AuditEvent.objects.filter(action="commerce.payment.received", target_id=str(order.pk)).count() == 1
    assert len(mailoutbox) == 1


def test_a_payment_of_the_wrong_amount_is_refused(student, society):
    order = place(student, (make_variant(society, price_pence=1500), 1))

    for wrong in (0, 1499, 1501, 3000):
        with pytest.raises(OrderError, match=r"Payment of \d+p does not match order"):
            pay(order, amount_pence=wrong)

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not Payment.objects.filter(order=order).exists()
    pay(order, amount_pence=1500)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_second_provider_payment_for_a_paid_order_is_returned(student, society):
    order = buy(student, (make_variant(society), 1))

    duplicate = pay(order, payment_id="test-another-charge")

    assert Payment.objects.filter(order=order).count() == 2
    refund = Refund.objects.get(order=order)
    assert refund.amount_pence == duplicate.amount_pence == 2000
    assert order_balance(order) == 2000
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_paying_for_a_membership_already_held_returns_the_money(student, membership_type):
    """Two checkouts in two tabs: the second payment finds the student a member already."""
    first = place(student, (membership_type.variant, 1))
    second = place(student, (membership_type.variant, 1))
    pay(first)

    pay(second)

    second.refresh_from_db()
    assert second.status == Order.Status.CANCELLED
    assert Payment.objects.filter(order=second).count() == 1
    assert order_balance(second) == 0
    assert Membership.objects.filter(user=student).count() == 1
    assert Membership.objects.filter(user=student, order_line__order=first).exists()


def test_the_order_page_shows_the_order_to_its_buyer_only(client, student, member, society):
    order = buy(student, (make_variant(society), 1))
    url = reverse("commerce:order", kwargs={"reference": order.reference})
    client.force_login(member)
    assert client.get(url).status_code == 404
    client.force_login(student)
    page = client.get(url)
    assert page.status_code == 200
    assert order.reference in page.content.decode()
