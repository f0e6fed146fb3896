"""Every state change of a society, one verb-first function each.

Views, staff console actions, management commands and the demo data all call these.
Each owns its transaction, writes its audit event inside it and queues email on commit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from quad.accounts.models import User
from quad.core import audit
from quad.core.academic import academic_year_for, current_academic_year
from quad.societies import emails
from quad.societies.errors import SocietyError
from quad.societies.models import (
    DEFAULT_POSITIONS,
    Category,
    CommitteeTerm,
    FAQItem,
    HandoverNote,
    Position,
    Power,
    ProposedCommitteeMember,
    SocialLink,
    Society,
)

MIN_FOUNDING_COMMITTEE = 3

# Lines that look like a password being handed over ("password: hunter2", "pw = ...").
PASSWORD_PATTERN = re.compile(r"\b(pass(word|code|phrase)?|pwd|pw)\b\s*[:=]", re.IGNORECASE)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "society"
    slug, n = base, 2
    while Society.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _site_touched(society: Society, fields: list[str]) -> None:
    society.site_updated_at = timezone.now()
    society.save(update_fields=[*fields, "site_updated_at"])


def touch_site(society: Society) -> None:
    """The mini site changed through a higher app (a news article published): "Last updated" moves on.
    Call inside the caller's transaction."""
    _site_touched(society, [])


# --- Founding and lifecycle -------------------------------------------------------------------


def apply_for_society(
    applicant: User,
    *,
    name: str,
    category: Category,
    purpose: str,
    constitution: str,
    committee: Iterable[tuple[str, str]],
) -> Society:
    """A student applies to found a society with a proposed committee of (email, position) pairs.

    The applicant is on the committee; at least three distinct student addresses in all.
    """
    if not applicant.is_student:
        raise SocietyError("Only current students can found a society.")
    seats: dict[str, str] = {}
    for email, position_name in committee:
        address = email.strip().lower()
        if address in seats:
            raise SocietyError(f"{address} is named twice on the committee.")
        if address.rsplit("@", 1)[-1] not in settings.STUDENT_EMAIL_DOMAINS:
            raise SocietyError(f"{address} is not a student email address.")
        seats[address] = position_name
    if applicant.email.lower() not in seats:
        raise SocietyError("You must be on the proposed committee yourself.")
    if len(seats) < MIN_FOUNDING_COMMITTEE:
        raise SocietyError(f"A society needs a committee of at least {MIN_FOUNDING_COMMITTEE} students.")
    try:
        with transaction.atomic():
            society = Society.objects.create(
                name=name.strip(),
                slug=_unique_slug(name),
                category=category,
                purpose=purpose,
                constitution=constitution,
                applied_by=applicant,
                status=Society.Status.APPLIED,
            )
            for order, (position_name, powers) in enumerate(DEFAULT_POSITIONS):
                Position.objects.create(society=society, name=position_name, powers=list(powers), order=order)
            for address, position_name in seats.items():
                ProposedCommitteeMember.objects.create(society=society, email=address, position_name=position_name)
            audit.record("societies.society.applied", actor=applicant, target=society, scope=society.audit_scope)
            emails.application_received(society)
    except IntegrityError as exc:
        raise SocietyError(f"A society called “{name}” already exists or has applied.") from exc
    return society


def _require_status(society: Society, *allowed: str, doing: str) -> None:
    if society.status not in allowed:
        raise SocietyError(f"Cannot {doing} a society that is {society.get_status_display().lower()}.")


def _set_status(society: Society, status: str, *, actor: User, action: str, reason: str = "") -> None:
    society.status = status
    society.status_reason = reason
    society.status_changed_at = timezone.now()
    fields = ["status", "status_reason", "status_changed_at"]
    if status == Society.Status.ACTIVE and society.approved_at is None:
        society.approved_at = society.status_changed_at
        fields.append("approved_at")
    society.save(update_fields=fields)
    audit.record(action, actor=actor, target=society, scope=society.audit_scope, data={"reason": reason})


def approve_society(society: Society, *, actor: User) -> Society:
    """Approval makes the society active and its mini site live (guidance O1), and seats the committee."""
    with transaction.atomic():
        society = Society.objects.select_for_update().get(pk=society.pk)
        _require_status(society, Society.Status.APPLIED, doing="approve")
        _set_status(society, Society.Status.ACTIVE, actor=actor, action="societies.society.approved")
        society.site_updated_at = society.approved_at
        society.save(update_fields=["site_updated_at"])
        for proposed in society.proposed_committee.all():
            user = User.objects.filter(email=proposed.email).first()
            if user is not None and user.is_student:
                _seat_proposed(proposed, user, actor=actor)
        emails.society_approved(society)
    return society


def reject_society(society: Society, *, actor: User, reason: str) -> Society:
    if not reason.strip():
        raise SocietyError("Give the applicants a reason.")
    with transaction.atomic():
        society = Society.objects.select_for_update().get(pk=society.pk)
        _require_status(society, Society.Status.APPLIED, doing="reject")
        _set_status(society, Society.Status.REJECTED, actor=actor, action="societies.society.rejected", reason=reason)
        emails.society_rejected(society)
    return society


def suspend_society(society: Society, *, actor: User, reason: str) -> Society:
    if not reason.strip():
        raise SocietyError("Give the committee a reason for the suspension.")
    with transaction.atomic():
        society = Society.objects.select_for_update().get(pk=society.pk)
        _require_status(society, Society.Status.ACTIVE, doing="suspend")
        _set_status(society, Society.Status.SUSPENDED, actor=actor, action="societies.society.suspended", reason=reason)
        emails.society_suspended(society)
    return society


def reinstate_society(society: Society, *, actor: User) -> Society:
    with transaction.atomic():
        society = Society.objects.select_for_update().get(pk=society.pk)
        _require_status(society, Society.Status.SUSPENDED, doing="reinstate")
        _set_status(society, Society.Status.ACTIVE, actor=actor, action="societies.society.reinstated")
        emails.society_reinstated(society)
    return society


def fold_society(society: Society, *, actor: User, reason: str) -> Society:
    """Folding archives the mini site read-only; nothing is deleted."""
    if not reason.strip():
        raise SocietyError("Record why the society folded.")
    with transaction.atomic():
        society = Society.objects.select_for_update().get(pk=society.pk)
        _require_status(society, Society.Status.ACTIVE, Society.Status.SUSPENDED, doing="fold")
        _set_status(society, Society.Status.FOLDED, actor=actor, action="societies.society.folded", reason=reason)
        emails.society_folded(society)
    return society


# --- Committee ---------------------------------------------------------------------------------


def _seat_proposed(proposed: ProposedCommitteeMember, user: User, *, actor: Any) -> CommitteeTerm | None:
    society = proposed.society
    position = society.positions.filter(name=proposed.position_name).first()
    if position is None:
        position = Position.objects.create(society=society, name=proposed.position_name, powers=[], order=50)
    year = current_academic_year()
    term = grant_committee_term(society, user, position, actor=actor, starts_on=timezone.localdate(), ends_on=year.end)
    proposed.user = user
    proposed.seated_at = timezone.now()
    proposed.save(update_fields=["user", "seated_at"])
    return term


def claim_proposed_seats(user: User) -> list[CommitteeTerm]:
    """A founding committee member who signed up after approval takes their seat on verifying."""
    terms = []
    with transaction.atomic():
        pending = ProposedCommitteeMember.objects.select_related("society").filter(
            email=user.email.lower(), seated_at__isnull=True, society__status=Society.Status.ACTIVE
        )
        for proposed in pending:
            term = _seat_proposed(proposed, user, actor=user)
            if term is not None:
                terms.append(term)
    return terms


def grant_committee_term(
    society: Society,
    user: User,
    position: Position,
    *,
    actor: Any,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> CommitteeTerm:
    """Give a student a position for a period; its powers start and stop with the dates."""
    if position.society_id != society.pk:
        raise SocietyError("That position belongs to another society.")
    if not user.is_student:
        raise SocietyError(f"{user} is not a current student, so cannot join the committee.")
    ends_on = ends_on or academic_year_for(starts_on).end
    if ends_on < starts_on:
        raise SocietyError("A term cannot end before it starts.")
    if user.course_ends_on and starts_on > user.course_ends_on:
        raise SocietyError(f"{user}'s course ends before that term starts.")
    with transaction.atomic():
        if CommitteeTerm.objects.filter(
            society=society, user=user, position=position, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exists():
            raise SocietyError(f"{user} already holds {position} for those dates.")
        term = CommitteeTerm.objects.create(
            society=society, user=user, position=position, starts_on=starts_on, ends_on=ends_on, granted_by=actor
        )
        audit.record(
            "societies.committee.granted",
            actor=actor,
            target=term,
            scope=society.audit_scope,
            data={"user": user.pk, "position": position.name, "starts_on": str(starts_on), "ends_on": str(ends_on)},
        )
    return term


def end_committee_term(term: CommitteeTerm, *, actor: Any) -> CommitteeTerm:
    """End a term today (or remove it, if it starts today or later)."""
    today = timezone.localdate()
    with transaction.atomic():
        term = CommitteeTerm.objects.select_for_update().select_related("society").get(pk=term.pk)
        if term.ends_on < today:
            raise SocietyError("That term has already ended.")
        data = {"user": term.user_id, "position": term.position.name}
        # A term that started today cannot end yesterday; removing it is the only way its powers stop now.
        if term.starts_on >= today:
            audit.record(
                "societies.committee.withdrawn", actor=actor, target=term, scope=term.society.audit_scope, data=data
            )
            term.delete()
            return term
        term.ends_on = max(term.starts_on, today - datetime.timedelta(days=1))
        term.save(update_fields=["ends_on"])
        audit.record("societies.committee.ended", actor=actor, target=term, scope=term.society.audit_scope, data=data)
    return term


def create_position(society: Society, *, actor: Any, name: str, powers: Iterable[str]) -> Position:
    chosen = sorted(set(powers))
    if unknown := set(chosen) - set(Power.values):
        raise SocietyError(f"Unknown powers: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        if society.positions.filter(name__iexact=name.strip()).exists():
            raise SocietyError(f"There is already a position called “{name}”.")
        position = Position.objects.create(society=society, name=name.strip(), powers=chosen)
        audit.record(
            "societies.position.created",
            actor=actor,
            target=position,
            scope=society.audit_scope,
            data={"powers": chosen},
        )
    return position


def set_position_powers(position: Position, *, actor: Any, powers: Iterable[str]) -> Position:
    chosen = sorted(set(powers))
    if unknown := set(chosen) - set(Power.values):
        raise SocietyError(f"Unknown powers: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        before = list(position.powers)
        position.powers = chosen
        position.save(update_fields=["powers"])
        audit.record(
            "societies.position.powers_changed",
            actor=actor,
            target=position,
            scope=position.society.audit_scope,
            data={"before": before, "after": chosen},
        )
    return position


# --- Mini site ---------------------------------------------------------------------------------


def update_mini_site(
    society: Society,
    *,
    actor: Any,
    purpose: str,
    meeting_info: str,
    contact_email: str,
    logo: ContentFile | None = None,
    remove_logo: bool = False,
) -> Society:
    committee_emails = set(society.terms.values_list("user__email", flat=True))
    address = contact_email.strip().lower()
    if address and (address in committee_emails or address.rsplit("@", 1)[-1] in settings.STUDENT_EMAIL_DOMAINS):
        raise SocietyError("Use a society address for contact, never a personal one.")
    with transaction.atomic():
        society.purpose = purpose
        society.meeting_info = meeting_info
        society.contact_email = address
        fields = ["purpose", "meeting_info", "contact_email"]
        if logo is not None:
            society.logo.save(f"{society.slug}.png", logo, save=False)
            fields.append("logo")
        elif remove_logo and society.logo:
            society.logo = None  # type: ignore[assignment]
            fields.append("logo")
        _site_touched(society, fields)
        audit.record(
            "societies.site.updated", actor=actor, target=society, scope=society.audit_scope, data={"fields": fields}
        )
    return society


def set_social_links(society: Society, *, actor: Any, links: dict[str, str]) -> Society:
    """Replace the society's social links with `links` (platform -> URL, validated by the form)."""
    with transaction.atomic():
        society.social_links.exclude(platform__in=[p for p, url in links.items() if url]).delete()
        for platform, url in links.items():
            if url:
                SocialLink.objects.update_or_create(society=society, platform=platform, defaults={"url": url})
        _site_touched(society, [])
        audit.record(
            "societies.site.links_updated",
            actor=actor,
            target=society,
            scope=society.audit_scope,
            data={"platforms": sorted(p for p, url in links.items() if url)},
        )
    return society


def add_faq_item(society: Society, *, actor: Any, question: str, answer: str) -> FAQItem:
    with transaction.atomic():
        order = (society.faq.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        item = FAQItem.objects.create(society=society, question=question, answer=answer, order=order)
        _site_touched(society, [])
        audit.record("societies.site.faq_added", actor=actor, target=item, scope=society.audit_scope)
    return item


def remove_faq_item(item: FAQItem, *, actor: Any) -> None:
    society = item.society
    with transaction.atomic():
        audit.record(
            "societies.site.faq_removed",
            actor=actor,
            target=item,
            scope=society.audit_scope,
            data={"question": item.question},
        )
        item.delete()
        _site_touched(society, [])


# --- Handover (guidance O12) -------------------------------------------------------------------


def _check_no_passwords(*texts: str) -> None:
    for text in texts:
        if PASSWORD_PATTERN.search(text):
            raise SocietyError(
                "Handover notes must never contain passwords. "
                "Say who should own each account and hand it over directly."
            )


def write_handover(society: Society, *, actor: Any, work_in_flight: str, external_accounts: str) -> HandoverNote:
    _check_no_passwords(work_in_flight, external_accounts)
    year_start = current_academic_year().next().start
    with transaction.atomic():
        note, created = HandoverNote.objects.select_for_update().get_or_create(
            society=society,
            year_start=year_start,
            defaults={"work_in_flight": work_in_flight, "external_accounts": external_accounts, "written_by": actor},
        )
        if not created:
            if note.is_complete:
                raise SocietyError("The incoming committee has already acknowledged these notes.")
            note.work_in_flight = work_in_flight
            note.external_accounts = external_accounts
            note.written_by = actor
            note.save(update_fields=["work_in_flight", "external_accounts", "written_by", "updated_at"])
        audit.record("societies.handover.written", actor=actor, target=note, scope=society.audit_scope)
    return note


def acknowledge_handover(note: HandoverNote, *, actor: User) -> HandoverNote:
    """The incoming committee (a term starting in the notes' year or later) confirms they have read them."""
    with transaction.atomic():
        note = HandoverNote.objects.select_for_update().select_related("society").get(pk=note.pk)
        if note.is_complete:
            raise SocietyError("These notes have already been acknowledged.")
        if not CommitteeTerm.objects.filter(society=note.society, user=actor, starts_on__gte=note.year_start).exists():
            raise SocietyError("Only the incoming committee can acknowledge the handover.")
        note.acknowledged_by = actor
        note.acknowledged_at = timezone.now()
        note.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit.record("societies.handover.acknowledged", actor=actor, target=note, scope=note.society.audit_scope)
    return note
