"""Baskets, orders, payments and refunds: every change of money or capacity happens here.

Capacity rule (DESIGN.md): a quota is checked and taken inside one transaction that locks the
quota rows — `SELECT … FOR UPDATE` in id order on PostgreSQL; on SQLite every transaction is
IMMEDIATE (see settings), so writers queue. Pending orders hold their places until `expires_at`;
after that the places count as free again, with no job needed (expire_orders only tidies status).

Idempotency: a provider payment id is recorded once (unique constraint); a webhook event id is
recorded once; refunds carry an idempotency key to the provider.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from quad.commerce import emails
from quad.commerce.errors import OrderError
from quad.commerce.fulfilment import fulfilment_for
from quad.commerce.models import (
    Basket,
    BasketItem,
    Order,
    OrderLine,
    Payment,
    Quota,
    Refund,
    RefundRequest,
    Variant,
    WebhookEvent,
)
from quad.commerce.providers import PaymentProvider, provider_for_total, provider_named
from quad.core import audit
from quad.core.access_log import record_access

MAX_QUANTITY = 50

# Switched off only by the concurrency test's control run, to show that the race is real.
LOCK_QUOTAS = True


def _after_capacity_check() -> None:
    """A seam for the concurrency test's control run (widens the race window); does nothing."""


# --- Basket ------------------------------------------------------------------------------------


def _check_on_sale(variant: Variant) -> None:
    product = variant.product
    now = timezone.now()
    if not (product.is_active and variant.is_active):
        raise OrderError(f"{variant} is not on sale.")
    if product.sale_starts_at and now < product.sale_starts_at:
        raise OrderError(f"{variant} goes on sale on {timezone.localtime(product.sale_starts_at):%-d %B at %H:%M}.")
    if product.sale_ends_at and now >= product.sale_ends_at:
        raise OrderError(f"Sales of {variant} have closed.")
    if product.seller.status != product.seller.Status.ACTIVE:
        raise OrderError(f"{product.seller} is not selling anything at the moment.")


def _check_quantity(variant: Variant, quantity: int) -> None:
    limit = min(variant.product.max_per_order, MAX_QUANTITY)
    if quantity < 1:
        raise OrderError("Choose at least one.")
    if quantity > limit:
        raise OrderError(f"You can buy at most {limit} of {variant} at a time.")


def add_to_basket(user: Any, variant: Variant, *, quantity: int = 1) -> BasketItem:
    """Put `quantity` of `variant` in the user's basket (replacing any quantity already there)."""
    variant = Variant.objects.select_related("product__seller").get(pk=variant.pk)
    _check_quantity(variant, quantity)
    _check_on_sale(variant)
    fulfilment_for(variant.product.kind).check_can_buy(user, variant, quantity)
    with transaction.atomic():
        basket, created = Basket.objects.get_or_create(owner=user)
        # One INSERT … ON CONFLICT UPDATE rather than update_or_create's lock, savepoint and insert:
        # adding to the basket is the first step of every checkout rush (bench/checkout.py).
        [item] = BasketItem.objects.bulk_create(
            [BasketItem(basket=basket, variant=variant, quantity=quantity)],
            update_conflicts=True,
            unique_fields=["basket", "variant"],
            update_fields=["quantity"],
        )
        if not created:
            basket.save(update_fields=["updated_at"])
    return item


def remove_from_basket(user: Any, variant_id: int) -> None:
    BasketItem.objects.filter(basket__owner=user, variant_id=variant_id).delete()


# --- Capacity ----------------------------------------------------------------------------------


def holding_places(now: Any) -> Q:
    """Lines whose places are taken: paid (and not fully refunded), or pending and still within their hold."""
    return Q(released=False) & (
        Q(order__status=Order.Status.PAID) | Q(order__status=Order.Status.PENDING, order__expires_at__gt=now)
    )


def _take_capacity(wanted: dict[int, int], *, exclude_order: Order | None = None) -> None:
    """Check that every quota covering the wanted variants (id -> quantity) has room.

    Must run inside the transaction that creates (or confirms) the order. Locks the quota rows
    in id order so that two checkouts for the same places queue rather than both succeed.
    """
    # PostgreSQL refuses FOR UPDATE with DISTINCT: a subquery finds the quotas without repeating them.
    covering = Quota.variants.through.objects.filter(variant_id__in=wanted).values("quota_id")
    quotas = Quota.objects.filter(pk__in=covering).order_by("id")
    if LOCK_QUOTAS:
        quotas = quotas.select_for_update()
    quota_list = list(quotas)
    if not quota_list:
        return
    members = defaultdict(set)
    for quota_id, variant_id in Quota.variants.through.objects.filter(quota__in=quota_list).values_list(
        "quota_id", "variant_id"
    ):
        members[quota_id].add(variant_id)
    now = timezone.now()
    for quota in quota_list:
        lines = OrderLine.objects.filter(holding_places(now), variant_id__in=members[quota.pk])
        if exclude_order is not None:
            lines = lines.exclude(order=exclude_order)
        used = lines.aggregate(n=Sum("quantity"))["n"] or 0
        needed = sum(q for v, q in wanted.items() if v in members[quota.pk])
        left = quota.size - used
        if needed > left:
            if left <= 0:
                raise OrderError(f"Sold out: {quota.name}.")
            raise OrderError(f"Only {left} left for {quota.name}; you asked for {needed}.")
    _after_capacity_check()


def places_left(variant: Variant) -> int | None:
    """The smallest room left in the variant's quotas (None: unlimited). A read, not a promise."""
    now = timezone.now()
    lefts = []
    for quota in variant.quotas.all():
        used = (
            OrderLine.objects.filter(holding_places(now), variant__quotas=quota).aggregate(n=Sum("quantity"))["n"] or 0
        )
        lefts.append(max(quota.size - used, 0))
    return min(lefts) if lefts else None


# --- Orders ------------------------------------------------------------------------------------


def place_order(
    user: Any, *, items: Iterable[tuple[Variant, int]] | None = None, hold: datetime.timedelta | None = None
) -> tuple[Order, str]:
    """Turn the basket (or `items`) into a pending order holding its places; returns (order, pay URL).

    Prices come from the server (each kind's fulfilment), never from the request.
    A zero total is paid at once by the free provider.
    """
    basket_items: list[tuple[Variant, int]]
    if items is None:
        basket_items = [
            (item.variant, item.quantity)
            for item in BasketItem.objects.filter(basket__owner=user).select_related("variant__product__seller")
        ]
    else:
        # One line per variant: a quantity split over several items must still meet the
        # per-order limit and the capacity check (which counts by variant).
        merged: dict[int, tuple[Variant, int]] = {}
        for variant, quantity in items:
            earlier = merged[variant.pk][1] if variant.pk in merged else 0
            merged[variant.pk] = (variant, earlier + quantity)
        basket_items = list(merged.values())
    if not basket_items:
        raise OrderError("Your basket is empty.")
    with transaction.atomic():
        priced = []
        for variant, quantity in basket_items:
            variant = Variant.objects.select_related("product__seller").get(pk=variant.pk)
            _check_quantity(variant, quantity)
            _check_on_sale(variant)
            fulfilment = fulfilment_for(variant.product.kind)
            fulfilment.check_can_buy(user, variant, quantity)
            priced.append((variant, quantity, fulfilment.price_for(user, variant)))
        _take_capacity({v.pk: q for v, q, _ in priced})
        total = sum(q * price for _, q, price in priced)
        provider = provider_for_total(total)
        order = Order.objects.create(
            buyer=user,
            total_pence=total,
            provider=provider.name,
            expires_at=timezone.now() + (hold or provider.hold()),
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    variant=variant,
                    seller=variant.product.seller,
                    kind=variant.product.kind,
                    description=fulfilment_for(variant.product.kind).describe(variant)[:200],
                    quantity=quantity,
                    unit_price_pence=price,
                )
                for variant, quantity, price in priced
            ]
        )
        if items is None:
            BasketItem.objects.filter(basket__owner=user).delete()
        audit.record("commerce.order.placed", actor=user, target=order, data={"total_pence": total})
        if total == 0:
            _record_payment(order, provider=provider.name, payment_id=f"free-{order.reference}", amount_pence=0)
            return order, provider.start(order)
    try:
        return order, provider.start(order)
    except Exception as exc:
        cancel_order(order, actor=user)
        raise OrderError("The payment provider could not be reached. Nothing was charged; please try again.") from exc


def cancel_order(order: Order, *, actor: Any) -> Order:
    """The buyer abandoned or declined payment: release the places now rather than at expiry."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING:
            return order
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])
        for line in order.lines.all():
            fulfilment_for(line.kind).on_expired(line)
        audit.record("commerce.order.cancelled", actor=actor, target=order)
    return order


def expire_orders(*, now: Any = None) -> int:
    """Mark pending orders past their hold as expired. Idempotent; returns how many expired."""
    now = now or timezone.now()
    expired = 0
    for order_id in Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order_id)
            if order.status != Order.Status.PENDING or order.expires_at > now:
                continue
            order.status = Order.Status.EXPIRED
            order.save(update_fields=["status"])
            for line in order.lines.all():
                fulfilment_for(line.kind).on_expired(line)
            audit.record("commerce.order.expired", actor=None, target=order)
            expired += 1
    return expired


# --- Payments ----------------------------------------------------------------------------------


def _record_payment(order: Order, *, provider: str, payment_id: str, amount_pence: int) -> Payment:
    """Inside a transaction holding the order row: record the payment and fulfil every line."""
    payment = Payment.objects.create(
        order=order, provider=provider, provider_payment_id=payment_id, amount_pence=amount_pence
    )
    order.status = Order.Status.PAID
    order.paid_at = timezone.now()
    order.save(update_fields=["status", "paid_at"])
    for line in order.lines.select_related("variant__product"):
        fulfilment_for(line.kind).on_paid(line)
    audit.record(
        "commerce.payment.received",
        actor=order.buyer,
        target=order,
        data={"provider": provider, "amount_pence": amount_pence},
    )
    emails.receipt(order)
    return payment


def confirm_payment(order: Order, *, provider: str, payment_id: str, amount_pence: int) -> Payment:
    """Record that the provider took `amount_pence` for `order`. Safe to call any number of times.

    A payment for an order whose hold has lapsed re-checks capacity; if the places have gone the
    money is refunded at once and the order cancelled.
    """
    existing = Payment.objects.filter(provider=provider, provider_payment_id=payment_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            # The buyer comes along (fulfilment and the receipt need them); only the order row is locked.
            order = Order.objects.select_for_update(of=("self",)).select_related("buyer").get(pk=order.pk)
            existing = Payment.objects.filter(provider=provider, provider_payment_id=payment_id).first()
            if existing is not None:
                return existing
            if amount_pence != order.total_pence:
                raise OrderError(f"Payment of {amount_pence}p does not match order {order} ({order.total_pence}p).")
            if order.status == Order.Status.PAID:
                # Paid twice through the provider: keep the first, return the second in full.
                payment = Payment.objects.create(
                    order=order, provider=provider, provider_payment_id=payment_id, amount_pence=amount_pence
                )
                _refund_whole_order(order, payment, reason="Duplicate payment returned automatically.")
                return payment
            lapsed = order.status != Order.Status.PENDING or order.expires_at <= timezone.now()
            lines = list(order.lines.select_related("variant__product"))
            refusal = ""
            if lapsed:
                wanted: dict[int, int] = defaultdict(int)
                for line in lines:
                    wanted[line.variant_id] += line.quantity
                try:
                    _take_capacity(dict(wanted), exclude_order=order)
                except OrderError:
                    refusal = "Paid after the hold expired and the places had gone: refunded."
            if not refusal:
                # The buyer may no longer be able to have a line (the same membership was paid
                # for first in another tab): fulfilling it would fail, so the money goes back.
                try:
                    for line in lines:
                        fulfilment_for(line.kind).check_can_buy(order.buyer, line.variant, line.quantity)
                except OrderError as error:
                    refusal = f"Could not be fulfilled ({error}): refunded."
            if refusal:
                payment = Payment.objects.create(
                    order=order, provider=provider, provider_payment_id=payment_id, amount_pence=amount_pence
                )
                order.status = Order.Status.CANCELLED
                order.save(update_fields=["status"])
                _refund_whole_order(order, payment, reason=refusal[:500])
                return payment
            return _record_payment(order, provider=provider, payment_id=payment_id, amount_pence=amount_pence)
    except IntegrityError:
        # Another process recorded this payment id between our check and insert.
        return Payment.objects.get(provider=provider, provider_payment_id=payment_id)


def _refund_whole_order(order: Order, payment: Payment, *, reason: str) -> None:
    provider = provider_named(payment.provider)
    for line in order.lines.all():
        if line.total_pence:
            # Keyed by the provider's payment id: a retried webhook asks for the same refund, not a second one.
            _refund(
                line,
                amount_pence=line.total_pence,
                actor=None,
                reason=reason,
                provider=provider,
                payment=payment,
                idempotency_key=f"auto-{payment.provider}-{payment.provider_payment_id}-{line.pk}"[:64],
            )


# --- Refunds -----------------------------------------------------------------------------------


def refunded_pence(line: OrderLine) -> int:
    return line.refunds.aggregate(n=Sum("amount_pence"))["n"] or 0


def refundable_pence(line: OrderLine) -> int:
    """What can still go back for the line: its total for each payment its order received, less refunds.

    A duplicate charge is returned in full automatically; counting it here keeps that return from
    using up what the kept payment can still refund.
    """
    return line.total_pence * Payment.objects.filter(order_id=line.order_id).count() - refunded_pence(line)


def _refund(
    line: OrderLine,
    *,
    amount_pence: int,
    actor: Any,
    reason: str,
    provider: PaymentProvider,
    payment: Payment,
    idempotency_key: str | None = None,
) -> Refund:
    key = idempotency_key or uuid.uuid4().hex
    refund = Refund.objects.create(
        order=line.order, line=line, amount_pence=amount_pence, idempotency_key=key, reason=reason, created_by=actor
    )
    refund.provider_refund_id = provider.refund(payment, amount_pence=amount_pence, idempotency_key=key)
    refund.save(update_fields=["provider_refund_id"])
    audit.record(
        "commerce.refund.made",
        actor=actor,
        target=line.order,
        scope=line.seller.audit_scope,
        data={"line": line.pk, "amount_pence": amount_pence, "reason": reason},
    )
    return refund


def refund_line(
    line: OrderLine, *, amount_pence: int, actor: Any, reason: str, idempotency_key: str | None = None
) -> Refund:
    """Return money for one line of a paid order (partially or in full), through its provider."""
    if amount_pence <= 0:
        raise OrderError("A refund must be more than nothing.")
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=line.order_id)
        line = OrderLine.objects.select_related("seller", "order").get(pk=line.pk)
        if order.status != Order.Status.PAID:
            raise OrderError("Only paid orders can be refunded.")
        remaining = refundable_pence(line)
        if amount_pence > remaining:
            raise OrderError(f"At most {remaining / 100:.2f} can be refunded on this line.")
        payment = order.payments.order_by("id").first()
        if payment is None:
            raise OrderError("This order has no payment to refund.")
        refund = _refund(
            line,
            amount_pence=amount_pence,
            actor=actor,
            reason=reason,
            provider=provider_named(payment.provider),
            payment=payment,
            idempotency_key=idempotency_key,
        )
        fully_refunded = refundable_pence(line) <= 0
        if fully_refunded:
            line.released = True
            line.save(update_fields=["released"])
        fulfilment_for(line.kind).on_refunded(line, refund, fully_refunded=fully_refunded)
        emails.refunded(line, refund)
    return refund


def request_refund(line: OrderLine, *, actor: Any, reason: str) -> RefundRequest:
    """The buyer asks for their money back; the seller's committee (finance) or union staff decide."""
    if not reason.strip():
        raise OrderError("Say why you would like a refund.")
    if line.order.buyer_id != getattr(actor, "pk", None):
        raise OrderError("Only the buyer can ask for a refund.")
    if line.order.status != Order.Status.PAID:
        raise OrderError("Only paid orders can be refunded.")
    if refundable_pence(line) <= 0:
        raise OrderError("This has already been refunded in full.")
    fulfilment_for(line.kind).check_can_request_refund(line)
    try:
        with transaction.atomic():
            request = RefundRequest.objects.create(line=line, requested_by=actor, reason=reason.strip())
            audit.record("commerce.refund.requested", actor=actor, target=line.order, scope=line.seller.audit_scope)
            emails.refund_requested(request)
    except IntegrityError as exc:
        raise OrderError("You have already asked for a refund of this; the committee will reply.") from exc
    return request


def approve_refund_request(
    request: RefundRequest, *, actor: Any, amount_pence: int | None = None, note: str = ""
) -> Refund:
    with transaction.atomic():
        request = RefundRequest.objects.select_for_update().select_related("line__order").get(pk=request.pk)
        if request.status != RefundRequest.Status.REQUESTED:
            raise OrderError("This request has already been decided.")
        amount = amount_pence if amount_pence is not None else refundable_pence(request.line)
        refund = refund_line(
            request.line,
            amount_pence=amount,
            actor=actor,
            reason=f"Refund request: {request.reason}"[:500],
            idempotency_key=f"request-{request.pk}",
        )
        request.status = RefundRequest.Status.APPROVED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note
        request.refund = refund
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "refund"])
    return refund


def decline_refund_request(request: RefundRequest, *, actor: Any, note: str) -> RefundRequest:
    if not note.strip():
        raise OrderError("Tell the member why their refund was declined.")
    with transaction.atomic():
        request = (
            RefundRequest.objects.select_for_update().select_related("line__order", "line__seller").get(pk=request.pk)
        )
        if request.status != RefundRequest.Status.REQUESTED:
            raise OrderError("This request has already been decided.")
        request.status = RefundRequest.Status.DECLINED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            "commerce.refund.declined", actor=actor, target=request.line.order, scope=request.line.seller.audit_scope
        )
        emails.refund_declined(request)
    return request


# --- Webhooks ----------------------------------------------------------------------------------


def handle_stripe_event(event: Any) -> bool:
    """Act on a verified Stripe event once. Returns False if this event id was seen before."""
    with transaction.atomic():
        _, created = WebhookEvent.objects.get_or_create(
            provider="stripe", event_id=event["id"], defaults={"event_type": event["type"]}
        )
        if not created:
            return False
        session = event["data"]["object"]
        if event["type"] in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
            if session.get("payment_status") != "paid":
                return True
            order = Order.objects.filter(reference=session.get("client_reference_id") or "").first()
            if order is None:
                # Not a session Quad created (the account may also sell elsewhere). Failing would make
                # Stripe retry for days and then switch the endpoint off; recorded, nothing to do.
                return True
            confirm_payment(
                order, provider="stripe", payment_id=session["payment_intent"], amount_pence=session["amount_total"]
            )
        elif event["type"] == "checkout.session.expired":
            expired = Order.objects.filter(reference=session.get("client_reference_id")).first()
            if expired is not None:
                cancel_order(expired, actor=None)
    return True


def log_refund_requests_viewed(
    actor: Any, requests: list[RefundRequest], *, action: str, what: str, scope: str
) -> None:
    """Who asked for their money back, for what and why is personal data beyond a display name: each view
    of a list of refund requests (a society's, the union's, the approvals queue) goes in the access log."""
    if requests:
        record_access(
            actor,
            action,
            what=what,
            scope=scope,
            subjects=[r.requested_by_id for r in requests if r.requested_by_id is not None],
        )
