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
