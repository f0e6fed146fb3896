from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from quad.commerce.models import BasketItem, Order, OrderLine, Payment, Refund, RefundRequest
from quad.societies.models import Society


def basket_items(user: Any) -> QuerySet[BasketItem]:
    return BasketItem.objects.filter(basket__owner=user).select_related("variant__product__seller")


def orders_of(user: Any) -> QuerySet[Order]:
    return Order.objects.filter(buyer=user).prefetch_related("lines").order_by("-created_at")


def order_balance(order: Order) -> int:
    """What the union holds for the order: payments minus refunds, derived from the money rows."""
    paid = order.payments.aggregate(n=Sum("amount_pence"))["n"] or 0
    refunded = order.refunds.aggregate(n=Sum("amount_pence"))["n"] or 0
    return paid - refunded


@dataclass
class LedgerRow:
    product: str
    sold: int
    sales_pence: int
    refunds_pence: int

    @property
    def net_pence(self) -> int:
        return self.sales_pence - self.refunds_pence


def society_ledger(society: Society) -> list[LedgerRow]:
    """Sales, refunds and net by product for one seller.

    Sales are the lines of orders that received a payment (each payment pays its order's total),
    refunds the refund rows on those lines: so summed over every society the ledger equals all
    payments minus all refunds.
    """
    rows: dict[str, LedgerRow] = {}
    lines = (
        OrderLine.objects.filter(seller=society)
        .annotate(payment_count=Count("order__payments", distinct=True))
        .filter(payment_count__gt=0)
        .select_related("variant__product")
    )
    for line in lines:
        name = line.variant.product.name
        row = rows.setdefault(name, LedgerRow(name, 0, 0, 0))
        row.sold += line.quantity * line.payment_count
        row.sales_pence += line.total_pence * line.payment_count
    for refund in Refund.objects.filter(line__seller=society).select_related("line__variant__product"):
        name = refund.line.variant.product.name
        row = rows.setdefault(name, LedgerRow(name, 0, 0, 0))
        row.refunds_pence += refund.amount_pence
    return sorted(rows.values(), key=lambda r: r.product)


def money_totals() -> tuple[int, int]:
    paid = Payment.objects.aggregate(n=Sum("amount_pence"))["n"] or 0
    refunded = Refund.objects.aggregate(n=Sum("amount_pence"))["n"] or 0
    return paid, refunded


def open_refund_requests(society: Society) -> QuerySet[RefundRequest]:
    return RefundRequest.objects.filter(line__seller=society).select_related(
        "line__order", "requested_by", "decided_by"
    )


def refund_requests_for_union() -> QuerySet[RefundRequest]:
    return RefundRequest.objects.filter(status=RefundRequest.Status.REQUESTED).select_related(
        "line__order", "line__seller", "requested_by"
    )
