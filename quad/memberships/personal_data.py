"""What memberships holds about a person: their memberships (and why any ended), memberships they ended
as a committee member, and what the graduate sweep did for them. Registered with
`quad.core.personal_data`.

Erasure ends current memberships without telling anyone (no email: the account is going) and keeps every
membership row, under the anonymous stub, so that societies' member counts for past years stay true.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from quad.accounts.personal_data import ERASED, forget_in_audit, redact
from quad.core.models import AuditEvent
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.memberships.models import GraduateDeparture, Membership

ERASURE_REASON = "Ended when the member's account was erased."
# commerce's approve_refund_request puts the member's own words after this; a refund's reason becomes
# the membership's end reason.
REQUEST_PREFIX = "Refund request: "


def _scrubbed_reason(membership: Membership, reason: str, user: Any) -> str:
    """An end reason without the person in it. A committee's reason for removing someone is about them;
    the sweeps' reasons ("The academic year ended.") are not."""
    if not reason or reason == ERASURE_REASON:
        return reason
    if membership.status == Membership.Status.REMOVED:
        return ERASED
    if reason.startswith(REQUEST_PREFIX):
        return REQUEST_PREFIX + ERASED
    return redact(reason, user)


def _export(user: Any) -> list[ExportSection]:
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("society", "membership_type__product")
        .order_by("starts_on", "id")
    )
    ended = (
        Membership.objects.filter(ended_by=user).exclude(user=user).select_related("society").order_by("ended_at", "id")
    )
    departure = GraduateDeparture.objects.filter(user=user).first()
    return [
        ExportSection(
            "Your memberships",
            [
                {
                    "society": m.society.name,
                    "membership": m.membership_type.name,
                    "status": m.get_status_display(),
                    "from": iso(m.starts_on),
                    "until": iso(m.ends_on),
                    "joined": iso(m.created_at),
                    "ended": iso(m.ended_at),
                    "why it ended": m.end_reason,
                }
                for m in memberships
            ],
        ),
        ExportSection(
            "Memberships you ended as a committee member",
            [{"society": m.society.name, "outcome": m.get_status_display(), "when": iso(m.ended_at)} for m in ended],
            note="The members are not named here.",
        ),
        ExportSection(
            "Graduating",
            [
                {
                    "course ended on": iso(departure.course_ended_on),
                    "told beforehand": iso(departure.warned_at),
                    "memberships and committee places ended": iso(departure.swept_at),
                    "memberships ended": departure.memberships_ended,
                    "committee terms ended": departure.committee_terms_ended,
                    "removed from": "; ".join(departure.removed_from),
                    "told afterwards": departure.notified,
                }
            ]
            if departure is not None
            else [],
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    now = timezone.now()
    erasure.count(
        "current memberships ended",
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).update(
            status=Membership.Status.REMOVED, ended_at=now, end_reason=ERASURE_REASON, ended_by=None
        ),
    )
    memberships = list(Membership.objects.filter(user=user))
    scrubbed = 0
    for membership in memberships:
        cleaned = _scrubbed_reason(membership, membership.end_reason, user)
        if cleaned != membership.end_reason:
            membership.end_reason = cleaned
            membership.save(update_fields=["end_reason"])
            scrubbed += 1
    erasure.count("reasons memberships ended", scrubbed)
    # The audit log describes each membership by the member's name, and records why it ended.
    by_id = {str(m.pk): m for m in memberships}
    audited = 0
    for event in AuditEvent.objects.filter(target_type="memberships.membership", target_id__in=list(by_id)):
        reason = event.data.get("reason")
        if isinstance(reason, str):
            cleaned = _scrubbed_reason(by_id[event.target_id], reason, user)
            if cleaned != reason:
                event.data = {**event.data, "reason": cleaned}
                event.save(update_fields=["data"])
                audited += 1
    erasure.count("audit records of why memberships ended", audited)
    erasure.count("audit descriptions of memberships", forget_in_audit(user, Membership, [m.pk for m in memberships]))
    erasure.count("graduation records", GraduateDeparture.objects.filter(user=user).delete()[0])
    if memberships:
        erasure.keep("Membership rows, under the anonymous stub, so that societies' member counts stay true.")


register(
    PersonalData(
        app="memberships",
        title="Memberships",
        models=("memberships.Membership", "memberships.GraduateDeparture"),
        holdings=(
            Holding(
                what="Your memberships of societies: which, for which academic year, when you joined and, if "
                "one ended early, when, why and who ended it",
                why="To give members their benefits (members' prices, chats, votes) and show committees their "
                "member list (to data-protection-trained committee members only, every view logged)",
                basis="Contract (your membership); legitimate interests (the society's records)",
                kept="Memberships end with the academic year; the record stays as the society's history, "
                "without your name once your account is erased",
            ),
            Holding(
                what="When your course ends, when you were told what graduating means in Quad, and what ended "
                "when it did",
                why="Only current students can be members (union guidance); graduates are told "
                f"{settings.GRADUATE_NOTICE_DAYS} days ahead (GRADUATE_NOTICE_DAYS)",
                basis="Legitimate interests",
                kept="While you have an account; deleted if your account is erased",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
