"""What accounts holds about a person (the account, its addresses, sign-in factors, sessions and GDPR
training), registered with `quad.core.personal_data`; and the small helpers the apps above use to erase
what they hold in the same way (the stub's name, redacting free text, audit descriptions).

The account eraser runs last of all: the row stays as an anonymous stub ("Erased member 42") that orders,
results and history keep pointing at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q
from django.utils import timezone

from quad.accounts.models import TrainingRecord, User
from quad.core.models import AuditEvent
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register

ERASED = "[erased]"

# Session engines whose sessions live in the database, where they can be found and deleted.
DATABASE_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


# --- Helpers for every app's eraser ----------------------------------------------------------------


def erased_name(user: Any) -> str:
    """The display name an erased account keeps, and what replaces the person's name elsewhere."""
    return f"Erased member {user.pk}"


def erased_email(user: Any) -> str:
    return f"erased-{user.pk}@erased.invalid"


def redact(text: str, user: Any) -> str:
    """`text` (written by someone else) with the person's email address and display name replaced by
    the stub's name. Call before the account itself is erased, while `user` still has both."""
    if not text:
        return text
    stub = erased_name(user)
    if user.email:
        text = re.sub(re.escape(user.email), stub, text, flags=re.IGNORECASE)
    if user.display_name:
        # Whole words only: erasing "Sam" leaves "Samantha" alone.
        text = re.sub(rf"(?<!\w){re.escape(user.display_name)}(?!\w)", stub, text)
    return text


def json_text_forms(value: str) -> set[str]:
    """How `value` may appear in a JSON column read as text: as written (PostgreSQL's jsonb) and with
    anything beyond ASCII escaped (what Django writes, json.dumps' default, as SQLite keeps it)."""
    return {value, json.dumps(value)[1:-1]}


def mentions(field: str, user: Any) -> Q:
    """Rows whose text `field` may contain the person's address or name (confirm with `redact`)."""
    found = Q(**{f"{field}__icontains": user.email})
    if user.display_name:
        found |= Q(**{f"{field}__contains": user.display_name})
    return found


def redact_rows(queryset: models.QuerySet[Any], fields: Iterable[str], user: Any) -> int:
    """Redact the person from `fields` of each row; returns how many rows changed."""
    fields = list(fields)
    condition = Q()
    for name in fields:
        condition |= mentions(name, user)
    limits = {name: queryset.model._meta.get_field(name).max_length for name in fields}
    changed = 0
    for row in queryset.filter(condition):
        touched = []
        for name in fields:
            cleaned = redact(getattr(row, name), user)[: limits[name]]
            if cleaned != getattr(row, name):
                setattr(row, name, cleaned)
                touched.append(name)
        if touched:
            row.save(update_fields=touched)
            changed += 1
    return changed


def forget_in_audit(user: Any, model: type[models.Model], ids: Iterable[int]) -> int:
    """Audit events about `model` rows whose description names the person (a membership, a committee
    term: "Mia Member in Hiking Society") keep the event but name the stub instead."""
    keys = [str(pk) for pk in ids]
    if not keys:
        return 0
    events = AuditEvent.objects.filter(target_type=model._meta.label_lower, target_id__in=keys)
    return redact_rows(events, ["target_repr"], user)


# --- Export -------------------------------------------------------------------------------------


def _export(user: User) -> list[ExportSection]:
    account = {
        "email": user.email,
        "display name": user.display_name,
        "course ends on": iso(user.course_ends_on),
        "verified as a student at": iso(user.student_verified_at),
        "joined": iso(user.date_joined),
        "last signed in": iso(user.last_login),
        "union staff": user.is_union_staff,
        "union officer": user.is_officer,
    }
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    factors = Authenticator.objects.filter(user=user).order_by("created_at")
    linked = SocialAccount.objects.filter(user=user).order_by("date_joined")
    training = TrainingRecord.objects.filter(user=user).select_related("recorded_by").order_by("completed_on", "id")
    return [
        ExportSection("Your account", [account]),
        ExportSection(
            "Email addresses",
            [{"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses],
        ),
        ExportSection(
            "Two-step sign-in",
            [
                {"kind": a.get_type_display(), "added": iso(a.created_at), "last used": iso(a.last_used_at)}
                for a in factors
            ],
            note="The secrets themselves are not included.",
        ),
        ExportSection(
            "University sign-in",
            [
                {"provider": a.provider, "linked": iso(a.date_joined), "last signed in": iso(a.last_login)}
                for a in linked
            ],
        ),
        ExportSection(
            "GDPR training",
            [
                {
                    "completed on": iso(r.completed_on),
                    "expires on": iso(r.expires_on),
                    "how": r.get_source_display(),
                    "score": r.score,
                    "note": r.note,
                    "recorded by": str(r.recorded_by) if r.recorded_by and r.recorded_by != user else "",
                }
                for r in training
            ],
        ),
    ]


# --- Erasure ------------------------------------------------------------------------------------


def _delete_sessions(user: User) -> int:
    """The person's signed-in sessions, where they can be found (database sessions). Any other session
    is refused anyway once the password is unusable: Django checks a hash of it on every request."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    theirs = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    for key in theirs:
        store(session_key=key).delete()  # through the store, so a cached_db cache forgets it too
    return len(theirs)


def _erase(user: User, erasure: Erasure) -> None:
    """The account becomes a stub: no address, no name, no way to sign in. Runs after every other app's
    eraser, which may still need the real name and address to find what to redact."""
    erasure.count("email addresses", EmailAddress.objects.filter(user=user).delete()[0])
    erasure.count("two-step sign-in factors", Authenticator.objects.filter(user=user).delete()[0])
    erasure.count("university sign-in links", SocialAccount.objects.filter(user=user).delete()[0])
    erasure.count("signed-in sessions", _delete_sessions(user))
    erasure.count("GDPR training records", TrainingRecord.objects.filter(user=user).delete()[0])
    erasure.count(
        "notes on others' training records naming the person",
        redact_rows(TrainingRecord.objects.exclude(user=user), ["note"], user),
    )
    user.groups.clear()
    user.user_permissions.clear()
    user.email = erased_email(user)
    user.display_name = erased_name(user)
    user.course_ends_on = None
    user.student_verified_at = None
    user.last_login = None
    user.is_active = False
    user.is_union_staff = False
    user.is_officer = False
    user.is_superuser = False
    user.set_unusable_password()
    user.erased_at = timezone.now()
    user.save(
        update_fields=[
            "email",
            "display_name",
            "course_ends_on",
            "student_verified_at",
            "last_login",
            "is_active",
            "is_union_staff",
            "is_officer",
            "is_superuser",
            "password",
            "erased_at",
        ]
    )
    erasure.count("account anonymised", 1)
    erasure.keep("The account row, as an anonymous stub, so that orders, results and counts stay true.")


register(
    PersonalData(
        app="accounts",
        title="Account",
        models=("accounts.User", "accounts.TrainingRecord"),
        holdings=(
            Holding(
                what="Your email address, display name, expected end of course, when you were verified as a "
                "student, when you joined and last signed in; your password (only as a one-way hash)",
                why="To give you an account, to know you are a current student, and to show you to others by "
                "display name only",
                basis="Contract (providing Quad to you)",
                kept="While you have an account; a former student's account is erased "
                f"{settings.RETENTION_FORMER_MEMBERS_DAYS} days after their course ends if unused since "
                "(RETENTION_FORMER_MEMBERS_DAYS)",
            ),
            Holding(
                what="Your email addresses and whether each is verified; two-step sign-in factors and "
                "university sign-in links if you set them up; your signed-in sessions",
                why="To sign you in securely and send you account email",
                basis="Contract; legitimate interests (keeping accounts secure)",
                kept="While you have an account; sessions until you sign out or they expire "
                f"({settings.SESSION_COOKIE_AGE // 86400} days, SESSION_COOKIE_AGE)",
            ),
            Holding(
                what="Your GDPR training: when you completed it, your quiz score, when it expires, and who "
                "recorded training done elsewhere",
                why="Committee members may see member data only while their data-protection training is valid",
                basis="Legal obligation (GDPR accountability); legitimate interests",
                kept=f"While you have an account; each record is valid for {settings.GDPR_TRAINING_VALID_DAYS} "
                "days (GDPR_TRAINING_VALID_DAYS)",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
