"""Payment providers behind one interface.

- `test`: the embedded default, a Quad page clearly labelled TEST MODE with pay / decline / abandon;
- `free`: orders totalling zero need no payment;
- `stripe`: Stripe Checkout; fulfilment only from the signed webhook (see services.handle_stripe_event).

`PAYMENT_PROVIDER` chooses between test and stripe for orders that cost something.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

if TYPE_CHECKING:
    from quad.commerce.models import Order, Payment


class PaymentProvider:
    name = ""
    label = ""

    def hold(self) -> datetime.timedelta:
        """How long a pending order holds its places."""
        return datetime.timedelta(minutes=settings.ORDER_HOLD_MINUTES)

    def start(self, order: Order) -> str:
        """Where to send the buyer to pay for `order` (a URL)."""
        raise NotImplementedError

    def refund(self, payment: Payment, *, amount_pence: int, idempotency_key: str) -> str:
        """Return `amount_pence` of `payment`; the provider's refund id."""
        raise NotImplementedError


class TestProvider(PaymentProvider):
    name = "test"
    label = "Test payments (no real money)"

    def start(self, order: Order) -> str:
        return reverse("commerce:test-payment", kwargs={"reference": order.reference})

    def refund(self, payment: Payment, *, amount_pence: int, idempotency_key: str) -> str:
        return f"test_refund_{idempotency_key}"


class FreeProvider(PaymentProvider):
    name = "free"
    label = "Free"

    def start(self, order: Order) -> str:
        return reverse("commerce:order", kwargs={"reference": order.reference})

    def refund(self, payment: Payment, *, amount_pence: int, idempotency_key: str) -> str:
        return f"free_refund_{idempotency_key}"


class StripeProvider(PaymentProvider):
    """Stripe Checkout Sessions; every create and refund call carries an idempotency key."""

    name = "stripe"
    label = "Card payment (Stripe)"
    # Stripe refuses a Checkout Session that expires less than 30 minutes after it is created, so a
    # Stripe order holds its places for at least that long and the session expires exactly with it.
    # The session is created a moment after the order (and its expiry is cut to whole seconds):
    # a minute's margin keeps it clear of Stripe's limit.
    MINIMUM_HOLD = datetime.timedelta(minutes=31)

    def __init__(self, http_client: Any = None) -> None:
        self.http_client = http_client

    def client(self) -> Any:
        import stripe

        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY, http_client=self.http_client or _stripe_http_client, max_network_retries=2
        )

    def hold(self) -> datetime.timedelta:
        return max(super().hold(), self.MINIMUM_HOLD)

    def start(self, order: Order) -> str:
        success = settings.SITE_URL + reverse("commerce:order", kwargs={"reference": order.reference})
        line_items = [
            {
                "quantity": line.quantity,
                "price_data": {
                    "currency": settings.CURRENCY,
                    "unit_amount": line.unit_price_pence,
                    "product_data": {"name": line.description[:200]},
                },
            }
            for line in order.lines.all()
        ]
        session = self.client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": line_items,
                "client_reference_id": order.reference,
                "metadata": {"order_reference": order.reference},
                "success_url": success + "?paid=1",
                "cancel_url": success,
                "expires_at": int(order.expires_at.timestamp()),
                "customer_email": order.buyer.email if order.buyer else None,
            },
            options={"idempotency_key": f"checkout-{order.reference}"},
        )
        order.provider_session_id = session.id
        order.save(update_fields=["provider_session_id"])
        return str(session.url)

    def refund(self, payment: Payment, *, amount_pence: int, idempotency_key: str) -> str:
        refund = self.client().v1.refunds.create(
            params={"payment_intent": payment.provider_payment_id, "amount": amount_pence},
            options={"idempotency_key": f"refund-{idempotency_key}"},
        )
        return str(refund.id)


# Tests replace this with a client that answers at the SDK's HTTP boundary (no network).
_stripe_http_client: Any = None

PROVIDERS: dict[str, PaymentProvider] = {p.name: p for p in (TestProvider(), FreeProvider(), StripeProvider())}


def provider_named(name: str) -> PaymentProvider:
    return PROVIDERS[name]


def provider_for_total(total_pence: int) -> PaymentProvider:
    if total_pence == 0:
        return PROVIDERS["free"]
    return PROVIDERS[settings.PAYMENT_PROVIDER]
