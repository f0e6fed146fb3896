"""Subject access exports, erasure and the retention sweep, run across every app's registration in
`quad.core.personal_data`. Views call these; nothing else in this app writes."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from quad.accounts.models import User
from quad.core import audit
from quad.core.access_log import record_access
from quad.core.personal_data import Erasure, ExportSection, PersonalData, registered, retention_kinds
from quad.privacy.errors import PrivacyError
from quad.privacy.models import ErasureRecord, RetentionRun

# --- Subject access ------------------------------------------------------------------------------


def collect(user: User) -> list[tuple[PersonalData, list[ExportSection]]]:
    """Every app's sections about the person, apps with nothing to say left out."""
    found = []
    for entry in registered():
        sections = [section for section in entry.export(user) if section.rows]
        if sections:
            found.append((entry, sections))
    return found


def export_document(user: User, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "generated_at": now.isoformat(),
        "account_id": user.pk,
        "parts": [
            {
                "app": entry.app,
                "title": entry.title,
                "sections": [
                    {"title": section.title, "note": section.note, "rows": [dict(row) for row in section.rows]}
                    for section in sections
                ],
            }
            for entry, sections in collect(user)
        ],
    }


def build_export(user: User, *, now: datetime.datetime | None = None) -> bytes:
    """The zip a person downloads: data.json (machine-readable, article 20) and index.html (readable)."""
    document = export_document(user, now=now)
    data = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    page = render_to_string("privacy/export_document.html", {"document": document, "person": user})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", data)
        archive.writestr("index.html", page)
    return buffer.getvalue()


def produce_export(user: User, *, actor: Any) -> bytes:
    """Build a person's export for them, or for union staff acting on their request (logged as an access
    to the person's data and audited; the view has already asked staff to sign in again)."""
    content = build_export(user)
    with transaction.atomic():
        if actor.pk == user.pk:
            audit.record("privacy.export.downloaded", actor=actor, target=user, scope="union")
        else:
            audit.record("privacy.export.produced", actor=actor, target=user, scope="union")
            record_access(
                actor, "privacy.export.produced", what="Subject access export", scope="union", subjects=[user.pk]
            )
    return content


# --- Erasure ---------------------------------------------------------------------------------------

# Two people pressing Erase at once (the person and staff, or two staff): the account row is locked
# first, so the second waits, then finds it erased. Only the race test's control turns this off.
LOCK_ACCOUNT = True


def erasure_refusals(user: User) -> list[str]:
    """Why this account cannot be erased now (empty when it can)."""
    if user.erased_at is not None:
        return ["This account has already been erased."]
    return [reason for entry in registered() if entry.refuse is not None for reason in entry.refuse(user)]


def _erasure_order() -> list[PersonalData]:
    """Highest app first; then core's logs, so they also lose what other erasers just recorded (ending a
    committee term writes an audit event naming the person); the account itself last, since every other
    eraser reads the person's address and name from it."""
    entries = list(reversed(registered()))
    last = {"core": 1, "accounts": 2}
    return sorted(entries, key=lambda entry: last.get(entry.app, 0))


def erase_account(user: User, *, actor: Any, reason: str = "") -> ErasureRecord:
    """Erase a person's personal data in every app, in one transaction: all of it or none.

    `actor` is the person themselves, union staff (a reason is required), or None for the retention
    sweep. The account row stays as an anonymous stub so that orders, payments, results and counts stay true.
    Each app's eraser runs, highest app first, then the logs, the account itself last.
    """
    by_themselves = actor is not None and actor.pk == user.pk
    if not by_themselves and not reason.strip():
        raise PrivacyError("Give the reason for erasing this account (for example, the person's request).")
    with transaction.atomic():
        accounts = User.objects.select_for_update() if LOCK_ACCOUNT else User.objects.all()
        person = accounts.get(pk=user.pk)
        if reasons := erasure_refusals(person):
            raise PrivacyError(" ".join(reasons))
        erasure = Erasure(user_id=person.pk)
        for entry in _erasure_order():
            entry.erase(person, erasure)
        # The accounts eraser anonymises the row; whatever else happened, it is now an erased stub.
        User.objects.filter(pk=person.pk, erased_at__isnull=True).update(erased_at=timezone.now())
        person.refresh_from_db()
        record = ErasureRecord.objects.create(
            user=person,
            erased_by=actor if actor is not None and not by_themselves else None,
            by_themselves=by_themselves,
            reason=reason.strip()[:300],
            removed=erasure.removed,
            kept=erasure.kept,
        )
        audit.record(
            "privacy.account.erased",
            actor=actor if actor is not None and not by_themselves else None,
            target=person,
            scope="union",
            data={"by_themselves": by_themselves, "removed": erasure.removed, "kept": erasure.kept},
        )
    return record


def finish_erasure(user_ids: set[int], *, why: str) -> None:
    """Erased people whose data an open case or report held (kept, said their erasure record) lose it as
    soon as it closes: every app's eraser runs again for them, inside the closing transaction, and the
    erasure record is brought up to date. Nothing happens for anyone not erased."""
    for person in User.objects.select_for_update().filter(pk__in=user_ids, erased_at__isnull=False).order_by("pk"):
        erasure = Erasure(user_id=person.pk)
        for entry in _erasure_order():
            if entry.app != "accounts":  # the account is already the anonymous stub
                entry.erase(person, erasure)
        record = ErasureRecord.objects.select_for_update().filter(user=person).first()
        if record is not None:
            for what, n in erasure.removed.items():
                record.removed[what] = record.removed.get(what, 0) + n
            record.kept = erasure.kept
            record.save(update_fields=["removed", "kept"])
        audit.record(
            "privacy.erasure.finished",
            actor=None,
            target=person,
            scope="union",
            data={"why": why, "removed": erasure.removed, "still_kept": erasure.kept},
        )


# --- Retention -------------------------------------------------------------------------------------


def apply_retention(*, now: datetime.datetime | None = None) -> RetentionRun:
    """Run every registered retention kind once and record what each removed. Each sweep is
    idempotent, so a second run straight after removes nothing."""
    started = now or timezone.now()
    removed = {kind.key: kind.sweep(started) for kind in retention_kinds()}
    total = sum(removed.values())
    finished = max(timezone.now(), started)
    with transaction.atomic():
        run = RetentionRun.objects.create(started_at=started, finished_at=finished, removed=removed, total=total)
        if total:
            audit.record("privacy.retention.swept", actor=None, scope="union", data=removed)
    return run
