"""Committee elections: posts, candidates, the voter record and the ballots — kept apart.

Secret ballot (DESIGN.md): `VoteRecord` says who has voted for a post; `Ballot` says how someone
voted. Nothing joins them: a ballot has a random UUID key, no voter, no timestamp, no sequence, and
is written in the same transaction as the record but shares no key or time with it.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from quad.societies.models import Position, Society

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_receipt_code() -> str:
    return "-".join("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4)) for _ in range(3))


def new_seed() -> int:
    return secrets.randbelow(2**31)


class Election(models.Model):
    class Rules(models.TextChoices):
        ERS97 = "ers97", "ERS97 STV"

    class Ron(models.TextChoices):
        ORDINARY = "ordinary", "RON is an ordinary candidate (its seat is left vacant for new nominations)"
        PROTECTED = "protected", "RON is never excluded"

    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="elections")
    title = models.CharField(max_length=150)
    nominations_open_at = models.DateTimeField()
    nominations_close_at = models.DateTimeField()
    voting_open_at = models.DateTimeField()
    voting_close_at = models.DateTimeField()
    eligibility_cutoff = models.DateTimeField(help_text="Members with an active membership at this moment may vote.")
    complaints_close_at = models.DateTimeField(null=True, blank=True)
    term_starts_on = models.DateField(help_text="When the winners take office.")
    returning_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="elections_as_returning_officer"
    )
    rules = models.CharField(max_length=10, choices=Rules.choices, default=Rules.ERS97)
    ron = models.CharField(max_length=10, choices=Ron.choices, default=Ron.ORDINARY)
    seed = models.PositiveIntegerField(default=new_seed, help_text="Seeds any lot drawn to break a tie.")
    counted_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-voting_open_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominations_close_at__gt=models.F("nominations_open_at"))
                & Q(voting_open_at__gte=models.F("nominations_close_at"))
                & Q(voting_close_at__gt=models.F("voting_open_at")),
                name="election_windows_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("elections:election", kwargs={"pk": self.pk})

    @property
    def phase(self) -> str:
        """upcoming → nominations → waiting → voting → closed → counted → certified."""
        if self.certified_at:
            return "certified"
        if self.counted_at:
            return "counted"
        now = timezone.now()
        if now < self.nominations_open_at:
            return "upcoming"
        if now < self.nominations_close_at:
            return "nominations"
        if now < self.voting_open_at:
            return "waiting"
        if now < self.voting_close_at:
            return "voting"
        return "closed"


class Post(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(max_length=100)
    seats = models.PositiveSmallIntegerField(default=1)
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.SET_NULL, help_text="The committee position winners take."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="post_has_a_seat")]

    def __str__(self) -> str:
        return f"{self.name} ({self.seats} seat{'s' if self.seats != 1 else ''})"


class Candidate(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="candidacies"
    )
    is_ron = models.BooleanField(default=False, help_text="Re-open nominations.")
    manifesto = models.TextField(blank=True, help_text="Markdown.")
    photo = models.ImageField(upload_to="elections/", blank=True)
    nominated_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["is_ron", "user__display_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="stand_once_per_post"),
            models.UniqueConstraint(fields=["post"], condition=Q(is_ron=True), name="one_ron_per_post"),
            models.CheckConstraint(
                condition=Q(is_ron=True, user__isnull=True) | Q(is_ron=False, user__isnull=False),
                name="candidate_is_a_person_or_ron",
            ),
        ]

    def __str__(self) -> str:
        return "RON (re-open nominations)" if self.is_ron else str(self.user)

    @property
    def name(self) -> str:
        return str(self)


class VoteRecord(models.Model):
    """That someone has voted for a post: for turnout, reminders and to stop a second vote. Never how."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="vote_records")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "voter"], name="one_vote_per_post")]

    def __str__(self) -> str:
        return f"{self.voter} voted for {self.post}"


class Ballot(models.Model):
    """How someone voted — with no voter, no time and a random key, so it cannot be traced back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="ballots")
    ranking = models.JSONField(help_text="Candidate ids, first preference first.")
    receipt_code = models.CharField(max_length=20, unique=True, default=new_receipt_code)

    class Meta:
        ordering = ["id"]  # random: ballots are never listed in the order they were cast

    def __str__(self) -> str:
        return f"Ballot for {self.post}"


class CountResult(models.Model):
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="result")
    record = models.JSONField(help_text="The full count record, stage by stage.")
    sheet = models.TextField(help_text="The ERS-style result sheet.")
    winners = models.JSONField(help_text="Candidate ids in order of election.")
    vacant_seats = models.PositiveSmallIntegerField(default=0)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    counted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result for {self.post}"


class Complaint(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="complaints")
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Complaint about {self.election}"
