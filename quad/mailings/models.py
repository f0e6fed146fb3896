"""Society email: a mailing to an audience, delivered once to each recipient.

A mailing's recipients are fixed when it starts: one Delivery row per person (queued -> claimed ->
sending -> sent, or failed with the reason). Workers claim deliveries in batches and send each over
a reused SMTP connection; a delivery's status is committed before and after it goes on the wire,
so a worker killed mid-send leaves at most one delivery in doubt, and that one is sent again with
the same Message-ID (see services.delivery and docs/mailings.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from quad.events.models import Event
from quad.memberships.models import MembershipType
from quad.news.models import Article
from quad.societies.models import Society


class Mailing(models.Model):
    class Audience(models.TextChoices):
        MEMBERS = "members", "All current members"
        MEMBERSHIP_TYPE = "membership_type", "Members of one membership type"
        TICKET_HOLDERS = "ticket_holders", "Ticket holders of an event"
        WAITING_LIST = "waiting_list", "An event's waiting list"
        COMMITTEE = "committee", "The committee"

    class Kind(models.TextChoices):
        NEWS = "news", "News: members who turned off news mail do not get it"
        ESSENTIAL = "essential", "Essential: a change to an event, for the people it affects"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="mailings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    membership_type = models.ForeignKey(MembershipType, null=True, blank=True, on_delete=models.SET_NULL)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEWS)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=20000)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="mailings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # When it goes (or went): what the committee asked for, moved to the morning by quiet hours.
    send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    held_for_quiet_hours = models.BooleanField(default=False)
    urgent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["society", "started_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("mailings:mailing", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Claimed by a worker"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # A send interrupted after it went on the wire is sent again with the same Message-ID.
    resent_after_interruption = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailing", "email"], name="one_delivery_per_address")]
        indexes = [models.Index(fields=["mailing", "status"])]

    def __str__(self) -> str:
        return f"{self.mailing_id} → {self.email}: {self.status}"


class NewsPreference(models.Model):
    """A member's choice about a society's news mail. No row: they get it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_preferences")
    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="+")
    receive = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "society"], name="one_news_preference")]

    def __str__(self) -> str:
        return f"{self.user_id} {'gets' if self.receive else 'does not get'} news from {self.society_id}"


class WelcomeEmail(models.Model):
    """What a new member of the society gets; the committee edits it. No row: the default text."""

    society = models.OneToOneField(Society, on_delete=models.CASCADE, related_name="welcome_email")
    enabled = models.BooleanField(default=True)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=20000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.subject
