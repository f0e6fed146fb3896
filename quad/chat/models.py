"""Group chats that replace WhatsApp groups: members only, by display name, never by phone number.

A group belongs to a society (its committee runs it) or to the union (staff run it, for student reps and
course officers). People join through an invite link that admits only eligible, signed-in students, and
accept the group's guidelines, which are versioned: a new version is accepted again before reading on.
Messages carry a per-group sequence number, given in the transaction that saves them, so a client that
reconnects catches up from the last number it saw.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from quad.societies.models import Society


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


class ChatGroup(models.Model):
    class Kind(models.TextChoices):
        SOCIETY = "society", "Society group"
        REP = "rep", "Union group for student reps"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SOCIETY)
    society = models.ForeignKey(Society, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_groups")
    name = models.CharField(max_length=60)
    purpose = models.TextField(max_length=1000, help_text="Shown before anyone joins (guidance W3).")
    announcements_only = models.BooleanField(default=False, help_text="Only moderators post; members read and react.")
    slow_mode_seconds = models.PositiveIntegerField(default=0, help_text="Seconds a member waits between messages.")
    # Quiet hours for this group; empty: the union's (QUIET_HOURS_START/END).
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    invite_token = models.CharField(max_length=40, unique=True, default=new_invite_token)
    invite_rotated_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="rep", society__isnull=True) | models.Q(kind="society", society__isnull=False),
                name="chat_group_owner_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chat:group", kwargs={"pk": self.pk})


class Guidelines(models.Model):
    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="guidelines")
    version = models.PositiveIntegerField()
    text = models.TextField(max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["group", "version"], name="one_guidelines_version")]

    def __str__(self) -> str:
        return f"{self.group} guidelines v{self.version}"


class GroupMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    accepted_version = models.PositiveIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    read_only_until = models.DateTimeField(null=True, blank=True)
    read_only_reason = models.CharField(max_length=300, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Removal (guidance W12) is for good: no link ever admits them to this group again.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_chat_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"

    @property
    def is_present(self) -> bool:
        return self.left_at is None and self.removed_at is None


class RepEligibility(models.Model):
    """Who may join a union rep group: the students staff chose (guidance W9)."""

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="eligible")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_rep_eligibility")]

    def __str__(self) -> str:
        return f"{self.user} may join {self.group}"


class Message(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        NOTICE = "notice", "Moderator notice"

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    body = models.TextField(max_length=4000)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator (guidance O17): members no longer see it; staff still can, as evidence.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    # The automatic scorer's verdict, filled in after the message is saved (off the request path).
    flag_score = models.FloatField(null=True, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "seq"]
        constraints = [models.UniqueConstraint(fields=["group", "seq"], name="one_message_per_seq")]

    def __str__(self) -> str:
        return f"{self.group} #{self.seq}"

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class Reaction(models.Model):
    EMOJI = ("👍", "❤️", "😂", "😮", "😢", "🎉")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=[(e, e) for e in EMOJI])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user", "emoji"], name="one_reaction_each")]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message}"


class Mention(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_mentions")
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_mention_each")]

    def __str__(self) -> str:
        return f"{self.user} in {self.message}"


class ScheduledPost(models.Model):
    """A message written in quiet hours and kept for the morning (guidance W15)."""

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="scheduled_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=4000)
    send_at = models.DateTimeField(db_index=True)
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.group} at {self.send_at:%H:%M}"


class InviteSend(models.Model):
    """One invite email to one person for one invite link (guidance W5, W9): pressing "Email the invite"
    again emails only those who have not had this link, so nobody gets it twice. A new link starts afresh."""

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="invite_sends")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=40)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user", "token"], name="one_invite_email_per_link")]

    def __str__(self) -> str:
        return f"Invite to {self.group} for user {self.user_id}"


class NoticeText(models.Model):
    """A group's own wording of a one-click moderator notice (the defaults are in guidelines.py)."""

    class Kind(models.TextChoices):
        GUIDELINES = "guidelines", "Post the guidelines"
        OFF_TOPIC = "off_topic", "Off topic: suggest a social group"
        NOT_TOLERATED = "not_tolerated", "This behaviour is not tolerated"

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="notice_texts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(max_length=2000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "kind"], name="one_notice_text_per_kind")]

    def __str__(self) -> str:
        return f"{self.group}: {self.kind}"


class ModeratorThread(models.Model):
    """A private conversation between a group's moderators and one member about their behaviour
    (guidance W11, O16). The member sees "the moderators", never which moderator wrote."""

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="moderator_threads")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_threads")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Moderators of {self.group} with user {self.member_id}"

    def get_absolute_url(self) -> str:
        return reverse("chat:thread", kwargs={"pk": self.pk})


class ThreadMessage(models.Model):
    thread = models.ForeignKey(ModeratorThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_moderators = models.BooleanField()
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.thread} at {self.created_at:%Y-%m-%d %H:%M}"


class InviteRequest(models.Model):
    """A rep group's moderator asks the union to let more people join (guidance W9: the union chooses who
    may join its groups, so a rep asks and staff decide). Approving makes the addresses eligible, exactly as
    staff choosing them on the group's page does."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the union"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, related_name="invite_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="chat_invite_requests"
    )
    emails = models.TextField(help_text="The addresses asked for, one a line.")
    note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=1000, blank=True)
    not_added = models.TextField(
        blank=True, help_text="Addresses approval could not make eligible (no current student's account), one a line."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Decided means decided by someone at a time; a decline always says why.
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (models.Q(status="approved") & models.Q(decided_at__isnull=False))
                | (models.Q(status="declined", decided_at__isnull=False) & ~models.Q(decision_note="")),
                name="chat_invite_request_decided",
            )
        ]

    def __str__(self) -> str:
        # No addresses: this is what the audit log shows.
        return f"Invite request {self.pk} for {self.group}"

    @property
    def addresses(self) -> list[str]:
        return [line for line in self.emails.splitlines() if line]

    @property
    def not_added_addresses(self) -> list[str]:
        return [line for line in self.not_added.splitlines() if line]

    @property
    def anyone_added(self) -> bool:
        """Approved with at least one address that may now join."""
        return self.status == self.Status.APPROVED and len(self.not_added_addresses) < len(self.addresses)
