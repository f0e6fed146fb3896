"""Writing audit events. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from django.db import models

from quad.core.models import AuditEvent


def record(
    action: str,
    *,
    actor: Any,
    target: models.Model | None = None,
    scope: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        scope=scope,
        data=data or {},
    )
