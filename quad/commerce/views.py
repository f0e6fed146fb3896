"""Basket, checkout, the test payment page, the Stripe webhook, orders and refunds."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.models import User
from quad.accounts.permissions import login_required, require_student
from quad.commerce import queries, services
from quad.commerce.errors import OrderError
from quad.commerce.forms import AddToBasketForm, ApproveRefundForm, DeclineRefundForm, RefundRequestForm
from quad.commerce.fulfilment import fulfilment_for
from quad.commerce.models import Order, OrderLine, RefundRequest, Variant
from quad.commerce.permissions import get_order_for_buyer, get_refund_request_for_decision, require_buyer
from quad.commerce.providers import provider_for_total
from quad.core.permissions import not_found
from quad.core.redirects import safe_next
from quad.societies.models import Power
from quad.societies.permissions import get_society_for_committee


@login_required
@require_GET
def basket(request: HttpRequest) -> HttpResponse:
    items = list(queries.basket_items(request.user))
    for item in items:
        item.description = fulfilment_for(item.variant.product.kind).describe(item.variant)  # type: ignore[attr-defined]
    return render(
        request,
        "commerce/basket.html",
        {
            "items": items,
            "total": sum(i.quantity * i.variant.price_pence for i in items),
            "hold_minutes": int(provider_for_total(1).hold().total_seconds() // 60),
        },
    )


@login_required
@require_POST
def add_to_basket(request: HttpRequest) -> HttpResponse:
    user = require_student(request.user, doing="buy from societies")
    form = AddToBasketForm(request.POST)
    back = request.POST.get("next") or "commerce:basket"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("commerce:basket")
    variant = get_object_or_404(Variant, pk=form.cleaned_data["variant"])
    try:
        item = services.add_to_basket(user, variant, quantity=form.cleaned_data["quantity"])
    except OrderError as error:
        messages.error(request, str(error))
        return redirect(back) if back.startswith("/") else redirect("commerce:basket")
    messages.success(request, f"{item.variant} is in your basket.")
    return redirect("commerce:basket")


@login_required
@require_POST
def remove_from_basket(request: HttpRequest, variant_id: int) -> HttpResponse:
    services.remove_from_basket(request.user, variant_id)
    messages.success(request, "Removed from your basket.")
    return redirect("commerce:basket")


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    user = require_student(request.user, doing="buy from societies")
    try:
        _order, pay_url = services.place_order(user)
    except OrderError as error:
        messages.error(request, str(error))
        return redirect("commerce:basket")
    return redirect(pay_url)


@login_required
@require_GET
def order(request: HttpRequest, reference: str) -> HttpResponse:
    the_order = get_order_for_buyer(request.user, reference)
    lines = list(the_order.lines.select_related("variant__product__seller").prefetch_related("refunds"))
    requests = {r.line_id: r for r in RefundRequest.objects.filter(line__order=the_order).order_by("created_at")}
    return render(
        request,
        "commerce/order.html",
        {
            "order": the_order,
            "lines": [(line, services.refunded_pence(line), requests.get(line.pk)) for line in lines],
            "balance": queries.order_balance(the_order),
            "refund_form": RefundRequestForm(),
            "just_paid": request.GET.get("paid") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def test_payment(request: HttpRequest, reference: str) -> HttpResponse:
    """The test provider's payment page: clearly TEST MODE, no money moves."""
    the_order = get_order_for_buyer(request.user, reference)
    require_buyer(request.user, the_order, doing="pay for this order")
    if the_order.provider != "test":
        raise not_found()
    if request.method == "POST":
        action = request.POST.get("action")
        if the_order.status == Order.Status.PAID:
            messages.info(request, "This order is already paid.")
        elif action == "pay":
            try:
                services.confirm_payment(
                    the_order,
                    provider="test",
                    payment_id=f"test-{the_order.reference}",
                    amount_pence=the_order.total_pence,
                )
            except OrderError as error:
                messages.error(request, str(error))
            else:
                the_order.refresh_from_db()
                if the_order.status == Order.Status.PAID:
                    messages.success(request, "Payment received. A receipt is on its way by email.")
                else:
                    messages.error(
                        request,
                        "We could not complete this order (the place has gone, or you already have it): "
                        "the payment has been refunded in full.",
                    )
        elif action in {"decline", "abandon"}:
            services.cancel_order(the_order, actor=request.user)
            messages.warning(
                request,
                "The card was declined: nothing was charged." if action == "decline" else "Payment abandoned.",
            )
        else:
            return HttpResponseBadRequest("Unknown action")
        return redirect("commerce:order", reference=reference)
    return render(request, "commerce/test_payment.html", {"order": the_order})


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's signed events: the only way a Stripe payment is fulfilled. Signature checked first."""
    import stripe

    if not settings.STRIPE_WEBHOOK_SECRET:
        raise not_found()
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET
        )
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Invalid payload or signature")
    # The SDK's objects are not dicts (no .get); the service works on the plain event data.
    services.handle_stripe_event(event.to_dict())
    return HttpResponse("ok")


@login_required
@require_POST
def request_refund(request: HttpRequest, reference: str, line_id: int) -> HttpResponse:
    the_order = get_order_for_buyer(request.user, reference)
    require_buyer(request.user, the_order, doing="ask for a refund")
    line = get_object_or_404(OrderLine, pk=line_id, order=the_order)
    form = RefundRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you would like a refund.")
        return redirect("commerce:order", reference=reference)
    try:
        services.request_refund(line, actor=request.user, reason=form.cleaned_data["reason"])
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your request has gone to the committee. You will hear by email.")
    return redirect("commerce:order", reference=reference)


@login_required
@require_GET
def refund_requests(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.FINANCE)
    requests = list(queries.open_refund_requests(access.society))
    services.log_refund_requests_viewed(
        request.user,
        requests,
        action="commerce.refund_requests.viewed",
        what=f"Refund requests to {access.society.name}",
        scope=access.society.audit_scope,
    )
    return render(
        request,
        "commerce/refund_requests.html",
        {
            "access": access,
            "society": access.society,
            "requests": requests,
            "approve_form": ApproveRefundForm(),
            "decline_form": DeclineRefundForm(),
        },
    )


def _after_decision(request: HttpRequest, refund_request: RefundRequest) -> HttpResponse:
    """Back to the list the decision was made from: a `next` the form sent (the union's approvals
    queue), else the union's refund list for staff, else the society's."""
    if getattr(request.user, "is_union_staff", False):
        return redirect(safe_next(request, reverse("su:refund-requests")))
    return redirect(
        safe_next(request, reverse("commerce:refund-requests", kwargs={"slug": refund_request.line.seller.slug}))
    )


@login_required
@require_POST
def approve_refund_request(request: HttpRequest, pk: int) -> HttpResponse:
    refund_request = get_refund_request_for_decision(request.user, pk)
    form = ApproveRefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the amount in pounds and pence, e.g. 5.00.")
        return _after_decision(request, refund_request)
    try:
        refund = services.approve_refund_request(
            refund_request,
            actor=cast(User, request.user),
            amount_pence=form.amount_pence(),
            note=form.cleaned_data["note"],
        )
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Refunded £{refund.amount_pence / 100:.2f}; the member has been emailed.")
    return _after_decision(request, refund_request)


@login_required
@require_POST
def decline_refund_request(request: HttpRequest, pk: int) -> HttpResponse:
    refund_request = get_refund_request_for_decision(request.user, pk)
    form = DeclineRefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tell the member why their refund was declined.")
        return _after_decision(request, refund_request)
    try:
        services.decline_refund_request(refund_request, actor=request.user, note=form.cleaned_data["note"])
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Declined; the member has been told why.")
    return _after_decision(request, refund_request)


@login_required
@require_GET
def society_ledger(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.FINANCE)
    rows = queries.society_ledger(access.society)
    return render(
        request,
        "commerce/society_ledger.html",
        {
            "access": access,
            "society": access.society,
            "rows": rows,
            "sales": sum(r.sales_pence for r in rows),
            "refunds": sum(r.refunds_pence for r in rows),
            "net": sum(r.net_pence for r in rows),
        },
    )
