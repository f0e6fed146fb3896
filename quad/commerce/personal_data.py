"""What commerce holds about a person: their basket, orders, payments, refunds and refund requests, and
the refunds and decisions they made for a society. Registered with `quad.core.personal_data`.

Erasure keeps every order, line, payment and refund with its amounts (financial records, and every
society's ledger stays true); they point at the anonymous stub. What goes is what is personal in them:
the basket, and the words of the person's refund requests wherever they were copied.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from quad.accounts.personal_data import ERASED, redact, redact_rows
from quad.commerce.models import Basket, BasketItem, Order, Refund, RefundRequest
from quad.core.models import AuditEvent
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.core.templatetags.quad import money

# approve_refund_request copies the request's words into the refund's reason after this prefix.
REQUEST_PREFIX = "Refund request: "


def _without_request_words(reason: str, user: Any) -> str:
    if reason.startswith(REQUEST_PREFIX):
        return REQUEST_PREFIX + ERASED
    return redact(reason, user)


def _export(user: Any) -> list[ExportSection]:
    orders = (
        Order.objects.filter(buyer=user)
        .prefetch_related("lines__seller", "payments", "refunds__line")
        .order_by("created_at", "id")
    )
    requests = (
        RefundRequest.objects.filter(requested_by=user)
        .select_related("line__order", "line__seller")
        .order_by("created_at", "id")
    )
    made = Refund.objects.filter(created_by=user).select_related("order", "line__seller").order_by("created_at", "id")
    decided = (
        RefundRequest.objects.filter(decided_by=user)
        .exclude(requested_by=user)
        .select_related("line__order", "line__seller")
        .order_by("decided_at", "id")
    )
    basket = BasketItem.objects.filter(basket__owner=user).select_related("variant__product__seller")
    order_list = list(orders)
    return [
        ExportSection(
            "Your orders",
            [
                {
                    "order": o.reference,
                    "status": o.get_status_display(),
                    "placed": iso(o.created_at),
                    "paid": iso(o.paid_at),
                    "total": money(o.total_pence),
                    "items": "; ".join(
                        f"{line.quantity} × {line.description} ({line.seller.name}) at {money(line.unit_price_pence)}"
                        for line in o.lines.all()
                    ),
                    "paid through": o.provider,
                }
                for o in order_list
            ],
        ),
        ExportSection(
            "Your payments",
            [
                {
                    "order": o.reference,
                    "amount": money(p.amount_pence),
                    "through": p.provider,
                    "when": iso(p.created_at),
                }
                for o in order_list
                for p in o.payments.all()
            ],
        ),
        ExportSection(
            "Refunds to you",
            [
                {
                    "order": o.reference,
                    "for": r.line.description,
                    "amount": money(r.amount_pence),
                    "reason": r.reason,
                    "when": iso(r.created_at),
                }
                for o in order_list
                for r in o.refunds.all()
            ],
        ),
        ExportSection(
            "Your refund requests",
            [
                {
                    "order": r.line.order.reference,
                    "for": r.line.description,
                    "society": r.line.seller.name,
                    "your reason": r.reason,
                    "asked": iso(r.created_at),
                    "decision": r.get_status_display(),
                    "decided": iso(r.decided_at),
                    "note from the society": r.decision_note,
                }
                for r in requests
            ],
        ),
        ExportSection(
            "Your basket",
            [
                {"item": str(i.variant), "society": i.variant.product.seller.name, "quantity": i.quantity}
                for i in basket
            ],
        ),
        ExportSection(
            "Refunds you made for a society",
            [
                {
                    "society": r.line.seller.name,
                    "order": r.order.reference,
                    "amount": money(r.amount_pence),
                    "when": iso(r.created_at),
                }
                for r in made
            ],
            note="The buyers are not named; their orders are given by reference.",
        ),
        ExportSection(
            "Refund requests you decided for a society",
            [
                {
                    "society": r.line.seller.name,
                    "order": r.line.order.reference,
                    "decision": r.get_status_display(),
                    "decided": iso(r.decided_at),
                    "your note": r.decision_note,
                }
                for r in decided
            ],
        ),
    ]


def _refuse(user: Any) -> list[str]:
    waiting = RefundRequest.objects.filter(requested_by=user, status=RefundRequest.Status.REQUESTED).select_related(
        "line__seller"
    )
    return [
        f"A refund request to {r.line.seller.name} for {r.line.description} has not been decided yet." for r in waiting
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    erasure.count("basket items", BasketItem.objects.filter(basket__owner=user).delete()[0])
    Basket.objects.filter(owner=user).delete()
    # An unpaid order is nobody's money yet; cancelled, its places are free at once. Direct, not through
    # cancel_order: its fulfilment hooks would email people on waiting lists from inside an erasure.
    erasure.count(
        "unpaid orders cancelled",
        Order.objects.filter(buyer=user, status=Order.Status.PENDING).update(status=Order.Status.CANCELLED),
    )
    requests = RefundRequest.objects.filter(requested_by=user).exclude(reason=ERASED)
    erasure.count("refund request reasons", requests.update(reason=ERASED))
    erasure.count(
        "notes on refund requests naming the person",
        redact_rows(RefundRequest.objects.filter(requested_by=user), ["decision_note"], user),
    )
    order_ids = list(Order.objects.filter(buyer=user).values_list("pk", flat=True))
    scrubbed = 0
    for refund in Refund.objects.filter(Q(order_id__in=order_ids) | Q(request__requested_by=user)).distinct():
        cleaned = _without_request_words(refund.reason, user)
        if cleaned != refund.reason:
            refund.reason = cleaned
            refund.save(update_fields=["reason"])
            scrubbed += 1
    erasure.count("refund reasons quoting the person", scrubbed)
    # commerce.refund.made records the reason too.
    audited = 0
    for event in AuditEvent.objects.filter(
        action="commerce.refund.made", target_type="commerce.order", target_id__in=[str(pk) for pk in order_ids]
    ):
        reason = event.data.get("reason")
        if isinstance(reason, str) and (cleaned := _without_request_words(reason, user)) != reason:
            event.data = {**event.data, "reason": cleaned}
            event.save(update_fields=["data"])
            audited += 1
    erasure.count("audit records of refund reasons", audited)
    if order_ids:
        erasure.keep("Orders, payments and refunds with their amounts (financial records), under the anonymous stub.")


register(
    PersonalData(
        app="commerce",
        title="Orders and payments",
        models=("commerce.Basket", "commerce.Order", "commerce.Refund", "commerce.RefundRequest"),
        holdings=(
            Holding(
                what="What is in your basket",
                why="So you can buy several things at once",
                basis="Contract",
                kept="Until you check out or remove it; deleted if your account is erased",
            ),
            Holding(
                what="Your orders, what was in them, your payments and refunds (amounts, dates and the "
                "payment provider's references; never your card details, which only the provider sees)",
                why="To sell you memberships, tickets and merch, give refunds and keep the union's accounts",
                basis="Contract; legal obligation (financial records)",
                kept="As long as the union must keep financial records (six years); once your account is "
                "erased they are kept without your name",
            ),
            Holding(
                what="Refund requests you make, with your reason and the society's reply",
                why="So the society's committee or union staff can decide a refund",
                basis="Contract",
                kept="With the order; your reason is deleted if your account is erased",
            ),
            Holding(
                what="Refunds you make and refund requests you decide as a committee member",
                why="So the union can account for money returned",
                basis="Legal obligation (financial records); legitimate interests",
                kept="With the order (six years)",
            ),
        ),
        export=_export,
        erase=_erase,
        refuse=_refuse,
    )
)
