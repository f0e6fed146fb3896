from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Something that matters happened: who did it, a stable dotted action name, to what.

    Written in the same transaction as the change it records. `scope` groups events
    for browsing (for example ``society:12``) without core knowing about societies.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    scope = models.CharField(max_length=100, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope", "-created_at"], name="core_audit_scope_recent")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"

    @property
    def summary(self) -> dict[str, Any]:
        return self.data


class DataAccess(models.Model):
    """Someone looked at or took away other people's personal data: a member list, an attendee list, an
    export, a case's evidence, a person's page in the console. Who, when, what, and (through
    `DataAccessSubject`) whose, so a student can see who has seen their data and staff can read it per
    society and per person. Written by `quad.core.access_log.record_access`."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    what = models.CharField(max_length=200)
    scope = models.CharField(max_length=100, blank=True, db_index=True)
    subject_count = models.PositiveIntegerField(default=0)
    # Views of conduct evidence: recorded for staff, but not listed to the people in the evidence, who
    # would otherwise learn that they were reported and who is looking into it (UK DPA 2018, sch. 2).
    confidential = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.what}"


class DataAccessSubject(models.Model):
    access = models.ForeignKey(DataAccess, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["access", "user"], name="core_access_subject_once")]
        indexes = [models.Index(fields=["user", "access"], name="core_access_subject_user")]

    def __str__(self) -> str:
        return f"{self.access_id}: user {self.user_id}"
