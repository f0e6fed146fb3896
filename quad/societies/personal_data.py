"""What societies holds about a person: societies they applied to found, founding committees they were
named on, committee terms, and handover notes they wrote or acknowledged. Registered with
`quad.core.personal_data`.

Erasure ends the person's committee terms (the society's history keeps them, under the stub's name),
forgets their place on founding committees, and takes their address and name out of society texts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from quad.accounts.personal_data import forget_in_audit, redact_rows
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.societies.models import CommitteeTerm, HandoverNote, ProposedCommitteeMember, Society
from quad.societies.services import end_committee_term


def _named_on_applications(user: Any) -> Q:
    return Q(user=user) | Q(email__iexact=user.email)


def _export(user: Any) -> list[ExportSection]:
    applied = Society.objects.filter(applied_by=user).order_by("applied_at", "id")
    proposed = (
        ProposedCommitteeMember.objects.filter(_named_on_applications(user)).select_related("society").order_by("id")
    )
    terms = CommitteeTerm.objects.filter(user=user).select_related("society", "position", "granted_by")
    granted = (
        CommitteeTerm.objects.filter(granted_by=user).exclude(user=user).select_related("society", "position", "user")
    )
    handovers = (
        HandoverNote.objects.filter(Q(written_by=user) | Q(acknowledged_by=user))
        .select_related("society")
        .order_by("year_start", "id")
    )
    return [
        ExportSection(
            "Societies you applied to found",
            [{"society": s.name, "applied": iso(s.applied_at), "status": s.get_status_display()} for s in applied],
        ),
        ExportSection(
            "Founding committees you were named on",
            [
                {
                    "society": p.society.name,
                    "email named": p.email,
                    "position": p.position_name,
                    "took the seat": iso(p.seated_at),
                }
                for p in proposed
            ],
        ),
        ExportSection(
            "Your committee terms",
            [
                {
                    "society": t.society.name,
                    "position": t.position.name,
                    "from": iso(t.starts_on),
                    "to": iso(t.ends_on),
                    "granted by": str(t.granted_by) if t.granted_by and t.granted_by != user else "",
                }
                for t in terms
            ],
        ),
        ExportSection(
            "Committee places you granted",
            [
                {
                    "society": t.society.name,
                    "position": t.position.name,
                    "to": str(t.user),
                    "from": iso(t.starts_on),
                    "until": iso(t.ends_on),
                }
                for t in granted
            ],
            note="The people you gave places to appear by display name only.",
        ),
        ExportSection(
            "Handover notes",
            [
                {
                    "society": n.society.name,
                    "for the year from": iso(n.year_start),
                    "you": "wrote them" if n.written_by_id == user.pk else "acknowledged them",
                    "last updated": iso(n.updated_at),
                }
                for n in handovers
            ],
            note="The notes themselves belong to the society and may name other people, so they are not copied here.",
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    today = timezone.localdate()
    terms = list(CommitteeTerm.objects.filter(user=user).select_related("position"))
    ending = [term for term in terms if term.ends_on >= today]
    for term in ending:
        # The committee service: a term under way ends yesterday, one not yet started is withdrawn.
        end_committee_term(term, actor=None)
    erasure.count("committee terms ended", len(ending))
    # Their descriptions ("Priya President — President (…)") are in the audit log, this erasure's included.
    erasure.count("audit descriptions of committee terms", forget_in_audit(user, CommitteeTerm, [t.pk for t in terms]))
    erasure.count(
        "places on founding committees",
        ProposedCommitteeMember.objects.filter(_named_on_applications(user)).delete()[0],
    )
    erasure.count(
        "society contact addresses", Society.objects.filter(contact_email__iexact=user.email).update(contact_email="")
    )
    erasure.count(
        "society texts naming the person",
        redact_rows(Society.objects.all(), ["purpose", "meeting_info", "status_reason"], user),
    )
    erasure.count(
        "handover notes naming the person",
        redact_rows(HandoverNote.objects.all(), ["work_in_flight", "external_accounts"], user),
    )
    if terms:
        erasure.keep("Past committee terms, as the societies' history, under the anonymous stub.")


register(
    PersonalData(
        app="societies",
        title="Societies and committees",
        models=(
            "societies.Society",
            "societies.ProposedCommitteeMember",
            "societies.CommitteeTerm",
            "societies.HandoverNote",
        ),
        holdings=(
            Holding(
                what="Societies you applied to found, and the founding committees you were named on (your "
                "student email address and the position)",
                why="So union staff can approve a society and seat its first committee",
                basis="Legitimate interests (running student societies)",
                kept="As long as the society's record; removed if your account is erased",
            ),
            Holding(
                what="Your committee terms: society, position, dates and who granted them",
                why="Committee powers follow the dates of a term; the society's history of who held office",
                basis="Legitimate interests (running student societies and accounting for their decisions)",
                kept="As long as the society's record; once your account is erased, without your name",
            ),
            Holding(
                what="Handover notes you wrote or acknowledged for the next committee",
                why="So each committee hands over what is under way and who owns the society's accounts",
                basis="Legitimate interests",
                kept="As long as the society's record; your name and address are taken out if your account is erased",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
