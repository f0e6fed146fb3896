"""The code of conduct in group chats: reports with evidence, the union's cases, and sanctions.

A member reports a message or a member under a category (guidance O7). The report keeps a copy of the
message and those around it as they were (the evidence), so later edits, deletion or the retention sweep
cannot change it. Reports in the five zero-tolerance categories go straight to union staff; the rest go
to the group's moderators, who dismiss them, hide the message, or escalate them to staff. Whatever staff
receive is handled as a Case: a report, an automatic flag, or a removal (W13), with notes, an outcome,
escalation to elected officers, and platform-wide suspension.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from quad.chat.models import ChatGroup, Message
from quad.societies.models import Society


class Category(models.TextChoices):
    SEXUAL_HARASSMENT = "sexual_harassment", "Sexual harassment"
    DISCRIMINATION = "discrimination", "Discrimination"
    ABUSE = "abuse", "Abuse or unwanted attention"
    THREATS = "threats", "Threats or violence"
    BULLYING = "bullying", "Bullying"
    OTHER = "other", "Something else"


# The union's zero-tolerance list (guidance O7): these never wait for a society's committee.
ZERO_TOLERANCE = frozenset(
    {Category.SEXUAL_HARASSMENT, Category.DISCRIMINATION, Category.ABUSE, Category.THREATS, Category.BULLYING}
)


def evidence_rows(evidence: Any) -> list[dict[str, Any]]:
    """The stored copy of messages, for a template: times as datetimes, anything malformed left out."""
    rows = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            continue
        row = dict(item)
        if isinstance(row.get("at"), str):
            try:
                row["at"] = datetime.datetime.fromisoformat(row["at"])
            except ValueError:
                row["at"] = None
        rows.append(row)
    return rows


def evidence_authors(evidence: Any) -> set[int]:
    """The accounts whose messages a stored copy holds (removals' copies name the subject only)."""
    items = evidence if isinstance(evidence, list) else []
    return {item["author_id"] for item in items if isinstance(item, dict) and isinstance(item.get("author_id"), int)}


class Case(models.Model):
    """One incident, as union staff handle it (guidance O19)."""

    class Source(models.TextChoices):
        REPORT = "report", "Report"
        FLAG = "flag", "Automatic flag"
        REMOVAL = "removal", "Removal from a group"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Investigating"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        NONE = "", "Not decided"
        NO_ACTION = "no_action", "No action"
        WARNING = "warning", "Warning"
        REMOVAL = "removal", "Removal"
        SUSPENSION = "suspension", "Platform suspension"
        REFERRAL = "referral", "Referral to the university's disciplinary procedure"

    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN, db_index=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True, default=Outcome.NONE)
    outcome_note = models.TextField(max_length=4000, blank=True)
    group = models.ForeignKey(ChatGroup, on_delete=models.PROTECT, related_name="+")
    society = models.ForeignKey(Society, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="conduct_cases"
    )
    subject_name = models.CharField(max_length=80, blank=True, help_text="Their display name when the case opened.")
    # A flag's message; a report's message is on the report.
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(max_length=200)
    # A copy of the messages as they were (flags and removals; each report carries its own).
    evidence = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The member of union staff handling it (services.assign_case); empty: nobody has taken it yet.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) & ~Q(outcome="")
                | (~Q(status="closed") & Q(closed_at__isnull=True, outcome="")),
                name="conduct_case_closed_with_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("conduct:case", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def evidence_rows(self) -> list[dict[str, Any]]:
        return evidence_rows(self.evidence)

    @property
    def people_in_evidence(self) -> set[int]:
        """Whose personal data its evidence shows: the subject and every author in the copy."""
        return evidence_authors(self.evidence) | ({self.subject_id} if self.subject_id else set())


class Report(models.Model):
    class About(models.TextChoices):
        MESSAGE = "message", "A message"
        MEMBER = "member", "A member"

    class Route(models.TextChoices):
        MODERATORS = "moderators", "The group's moderators"
        STAFF = "staff", "Union staff"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Action(models.TextChoices):
        NONE = "", "Nothing yet"
        DISMISSED = "dismissed", "Dismissed"
        HIDDEN = "hidden", "Message hidden"
        ESCALATED = "escalated", "Escalated to union staff"

    class Escalation(models.TextChoices):
        NONE = "", "With the moderators"
        ZERO_TOLERANCE = "zero_tolerance", "A zero-tolerance category"
        ABOUT_A_MODERATOR = "about_moderator", "About one of the group's moderators"
        NO_MODERATORS = "no_moderators", "The group has no moderators of its own"
        BY_MODERATOR = "by_moderator", "Escalated by a moderator"
        OVERDUE = "overdue", "No moderator acted in time"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="conduct_reports"
    )
    group = models.ForeignKey(ChatGroup, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=10, choices=About.choices)
    # The reported message, while it exists; the evidence keeps its text whatever happens to it.
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_name = models.CharField(max_length=80, blank=True, help_text="Their display name when reported.")
    category = models.CharField(max_length=20, choices=Category.choices)
    note = models.TextField(max_length=2000, blank=True)
    evidence = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    routed_to = models.CharField(max_length=10, choices=Route.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    # What the moderators did, and who: union staff see who; members never do.
    action = models.CharField(max_length=10, choices=Action.choices, blank=True, default=Action.NONE)
    acted_at = models.DateTimeField(null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_note = models.CharField(max_length=300, blank=True)
    escalation = models.CharField(max_length=20, choices=Escalation.choices, blank=True, default=Escalation.NONE)
    escalated_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "message"], condition=Q(message__isnull=False), name="conduct_one_report_each"
            ),
            # With the moderators, nobody has escalated it; with staff, the record says why.
            models.CheckConstraint(
                condition=Q(routed_to="moderators", escalation="", escalated_at__isnull=True)
                | (Q(routed_to="staff", escalated_at__isnull=False) & ~Q(escalation="")),
                name="conduct_report_escalation_says_why",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | Q(status="open", closed_at__isnull=True),
                name="conduct_report_closed_at",
            ),
        ]

    def __str__(self) -> str:
        # No names: this is what the audit log shows.
        return f"Report {self.pk} ({self.get_category_display()})"

    @property
    def evidence_rows(self) -> list[dict[str, Any]]:
        return evidence_rows(self.evidence)

    @property
    def people_in_evidence(self) -> set[int]:
        """Whose personal data the report shows: who reported, who is reported, every author in the copy."""
        named = {self.reporter_id, self.reported_user_id}
        return evidence_authors(self.evidence) | {pk for pk in named if pk is not None}

    @property
    def is_zero_tolerance(self) -> bool:
        return self.category in ZERO_TOLERANCE

    @property
    def progress(self) -> str:
        """What the reporter is told: where it is, never who acted."""
        if self.status == self.Status.CLOSED:
            return "Closed"
        if self.routed_to == self.Route.STAFF:
            return "With union staff"
        return "With the group's moderators"


class FlagReview(models.Model):
    """What the moderators (or staff) did about a message the automatic scorer flagged. Flags are never
    acted on automatically: a person reviews each."""

    class Action(models.TextChoices):
        DISMISSED = "dismissed", "Dismissed"
        HIDDEN = "hidden", "Message hidden"
        ESCALATED = "escalated", "Escalated to union staff"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    acted_at = models.DateTimeField(auto_now_add=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Flag on {self.message}: {self.get_action_display()}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.case}"


class OfficerEscalation(models.Model):
    """A case put before a named elected officer (guidance O18). Officers are users marked `is_officer`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    escalated_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["escalated_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="conduct_one_escalation_each")]

    def __str__(self) -> str:
        return f"{self.case} to {self.officer}"


class Suspension(models.Model):
    """Platform-wide: while it lasts the person cannot post in or join any group chat."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conduct_suspensions")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="suspensions")
    reason = models.TextField(max_length=2000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until lifted.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="conduct_suspension_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"Suspension of {self.user}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.lifted_at is None and self.starts_at <= now and (self.ends_at is None or self.ends_at > now)
