"""Events, their ticket types, tickets with check-in codes, and waiting lists.

Selling goes through commerce: each ticket type owns a Product and a Variant (kind "ticket"), and
the event owns the Quota its ticket types share, so capacity is checked and taken in exactly the same
locked transaction as every other sale.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quad.commerce.models import OrderLine, Product, Quota, Variant
from quad.societies.models import Society


def new_ticket_code() -> str:
    """An unguessable code (128 bits) for the ticket's QR code."""
    return secrets.token_urlsafe(16)


class Event(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Anyone"
        MEMBERS = "members", "Members only"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True, help_text="Markdown.")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True, help_text="Where it happens.")
    online_url = models.URLField(blank=True, help_text="Shown only to ticket holders.")
    image = models.ImageField(upload_to="events/", blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    capacity = models.OneToOneField(Quota, on_delete=models.PROTECT, related_name="event")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=~Q(venue="") | ~Q(online_url=""), name="event_has_a_place_or_link"),
        ]
        indexes = [models.Index(fields=["status", "visibility", "starts_at"], name="events_calendar")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event", kwargs={"pk": self.pk})


class TicketType(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="ticket_type")
    variant = models.OneToOneField(Variant, on_delete=models.PROTECT, related_name="ticket_type")
    member_price_pence = models.PositiveIntegerField(null=True, blank=True)
    members_only = models.BooleanField(default=False)
    per_person_limit = models.PositiveSmallIntegerField(default=4)

    class Meta:
        ordering = ["variant__price_pence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(per_person_limit__gte=1), name="ticket_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.product.name}"

    @property
    def name(self) -> str:
        return self.product.name

    @property
    def price_pence(self) -> int:
        return self.variant.price_pence


class Ticket(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        CANCELLED = "cancelled", "Cancelled"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="tickets")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tickets")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="tickets")
    code = models.CharField(max_length=32, unique=True, default=new_ticket_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID, db_index=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["event", "checked_in_at"], name="events_ticket_attendance")]

    def __str__(self) -> str:
        return f"Ticket {self.pk} for {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("events:ticket", kwargs={"code": self.code})


class WaitingListEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a place"
        CLAIMED = "claimed", "Bought a ticket"
        LAPSED = "lapsed", "Offer lapsed"
        LEFT = "left", "Left the list"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="waiting_list")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waiting_lists")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # An offer is a pending order held for this person until it expires.
    offer_order = models.OneToOneField(
        "commerce.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="waiting_list_offer"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=["waiting", "offered"]),
                name="one_place_in_the_queue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} waiting for {self.event}"
