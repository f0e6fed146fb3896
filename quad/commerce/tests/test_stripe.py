"""The Stripe provider, offline: the SDK's HTTP client is replaced at its boundary, webhooks are signed
with the test secret exactly as Stripe signs them. Nothing here touches the network."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from django.contrib.messages import get_messages
from django.urls import reverse

from quad.commerce import providers, services
from quad.commerce.models import Order, OrderLine, Payment, Refund, WebhookEvent
from quad.commerce.queries import order_balance
from quad.commerce.tests.factories import lapse, make_variant
from quad.memberships.models import Membership

SECRET_KEY = "sk_test_x"
WEBHOOK_SECRET = "whsec_test"
STRIPE_MINIMUM_EXPIRY = 30 * 60  # seconds after a session is created (Stripe's API reference)


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]
    at: float


class FakeStripe(stripe.HTTPClient):
    """Answers the two endpoints Quad calls with canned objects, and records every request.

    Like Stripe, it replays the first answer for a repeated idempotency key, refuses a session
    that would expire less than 30 minutes after it is created, and can be told to fail.
    """

    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.answers: dict[str, tuple[str, int, dict[str, str]]] = {}
        self.ids = itertools.count(1)
        self.fail_next: str = ""

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None) -> Any:
        params = dict(parse_qsl(post_data or "", keep_blank_values=True))
        call = Call(method, urlsplit(url).path, dict(headers or {}), params, time.time())
        self.calls.append(call)
        key = call.headers.get("Idempotency-Key")
        if key and key in self.answers:
            return self.answers[key]
        answer = self.answer(call)
        if key:
            self.answers[key] = answer
        return answer

    def answer(self, call: Call) -> tuple[str, int, dict[str, str]]:
        if self.fail_next:
            message, self.fail_next = self.fail_next, ""
            return self.error(message)
        n = next(self.ids)
        if call.method == "post" and call.path == "/v1/checkout/sessions":
            expires_at = int(call.params["expires_at"])
            if not call.at + STRIPE_MINIMUM_EXPIRY <= expires_at <= call.at + 24 * 3600:
                return self.error("The `expires_at` timestamp must be between 30 minutes and 24 hours from now.")
            session_id = f"cs_test_{n}"
            return self.ok(
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                    "expires_at": expires_at,
                    "client_reference_id": call.params["client_reference_id"],
                    "payment_status": "unpaid",
                    "status": "open",
                }
            )
        if call.method == "post" and call.path == "/v1/refunds":
            return self.ok(
                {
                    "id": f"re_test_{n}",
                    "object": "refund",
                    "amount": int(call.params["amount"]),
                    "payment_intent": call.params["payment_intent"],
                    "status": "succeeded",
                }
            )
        return self.error(f"Unrecognized request URL ({call.method.upper()}: {call.path}).", status=404)

    @staticmethod
    def ok(body: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        return json.dumps(body), 200, {"Request-Id": "req_fake"}

    @staticmethod
    def error(message: str, status: int = 400) -> tuple[str, int, dict[str, str]]:
        body = {"error": {"type": "invalid_request_error", "message": message}}
        return json.dumps(body), status, {"Request-Id": "req_fake", "Stripe-Should-Retry": "false"}

    def close(self) -> None:
        pass

    def posts_to(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == "post" and call.path == path]


@pytest.fixture
def fake_stripe(settings: Any, monkeypatch: Any) -> Iterator[FakeStripe]:
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.ORDER_HOLD_MINUTES = 15
    fake = FakeStripe()
    monkeypatch.setattr(providers, "_stripe_http_client", fake)
    yield fake


def signed(payload: str, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends: t=<timestamp>,v1=<HMAC-SHA256 of "t.payload">."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def session_event(
    order: Order,
    *,
    event_id: str,
    kind: str = "checkout.session.completed",
    payment_intent: str = "pi_test_1",
    payment_status: str = "paid",
    amount: int | None = None,
) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "data": {
                "object": {
                    "id": order.provider_session_id,
                    "object": "checkout.session",
                    "client_reference_id": order.reference,
                    "payment_intent": payment_intent,
                    "payment_status": payment_status,
                    "amount_total": order.total_pence if amount is None else amount,
                    "status": "expired" if kind.endswith("expired") else "complete",
                }
            },
        }
    )


def deliver(client: Any, payload: str, *, signature: str | None = None) -> Any:
    return client.post(
        reverse("commerce:stripe-webhook"),
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signed(payload) if signature is None else signature},
    )


def checkout(client: Any, user: Any, variant: Any, quantity: int = 1) -> tuple[Order, Any]:
    services.add_to_basket(user, variant, quantity=quantity)
    client.force_login(user)
    response = client.post(reverse("commerce:checkout"))
    return Order.objects.filter(buyer=user).latest("id"), response


# --- Checkout ----------------------------------------------------------------------------------


def test_checkout_sends_the_buyer_to_a_stripe_session(client, student, society, fake_stripe):
    hoodie = make_variant(society, price_pence=2000)

    order, response = checkout(client, student, hoodie, 2)

    (call,) = fake_stripe.posts_to("/v1/checkout/sessions")
    assert response.status_code == 302
    assert response.url == f"https://checkout.stripe.com/c/pay/{order.provider_session_id}"
    assert (order.provider, order.status, order.total_pence) == ("stripe", Order.Status.PENDING, 4000)
    assert call.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert call.headers["Idempotency-Key"] == f"checkout-{order.reference}"
    assert call.params["client_reference_id"] == order.reference
    assert call.params["mode"] == "payment"
    assert call.params["customer_email"] == student.email
    assert call.params["line_items[0][quantity]"] == "2"
    assert call.params["line_items[0][price_data][unit_amount]"] == "2000"
    assert call.params["line_items[0][price_data][currency]"] == "gbp"
    assert call.params["success_url"].endswith(
        reverse("commerce:order", kwargs={"reference": order.reference}) + "?paid=1"
    )


def test_the_session_expires_with_the_orders_hold(client, student, society, fake_stripe):
    order, _ = checkout(client, student, make_variant(society))

    (call,) = fake_stripe.posts_to("/v1/checkout/sessions")
    expires_at = int(call.params["expires_at"])
    assert expires_at == int(order.expires_at.timestamp())
    assert (
        datetime.timedelta(0)
        <= order.expires_at - datetime.datetime.fromtimestamp(expires_at, datetime.UTC)
        < (datetime.timedelta(seconds=1))
    )
    # Stripe refuses a session expiring sooner than 30 minutes after it is created.
    assert expires_at - call.at >= STRIPE_MINIMUM_EXPIRY


@pytest.mark.parametrize(("hold_minutes", "expected"), [(1, 31), (15, 31), (30, 31), (45, 45), (120, 120)])
def test_a_stripe_hold_is_the_setting_but_never_under_stripes_minimum(
    client, student, society, fake_stripe, settings, hold_minutes, expected
):
    settings.ORDER_HOLD_MINUTES = hold_minutes
    order, response = checkout(client, student, make_variant(society))

    assert response.url.startswith("https://checkout.stripe.com/")  # Stripe accepted the session
    held = order.expires_at - order.created_at
    assert abs(held - datetime.timedelta(minutes=expected)) < datetime.timedelta(seconds=5)
    assert providers.provider_named("stripe").hold() == datetime.timedelta(minutes=expected)


def test_creating_a_session_again_reuses_its_idempotency_key(student, society, fake_stripe):
    order, url = services.place_order(student, items=[(make_variant(society), 1)])

    assert providers.provider_named("stripe").start(order) == url  # a retry gets the same session
    first, second = fake_stripe.posts_to("/v1/checkout/sessions")
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == f"checkout-{order.reference}"


def test_stripe_refusing_the_session_cancels_the_order_and_frees_the_places(client, student, society, fake_stripe):
    hoodie = make_variant(society, capacity=1)
    fake_stripe.fail_next = "Your account cannot currently make live charges."

    order, response = checkout(client, student, hoodie)

    assert response.url == reverse("commerce:basket")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["The payment provider could not be reached. Nothing was charged; please try again."]
    assert order.status == Order.Status.CANCELLED
    assert services.places_left(hoodie) == 1


def test_returning_from_stripe_does_not_pay_the_order(client, student, society, fake_stripe):
    order, _ = checkout(client, student, make_variant(society))
    page = client.get(reverse("commerce:order", kwargs={"reference": order.reference}) + "?paid=1")
    assert page.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not Payment.objects.filter(order=order).exists()
    test_page = reverse("commerce:test-payment", kwargs={"reference": order.reference})
    assert client.post(test_page, {"action": "pay"}).status_code == 404  # no test page for a Stripe order


# --- Webhooks ----------------------------------------------------------------------------------


def test_a_signed_webhook_fulfils_the_order(client, student, membership_type, fake_stripe):
    order, _ = checkout(client, student, membership_type.variant)

    response = deliver(client, session_event(order, event_id="evt_1", payment_intent="pi_123"))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.provider_payment_id, payment.amount_pence) == ("stripe", "pi_123", 500)
    assert WebhookEvent.objects.get().event_id == "evt_1"
    assert Membership.objects.get(user=student).status == Membership.Status.ACTIVE


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "changed payload", "old timestamp", "no signature", "garbage"],
)
def test_a_badly_signed_webhook_is_refused_and_changes_nothing(client, student, society, fake_stripe, tamper):
    order, _ = checkout(client, student, make_variant(society))
    payload = session_event(order, event_id="evt_forged")
    signature = {
        "wrong secret": signed(payload, secret="whsec_someone_else"),
        "changed payload": signed(payload.replace('"amount_total": 2000', '"amount_total": 1')),
        "old timestamp": signed(payload, at=int(time.time()) - 3600),
        "no signature": "",
        "garbage": "t=now,v1=nonsense",
    }[tamper]

    response = deliver(client, payload, signature=signature)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
    assert not Payment.objects.exists()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_a_replayed_webhook_records_one_payment(client, student, society, fake_stripe):
    order, _ = checkout(client, student, make_variant(society))
    payload = session_event(order, event_id="evt_again")

    statuses = {deliver(client, payload).status_code for _ in range(10)}

    assert statuses == {200}
    assert Payment.objects.filter(order=order).count() == 1
    assert WebhookEvent.objects.count() == 1
    assert not Refund.objects.exists()


def test_two_events_for_one_payment_record_it_once(client, student, society, fake_stripe):
    order, _ = checkout(client, student, make_variant(society))
    deliver(client, session_event(order, event_id="evt_a", payment_status="unpaid"))  # a bank transfer, pending
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert not Payment.objects.exists()

    deliver(client, session_event(order, event_id="evt_b", kind="checkout.session.async_payment_succeeded"))
    deliver(client, session_event(order, event_id="evt_c", kind="checkout.session.async_payment_succeeded"))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert Payment.objects.filter(order=order).count() == 1
    assert WebhookEvent.objects.count() == 3


def test_an_expired_session_cancels_the_pending_order(client, student, member, society, fake_stripe):
    hoodie = make_variant(society, capacity=1)
    order, _ = checkout(client, student, hoodie)
    assert services.places_left(hoodie) == 0

    response = deliver(client, session_event(order, event_id="evt_exp", kind="checkout.session.expired"))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert services.places_left(hoodie) == 1
    assert not Payment.objects.filter(order=order).exists()


def test_an_expired_session_leaves_a_paid_order_alone(client, student, society, fake_stripe):
    order, _ = checkout(client, student, make_variant(society))
    deliver(client, session_event(order, event_id="evt_paid"))
    deliver(client, session_event(order, event_id="evt_late_expiry", kind="checkout.session.expired"))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_payment_after_the_hold_with_room_left_is_kept(client, student, society, fake_stripe):
    hoodie = make_variant(society, capacity=1)
    order, _ = checkout(client, student, hoodie)
    lapse(order)
    services.expire_orders()

    deliver(client, session_event(order, event_id="evt_late_ok"))

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert not fake_stripe.posts_to("/v1/refunds")


def test_a_payment_after_the_places_went_is_refunded_through_stripe(client, student, member, society, fake_stripe):
    hoodie = make_variant(society, capacity=1, price_pence=1500)
    late, _ = checkout(client, student, hoodie)
    lapse(late)
    services.expire_orders()
    taker, _ = checkout(client, member, hoodie)
    deliver(client, session_event(taker, event_id="evt_taker", payment_intent="pi_taker"))

    response = deliver(client, session_event(late, event_id="evt_late", payment_intent="pi_late"))

    assert response.status_code == 200
    late.refresh_from_db()
    assert late.status == Order.Status.CANCELLED
    (call,) = fake_stripe.posts_to("/v1/refunds")
    assert call.params == {"payment_intent": "pi_late", "amount": "1500"}
    assert call.headers["Idempotency-Key"].startswith("refund-")
    refund = Refund.objects.get(order=late)
    assert refund.amount_pence == 1500
    assert refund.provider_refund_id.startswith("re_test_")  # the id Stripe answered with
    assert order_balance(late) == 0
    taker.refresh_from_db()
    assert taker.status == Order.Status.PAID
    assert OrderLine.objects.filter(variant=hoodie, order__status=Order.Status.PAID).count() == 1


def test_an_approved_refund_request_is_refunded_through_stripe(
    client, student, membership_type, committee_trained, fake_stripe
):
    order, _ = checkout(client, student, membership_type.variant)
    deliver(client, session_event(order, event_id="evt_join", payment_intent="pi_join"))
    line = OrderLine.objects.select_related("order").get(order=order)
    request = services.request_refund(line, actor=student, reason="Wrong society.")
    client.force_login(committee_trained)

    client.post(reverse("commerce:approve-refund-request", kwargs={"pk": request.pk}), {"amount": "2.00"})

    (call,) = fake_stripe.posts_to("/v1/refunds")
    assert call.params == {"payment_intent": "pi_join", "amount": "200"}
    assert call.headers["Idempotency-Key"] == f"refund-request-{request.pk}"
    refund = Refund.objects.get(line=line)
    assert refund.provider_refund_id.startswith("re_test_")
    assert Membership.objects.get(user=student).status == Membership.Status.ACTIVE  # a partial refund


def test_every_stripe_call_carries_an_idempotency_key(client, student, member, society, committee_trained, fake_stripe):
    hoodie = make_variant(society, capacity=1)
    late, _ = checkout(client, student, hoodie)
    lapse(late)
    taker, _ = checkout(client, member, hoodie)
    deliver(client, session_event(taker, event_id="evt_1", payment_intent="pi_1"))
    deliver(client, session_event(late, event_id="evt_2", payment_intent="pi_2"))  # refunded automatically
    services.refund_line(taker.lines.get(), amount_pence=500, actor=committee_trained, reason="Goodwill")

    assert len(fake_stripe.posts_to("/v1/checkout/sessions")) == 2
    assert len(fake_stripe.posts_to("/v1/refunds")) == 2
    keys = [call.headers.get("Idempotency-Key") for call in fake_stripe.calls]
    assert all(keys)
    assert len(set(keys)) == len(keys)


def test_the_webhook_is_off_without_a_secret(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert (
        client.post(reverse("commerce:stripe-webhook"), data="{}", content_type="application/json").status_code == 404
    )


def test_a_webhook_for_a_session_quad_did_not_create_is_acknowledged(client, db, fake_stripe):
    """The union's Stripe account may sell elsewhere too: those events must not fail (Stripe would retry
    for days, then switch the endpoint off)."""
    payload = json.dumps(
        {
            "id": "evt_elsewhere",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_other",
                    "object": "checkout.session",
                    "client_reference_id": None,
                    "payment_intent": "pi_other",
                    "payment_status": "paid",
                    "amount_total": 999,
                }
            },
        }
    )
    assert deliver(client, payload).status_code == 200
    assert not Payment.objects.exists()
    assert WebhookEvent.objects.get().event_id == "evt_elsewhere"
