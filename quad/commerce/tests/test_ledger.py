"""The money invariant: every society's ledger equals its share of the payments minus its refunds,
and the ledgers together equal all payments minus all refunds (DESIGN.md: money is derived, never
stored twice)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import join, make_person
from quad.commerce import queries, services
from quad.commerce.errors import OrderError
from quad.commerce.models import Order, OrderLine, Payment, Quota, Refund, Variant
from quad.commerce.tests.factories import buy, lapse, make_membership_type, make_variant, pay, place
from quad.societies.models import Society


def ledger_net(society: Society) -> int:
    return sum(row.net_pence for row in queries.society_ledger(society))


def counted_independently(society: Society) -> int:
    """The society's lines' share of each payment (a payment pays its whole order), less its refunds."""
    taken = sum(
        line.total_pence
        for payment in Payment.objects.select_related("order")
        for line in payment.order.lines.all()
        if line.seller_id == society.pk
    )
    returned = Refund.objects.filter(line__seller=society).aggregate(n=Sum("amount_pence"))["n"] or 0
    return taken - returned


def assert_ledgers_balance() -> None:
    societies = list(Society.objects.all())
    for society in societies:
        assert ledger_net(society) == counted_independently(society), society.name
    paid, refunded = queries.money_totals()
    assert sum(ledger_net(society) for society in societies) == paid - refunded
    for order in Order.objects.all():
        assert queries.order_balance(order) >= 0, order.reference
    for line in OrderLine.objects.all():
        assert services.refundable_pence(line) >= 0, line


def assert_nothing_oversold() -> None:
    now = timezone.now()
    for quota in Quota.objects.all():
        taken = (
            OrderLine.objects.filter(services.holding_places(now), variant__quotas=quota).aggregate(n=Sum("quantity"))[
                "n"
            ]
            or 0
        )
        assert taken <= quota.size, quota.name


def test_the_ledgers_balance_over_a_mixed_history(member, society, other_society, other_committee, committee_trained):
    """`member` already bought Hiking's £5 membership."""
    hoodie = make_variant(society, price_pence=2000, capacity=3)
    mug = make_variant(other_society, name="Mug", price_pence=800)
    chess = make_membership_type(other_society, actor=other_committee, price_pence=300)
    friend = make_membership_type(society, actor=committee_trained, name="Friend", price_pence=0)
    sam, ana, ben, late_comer, cleo = (make_person(n, n.lower()) for n in ("Sam", "Ana", "Ben", "Lou", "Cleo"))

    # One order across both societies: partly refunded, then charged twice (the second charge returned).
    order = buy(sam, (hoodie, 1), (mug, 2))
    services.refund_line(order.lines.get(variant=mug), amount_pence=300, actor=other_committee, reason="Chipped")
    pay(order, payment_id="test-second-charge")
    # A membership refunded in full on request; a free membership; an unpaid and a cancelled order.
    join(cleo, chess)
    request = services.request_refund(
        OrderLine.objects.get(order__buyer=cleo), actor=cleo, reason="Joined the wrong club."
    )
    services.approve_refund_request(request, actor=other_committee)
    join(ana, friend)
    place(ana, (mug, 1))
    services.cancel_order(place(ben, (mug, 3)), actor=ben)
    # A payment after the hold lapsed, when the places had gone: returned automatically.
    late = lapse(place(late_comer, (hoodie, 1)))
    buy(ana, (hoodie, 1))
    buy(ben, (hoodie, 1))
    pay(late)

    assert Order.objects.get(pk=late.pk).status == Order.Status.CANCELLED
    assert ledger_net(society) == 500 + 2000 + 2 * 2000
    assert ledger_net(other_society) == 2 * 800 - 300
    assert {row.product: (row.sales_pence, row.refunds_pence) for row in queries.society_ledger(other_society)} == {
        "Mug": (2 * 1600, 300 + 1600),
        "Full member": (300, 300),
    }
    paid, refunded = queries.money_totals()
    assert (paid, refunded) == (500 + 3600 + 3600 + 300 + 2000 + 4000, 300 + 3600 + 300 + 2000)
    assert_ledgers_balance()
    assert_nothing_oversold()


def test_the_ledger_page_shows_the_totals(client, member, society, committee_trained):
    client.force_login(committee_trained)
    page = client.get(reverse("commerce:society-ledger", kwargs={"slug": society.slug}))
    assert page.status_code == 200
    assert page.context["net"] == ledger_net(society) == 500
    assert "Full member" in page.content.decode()


# --- Random histories --------------------------------------------------------------------------

ORDER_SLOTS = 8

products = st.lists(
    st.tuples(
        st.integers(0, 1),  # which society sells it
        st.sampled_from([0, 1, 250, 999, 2000]),  # price in pence, free included
        st.one_of(st.none(), st.integers(1, 4)),  # capacity
    ),
    min_size=1,
    max_size=4,
)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.integers(0, 2),
            st.lists(st.tuples(st.integers(0, 3), st.integers(1, 3)), min_size=1, max_size=3),
        ),
        st.tuples(st.just("pay"), st.integers(0, ORDER_SLOTS - 1)),
        st.tuples(st.just("charge again"), st.integers(0, ORDER_SLOTS - 1)),
        st.tuples(st.just("lapse"), st.integers(0, ORDER_SLOTS - 1)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("cancel"), st.integers(0, ORDER_SLOTS - 1)),
        st.tuples(st.just("refund"), st.integers(0, ORDER_SLOTS - 1), st.integers(0, 2), st.sampled_from([1, 50, 100])),
    ),
    max_size=25,
)


def run_step(step: tuple[Any, ...], *, buyers: list[Any], variants: list[Variant], orders: list[Order]) -> None:
    kind = step[0]
    if kind == "order":
        _, buyer, items = step
        with contextlib.suppress(OrderError):  # sold out, or over the per-order limit: nothing happens
            orders.append(place(buyers[buyer], *((variants[i % len(variants)], q) for i, q in items)))
        return
    if kind == "expire":
        services.expire_orders()
        return
    if not orders:
        return
    order = orders[step[1] % len(orders)]
    order.refresh_from_db()
    if kind == "pay":
        pay(order)
    elif kind == "charge again":
        pay(order, payment_id=f"test-extra-{Payment.objects.count()}")
    elif kind == "lapse":
        lapse(order)
    elif kind == "cancel":
        services.cancel_order(order, actor=order.buyer)
    elif kind == "refund":
        lines = list(order.lines.all())
        line = lines[step[2] % len(lines)]
        amount = max(1, services.refundable_pence(line) * step[3] // 100)
        with contextlib.suppress(OrderError):  # not paid, or nothing left to refund
            services.refund_line(line, amount_pence=amount, actor=None, reason="Property test")


@pytest.fixture
def buyers(db: None) -> list[Any]:
    return [make_person(name, name.lower()) for name in ("Ada", "Bea", "Cal")]


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(catalogue=products, history=steps)
def test_the_ledgers_balance_over_any_history(society, other_society, buyers, catalogue, history):
    sellers = [society, other_society]
    with transaction.atomic():  # each example starts from the same cast and leaves nothing behind
        variants = [
            make_variant(sellers[seller], name=f"Product {n}", price_pence=price, capacity=capacity)
            for n, (seller, price, capacity) in enumerate(catalogue)
        ]
        orders: list[Order] = []
        for step in history:
            run_step(step, buyers=buyers, variants=variants, orders=orders)
        assert_ledgers_balance()
        assert_nothing_oversold()
        transaction.set_rollback(True)
