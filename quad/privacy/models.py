"""Records of what the privacy tools did. None of them holds personal data of their own: an erasure
record points at the anonymous stub the account became."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ErasureRecord(models.Model):
    """One erasure: when, who carried it out (the person themselves, or union staff and why), what each
    app removed and what was kept and why."""

    created_at = models.DateTimeField(auto_now_add=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_themselves = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    removed = models.JSONField(default=dict)
    kept = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure of account {self.user_id}"


class RetentionRun(models.Model):
    """One run of the daily retention sweep: how many records of each kind it removed."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    removed = models.JSONField(default=dict)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Retention sweep {self.started_at:%Y-%m-%d %H:%M}: {self.total} removed"
