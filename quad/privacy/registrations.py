"""Core's personal data (the audit log and the access log) and the retention kinds that belong to no
single app: audit events, the access log and former members' accounts. Core cannot register itself
(its ready() runs before any user model exists to describe), so the privacy app does it."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from quad.accounts.personal_data import erased_name, json_text_forms, redact, redact_rows
from quad.core.models import AuditEvent, DataAccess, DataAccessSubject
from quad.core.personal_data import (
    Erasure,
    ExportSection,
    Holding,
    PersonalData,
    RetentionKind,
    iso,
    register,
    register_retention,
)


def _export(user: Any) -> list[ExportSection]:
    did = AuditEvent.objects.filter(actor=user).order_by("created_at", "id")
    seen = (
        DataAccess.objects.filter(subjects__user=user, confidential=False)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    looked = DataAccess.objects.filter(actor=user).order_by("created_at", "id")
    return [
        ExportSection(
            "Things you did that Quad recorded",
            [{"when": iso(e.created_at), "action": e.action, "on": e.target_repr} for e in did],
        ),
        ExportSection(
            "Who viewed your personal data",
            [
                {"when": iso(a.created_at), "who": str(a.actor) if a.actor else "", "what": a.what, "action": a.action}
                for a in seen
            ],
        ),
        ExportSection(
            "Other people's data you viewed",
            [{"when": iso(a.created_at), "what": a.what, "people": a.subject_count} for a in looked],
        ),
    ]


def _redacted(value: Any, user: Any) -> Any:
    if isinstance(value, dict):
        return {key: _redacted(item, user) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, user) for item in value]
    if isinstance(value, str):
        return redact(value, user)
    return value


def _erase(user: Any, erasure: Erasure) -> None:
    """Audit events stay (they are the trail of what happened) but lose the person's address and name,
    wherever they appear: descriptions of what an event was about, and any recorded value (a reason, a
    note, an address). Runs after every other app's eraser, so it also cleans what they just recorded."""
    stub = erased_name(user)
    about_them = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(user.pk))
    described = about_them.exclude(target_repr=stub).update(target_repr=stub)
    described += redact_rows(AuditEvent.objects.exclude(pk__in=about_them.values("pk")), ["target_repr"], user)
    erasure.count("audit events describing the person", described)
    text = Cast("data", TextField())
    naming = Q(text__icontains=user.email)
    for form in json_text_forms(user.display_name) if user.display_name else ():
        naming |= Q(text__contains=form)
    scrubbed = 0
    for event in AuditEvent.objects.annotate(text=text).filter(naming):
        cleaned = _redacted(event.data, user)
        if cleaned != event.data:
            event.data = cleaned
            event.save(update_fields=["data"])
            scrubbed += 1
    erasure.count("audit events naming the person", scrubbed)
    deleted, _ = DataAccessSubject.objects.filter(user=user).delete()
    erasure.count("access log entries about the person", deleted)


register(
    PersonalData(
        app="core",
        title="Audit and access logs",
        models=("core.AuditEvent", "core.DataAccess", "core.DataAccessSubject"),
        holdings=(
            Holding(
                what="A record of changes you make (for example approving a refund or posting a notice), with the time",
                why="So the union can account for decisions, money and moderation",
                basis="Legitimate interests; legal obligation for financial records",
                kept=f"{settings.RETENTION_AUDIT_EVENTS_DAYS} days",
            ),
            Holding(
                what="Who viewed member lists, attendee lists, exports and case evidence, and whose data they showed",
                why="So you and the union can see who has seen your data (accountability)",
                basis="Legal obligation (GDPR accountability)",
                kept=f"{settings.RETENTION_ACCESS_LOG_DAYS} days",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)


def _older(days: int, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def _sweep_audit(now: datetime.datetime) -> int:
    deleted, _ = AuditEvent.objects.filter(created_at__lt=_older(settings.RETENTION_AUDIT_EVENTS_DAYS, now)).delete()
    return deleted


def _sweep_access(now: datetime.datetime) -> int:
    old = DataAccess.objects.filter(created_at__lt=_older(settings.RETENTION_ACCESS_LOG_DAYS, now))
    count = old.count()
    old.delete()
    return count


def _sweep_former_members(now: datetime.datetime) -> int:
    from quad.privacy import retention

    return retention.erase_former_members(now)


register_retention(
    RetentionKind(
        "audit_events",
        "Audit events",
        "RETENTION_AUDIT_EVENTS_DAYS",
        _sweep_audit,
        "The record of who did what, including the trail of money.",
    )
)
register_retention(
    RetentionKind(
        "access_log", "Access log", "RETENTION_ACCESS_LOG_DAYS", _sweep_access, "Who viewed whose personal data."
    )
)
register_retention(
    RetentionKind(
        "former_members",
        "Former members' accounts",
        "RETENTION_FORMER_MEMBERS_DAYS",
        _sweep_former_members,
        "Accounts of students whose course ended this long ago and who have not signed in since are erased.",
    )
)
