from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class Power(models.TextChoices):
    """What a committee position lets its holder do (guidance O11: only what they need)."""

    MANAGE_SITE = "site", "Manage the mini site"
    MANAGE_COMMITTEE = "committee", "Manage committee positions and terms"
    EVENTS = "events", "Manage events and tickets"
    SHOP = "shop", "Manage the shop"
    FINANCE = "finance", "Finance and refunds"
    EMAIL = "email", "Email members"
    MODERATE = "moderate", "Moderate group chats"
    ELECTIONS = "elections", "Run elections"
    MEMBER_DATA = "member_data", "View member data"


DEFAULT_POSITIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("President", tuple(Power.values)),
    ("Treasurer", (Power.MANAGE_SITE, Power.FINANCE, Power.SHOP, Power.MEMBER_DATA)),
    (
        "Secretary",
        (Power.MANAGE_SITE, Power.EVENTS, Power.EMAIL, Power.MODERATE, Power.ELECTIONS, Power.MEMBER_DATA),
    ),
)


class Category(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Society(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Awaiting approval"
        REJECTED = "rejected", "Not approved"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        FOLDED = "folded", "Folded"

    # Statuses whose mini site anyone may see.
    PUBLIC_STATUSES = (Status.ACTIVE, Status.SUSPENDED, Status.FOLDED)

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=110, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="societies")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED, db_index=True)

    # The mini site (guidance O2, O8).
    purpose = models.TextField(help_text="What the society is for. Markdown.")
    meeting_info = models.TextField(blank=True, help_text="When and where you meet.")
    contact_email = models.EmailField(blank=True, help_text="A society address, never a personal one.")
    logo = models.ImageField(upload_to="societies/logos/", blank=True)
    site_updated_at = models.DateTimeField(null=True, blank=True)

    # The application and lifecycle.
    constitution = models.TextField()
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="society_applications"
    )
    applied_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True, help_text="Why it was rejected, suspended or folded.")
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "societies"
        constraints = [models.UniqueConstraint(Lower("name"), name="society_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("societies:mini-site", kwargs={"slug": self.slug})

    @property
    def audit_scope(self) -> str:
        return f"society:{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES


class ProposedCommitteeMember(models.Model):
    """A student named on the application; their seat becomes a term on approval."""

    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="proposed_committee")
    email = models.EmailField()
    position_name = models.CharField(max_length=60)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    seated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["society", "email"], name="proposed_member_once")]

    def __str__(self) -> str:
        return f"{self.position_name}: {self.email}"


class Position(models.Model):
    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="positions")
    name = models.CharField(max_length=60)
    powers = models.JSONField(default=list, help_text="Codes from Power.")
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["society", "name"], name="position_name_per_society")]

    def __str__(self) -> str:
        return self.name

    @property
    def power_labels(self) -> list[str]:
        return [label for value, label in Power.choices if value in self.powers]


class CommitteeTerm(models.Model):
    """A student holds a position from one date to another. Powers follow the dates: no job needed."""

    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="terms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_terms")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="terms")
    starts_on = models.DateField()
    ends_on = models.DateField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position__order", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start")
        ]
        indexes = [models.Index(fields=["user", "ends_on"], name="societies_term_user_end")]

    def __str__(self) -> str:
        return f"{self.user} — {self.position} ({self.starts_on:%d %b %Y} to {self.ends_on:%d %b %Y})"

    def is_current_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class SocialLink(models.Model):
    class Platform(models.TextChoices):
        INSTAGRAM = "instagram", "Instagram"
        FACEBOOK = "facebook", "Facebook"
        TIKTOK = "tiktok", "TikTok"
        X = "x", "X"
        YOUTUBE = "youtube", "YouTube"
        DISCORD = "discord", "Discord"
        LINKEDIN = "linkedin", "LinkedIn"
        WEBSITE = "website", "Website"

    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="social_links")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    url = models.URLField(max_length=300)

    class Meta:
        ordering = ["platform"]
        constraints = [models.UniqueConstraint(fields=["society", "platform"], name="one_link_per_platform")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.url}"


class FAQItem(models.Model):
    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="faq")
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Markdown.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "FAQ item"

    def __str__(self) -> str:
        return self.question


class HandoverNote(models.Model):
    """The outgoing committee's notes for the committee of the academic year starting `year_start`."""

    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="handovers")
    year_start = models.DateField(help_text="First day of the incoming committee's academic year.")
    work_in_flight = models.TextField(help_text="What is under way that the new committee must pick up.")
    external_accounts = models.TextField(
        help_text="Accounts the society runs outside Quad and who should own them. Never passwords."
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year_start"]
        constraints = [models.UniqueConstraint(fields=["society", "year_start"], name="one_handover_per_year")]

    def __str__(self) -> str:
        return f"Handover for {self.society} {self.year_start:%Y}"

    @property
    def is_complete(self) -> bool:
        return self.acknowledged_at is not None
