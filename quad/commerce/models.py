"""Selling things: products, capacity, orders and the money that moves.

commerce knows nothing of memberships, tickets or merch. Each of those apps registers a
*fulfilment* for its product `kind` (quad.commerce.fulfilment) that decides who may buy, at what
price, and what happens when a line is paid, refunded or expires.

Money is integer pence. Payments and refunds are append-only rows; what an order has been paid
and refunded is derived from them, never stored twice.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from quad.societies.models import Society

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at a stall


def new_reference() -> str:
    return "Q-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Product(models.Model):
    seller = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="products")
    kind = models.CharField(max_length=30, db_index=True, help_text="The fulfilment that handles it.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    sale_starts_at = models.DateTimeField(null=True, blank=True)
    sale_ends_at = models.DateTimeField(null=True, blank=True)
    max_per_order = models.PositiveSmallIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seller", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sale_ends_at__isnull=True)
                | Q(sale_starts_at__isnull=True)
                | Q(sale_ends_at__gt=models.F("sale_starts_at")),
                name="product_sale_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(max_per_order__gte=1), name="product_max_per_order_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=80, default="Standard")
    price_pence = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]

    def __str__(self) -> str:
        return self.product.name if self.name == "Standard" else f"{self.product.name} ({self.name})"


class Quota(models.Model):
    """Capacity shared by the variants in it. A variant in no quota is unlimited."""

    name = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    variants = models.ManyToManyField(Variant, related_name="quotas")

    def __str__(self) -> str:
        return f"{self.name} ({self.size})"


class Basket(models.Model):
    """One basket per student, across societies and product kinds."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="basket")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Basket of {self.owner}"


class BasketItem(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["basket", "variant"], name="basket_variant_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="basket_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant}"


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    total_pence = models.PositiveIntegerField()
    provider = models.CharField(max_length=20)
    provider_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="commerce_order_hold")]

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="lines")
    seller = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="order_lines")
    kind = models.CharField(max_length=30)
    description = models.CharField(max_length=200, help_text="What was bought, as it was named then.")
    quantity = models.PositiveSmallIntegerField()
    unit_price_pence = models.PositiveIntegerField()
    # A fully refunded line gives its places back (capacity, not money: money is in the Refund rows).
    released = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def total_pence(self) -> int:
        return self.quantity * self.unit_price_pence


class Payment(models.Model):
    """Money received. Append-only; one row per provider payment, so a replay records nothing."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)
    provider_payment_id = models.CharField(max_length=255)
    amount_pence = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_payment_id"], name="payment_once_per_provider_id")
        ]

    def __str__(self) -> str:
        return f"{self.order} paid {self.amount_pence}p"


class Refund(models.Model):
    """Money returned, against one line of a paid order. Append-only."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refunds")
    amount_pence = models.PositiveIntegerField()
    provider_refund_id = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.order} refunded {self.amount_pence}p"


class RefundRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting a decision"
        APPROVED = "approved", "Refunded"
        DECLINED = "declined", "Declined"

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    refund = models.OneToOneField(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="request")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(status="requested"), name="one_open_refund_request_per_line"
            )
        ]

    def __str__(self) -> str:
        return f"Refund request for {self.line}"


class WebhookEvent(models.Model):
    """Every provider event id is recorded once: a replayed webhook finds its row and does nothing."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
