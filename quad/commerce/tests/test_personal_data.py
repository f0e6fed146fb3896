"""Commerce's part of a subject access export and of an erasure: baskets, orders, payments, refunds and
refund requests. Erasure keeps every financial record and amount (the ledgers do not move) and takes out
what is personal in them. Run through the privacy services, as the views do.

``member`` (Mia Member) bought ``membership_type`` (£5) of ``society`` through the checkout.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import join
from quad.commerce import queries, services
from quad.commerce.models import Basket, Order, OrderLine, Payment, Refund, RefundRequest
from quad.commerce.tests.factories import make_variant, place
from quad.core.models import AuditEvent
from quad.memberships.models import Membership
from quad.privacy import services as privacy
from quad.privacy.errors import PrivacyError

pytestmark = pytest.mark.django_db

REASON = "My mother is ill and I am moving home to Leeds."


def commerce_part(user: Any) -> dict[str, list[dict[str, Any]]]:
    document = privacy.export_document(user)
    return {
        section["title"]: section["rows"]
        for part in document["parts"]
        if part["app"] == "commerce"
        for section in part["sections"]
    }


def membership_line(user: Any) -> OrderLine:
    return OrderLine.objects.select_related("order").get(order__buyer=user, kind="membership")


def test_the_export_holds_their_orders_payments_and_refund_requests(
    member: Any, student: Any, membership_type: Any, society: Any
) -> None:
    join(student, membership_type)
    line = membership_line(member)
    services.request_refund(line, actor=member, reason=REASON)
    services.add_to_basket(member, make_variant(society, name="Hoodie", price_pence=2000))

    part = commerce_part(member)

    [order] = part["Your orders"]
    assert (order["order"], order["status"], order["total"]) == (line.order.reference, "Paid", "£5.00")
    assert order["items"] == f"1 × {line.description} (Hiking Society) at £5.00"
    assert [(p["order"], p["amount"]) for p in part["Your payments"]] == [(line.order.reference, "£5.00")]
    [request] = part["Your refund requests"]
    assert (request["your reason"], request["decision"]) == (REASON, "Awaiting a decision")
    assert [(b["item"], b["quantity"]) for b in part["Your basket"]] == [("Hoodie", 1)]
    text = json.dumps(part)
    assert student.email not in text and "Sam Student" not in text
    assert membership_line(student).order.reference not in text


def test_a_committee_member_sees_the_refunds_they_made_without_the_buyer(member: Any, committee_trained: Any) -> None:
    request = services.request_refund(membership_line(member), actor=member, reason=REASON)
    services.approve_refund_request(request, actor=committee_trained, note="Of course.")

    part = commerce_part(committee_trained)

    [made] = part["Refunds you made for a society"]
    assert (made["society"], made["amount"]) == ("Hiking Society", "£5.00")
    [decided] = part["Refund requests you decided for a society"]
    assert (decided["decision"], decided["your note"]) == ("Refunded", "Of course.")
    text = json.dumps(part)
    assert member.email not in text and "Mia Member" not in text and REASON not in text


def test_an_undecided_refund_request_holds_erasure_back(member: Any, su_staff: Any) -> None:
    services.request_refund(membership_line(member), actor=member, reason=REASON)

    reasons = privacy.erasure_refusals(member)

    assert "A refund request to Hiking Society for Full member" in " ".join(
        reasons
    ) and "has not been decided yet" in " ".join(reasons)
    with pytest.raises(PrivacyError, match="has not been decided yet"):
        privacy.erase_account(member, actor=su_staff, reason="Their request")
    assert RefundRequest.objects.get(requested_by=member).reason == REASON


def test_erasure_keeps_the_money_and_takes_out_their_words(
    member: Any, society: Any, committee_trained: Any, su_staff: Any, student: Any, membership_type: Any
) -> None:
    join(student, membership_type)
    request = services.request_refund(membership_line(member), actor=member, reason=REASON)
    services.approve_refund_request(request, actor=committee_trained, note="Sorry to hear it, Mia Member.")
    assert REASON in Membership.objects.get(user=member).end_reason
    hoodie = make_variant(society, name="Hoodie", price_pence=2000, capacity=5)
    services.add_to_basket(member, hoodie)
    pending = place(member, (hoodie, 1))
    ledger_before = queries.society_ledger(society)
    totals_before = queries.money_totals()
    money_before = sorted(Payment.objects.values_list("order_id", "amount_pence"))
    refunds_before = sorted(Refund.objects.values_list("order_id", "amount_pence"))
    pk = member.pk

    privacy.erase_account(member, actor=su_staff, reason="Their request")

    # The money: every ledger, total, payment and refund as it was; the orders are the stub's now.
    assert queries.society_ledger(society) == ledger_before
    assert queries.money_totals() == totals_before
    assert sorted(Payment.objects.values_list("order_id", "amount_pence")) == money_before
    assert sorted(Refund.objects.values_list("order_id", "amount_pence")) == refunds_before
    assert Order.objects.filter(buyer_id=pk).count() == 2
    # What was personal in it.
    assert not Basket.objects.filter(owner_id=pk).exists()
    pending.refresh_from_db()
    assert pending.status == Order.Status.CANCELLED
    request.refresh_from_db()
    assert request.reason == "[erased]"
    assert request.decision_note == f"Sorry to hear it, Erased member {pk}."
    assert Refund.objects.get(request=request).reason == "Refund request: [erased]"
    assert not RefundRequest.objects.filter(reason__contains="Leeds").exists()
    assert not Refund.objects.filter(reason__contains="Leeds").exists()
    assert not Membership.objects.filter(end_reason__contains="Leeds").exists()
    assert not [e for e in AuditEvent.objects.all() if "Leeds" in json.dumps(e.data)]
    # Another buyer's order is untouched.
    assert membership_line(student).order.buyer == student


def test_erasing_twice_is_refused(member: Any, su_staff: Any) -> None:
    privacy.erase_account(member, actor=member)

    with pytest.raises(PrivacyError, match="already been erased"):
        privacy.erase_account(member, actor=su_staff, reason="Again")
