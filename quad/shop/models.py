"""Society merch: items with variants (size, colour) and stock, photos, pre-orders, collection.

Each item owns a commerce Product (kind "merch"); each variant's stock is a Quota holding only that
variant, so stock is taken in the same locked transaction as every other sale.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from quad.commerce.models import OrderLine, Product, Quota, Variant
from quad.societies.models import Society


class MerchItem(models.Model):
    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="merch")
    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="merch_item")
    members_only = models.BooleanField(default=False)
    is_preorder = models.BooleanField(default=False, help_text="Made to order: sales close on a date.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["product__name"]

    def __str__(self) -> str:
        return self.product.name

    def get_absolute_url(self) -> str:
        return reverse("shop:item", kwargs={"pk": self.pk})


class MerchVariant(models.Model):
    item = models.ForeignKey(MerchItem, on_delete=models.CASCADE, related_name="merch_variants")
    variant = models.OneToOneField(Variant, on_delete=models.PROTECT, related_name="merch_variant")
    stock = models.OneToOneField(Quota, on_delete=models.PROTECT, related_name="merch_variant")

    class Meta:
        ordering = ["variant__position", "id"]

    def __str__(self) -> str:
        return str(self.variant)


class MerchPhoto(models.Model):
    item = models.ForeignKey(MerchItem, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="merch/")
    alt_text = models.CharField(max_length=200, help_text="Describe the photo for people who cannot see it.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class Collection(models.Model):
    """Where a bought item is on its way to its buyer: ordered → ready to collect → collected."""

    class Status(models.TextChoices):
        ORDERED = "ordered", "Ordered"
        READY = "ready", "Ready to collect"
        COLLECTED = "collected", "Collected"
        REFUNDED = "refunded", "Refunded"

    order_line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="collection")
    item = models.ForeignKey(MerchItem, on_delete=models.PROTECT, related_name="collections")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ORDERED, db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_line} ({self.get_status_display()})"
