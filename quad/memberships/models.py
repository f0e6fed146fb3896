from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from quad.commerce.models import Product, Quota, Variant
from quad.societies.models import Society


class MembershipType(models.Model):
    """A kind of membership a society sells for one academic year ("Full member", "Associate").

    Price, sale period and any limit on numbers live on the commerce product, variant and quota
    it owns, so there is one place each is stored.
    """

    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="membership_types")
    year_start = models.DateField(help_text="First day of the academic year it is for.")
    year_end = models.DateField(help_text="Last day: memberships end then.")
    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="membership_type")
    variant = models.OneToOneField(Variant, on_delete=models.PROTECT, related_name="membership_type")
    quota = models.OneToOneField(Quota, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year_start", "variant__price_pence"]

    def __str__(self) -> str:
        return f"{self.product.name} {self.year_start:%Y}/{self.year_end:%y}"

    @property
    def name(self) -> str:
        return self.product.name

    @property
    def price_pence(self) -> int:
        return self.variant.price_pence


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Ended with the academic year"
        REFUNDED = "refunded", "Refunded"
        REMOVED = "removed", "Removed by the committee"
        GRADUATED = "graduated", "Ended on graduating"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="memberships")
    membership_type = models.ForeignKey(MembershipType, on_delete=models.PROTECT, related_name="memberships")
    order_line = models.OneToOneField(
        "commerce.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="membership"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "society", "ends_on"],
                condition=Q(status="active"),
                name="one_active_membership_per_year",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="membership_ends_after_start"),
        ]
        indexes = [models.Index(fields=["society", "status", "ends_on"], name="memberships_current")]

    def __str__(self) -> str:
        return f"{self.user} in {self.society} until {self.ends_on:%d %b %Y}"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.starts_on <= day <= self.ends_on


class GraduateDeparture(models.Model):
    """What the graduate sweep did for one person: warned before the course ends, swept after.

    One row per person, so running the sweep again changes nothing.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="graduate_departure")
    course_ended_on = models.DateField()
    warned_at = models.DateTimeField(null=True, blank=True)
    swept_at = models.DateTimeField(null=True, blank=True)
    memberships_ended = models.PositiveIntegerField(default=0)
    committee_terms_ended = models.PositiveIntegerField(default=0)
    notified = models.BooleanField(default=False)
    # What the sweep ended, in words fit for the off-boarding report ("Member of Hiking Society (2026/27)",
    # "Treasurer of Hiking Society"): kept as text because the terms it withdraws are deleted.
    removed_from = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user} graduated {self.course_ended_on:%d %b %Y}"
