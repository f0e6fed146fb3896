"""The code of conduct's personal data: reports a person made and reports and cases about them, with the
copies of messages kept as evidence; suspensions; and what staff, moderators and officers did in casework.
Also the retention of closed cases (RETENTION_CLOSED_CASES_DAYS) and the refusal to erase a staff
account that still holds open cases.

Exports never say who reported the person, nor which moderator or member of staff acted ("union staff",
"the moderators"), and leave out staff's notes and reasons, which name other people.

Erasure keeps whatever an open report or case still needs (ErasureRecord.kept says which): a case is
evidence until it closes. Once closed, the text of the person's messages in the evidence copies becomes
"[erased]"; their name and address, in the copies and in the free text others wrote (summary, notes,
outcome), become the stub's name ("Erased member 42"); the notes of reports they made are blanked and the
reasons for their suspensions erased. The links to their account stay, pointing at the anonymous stub.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from quad.accounts.personal_data import ERASED, erased_name, json_text_forms
from quad.chat.models import GroupMember, Message
from quad.chat.personal_data import register_thread_hold
from quad.conduct.models import Case, CaseNote, FlagReview, OfficerEscalation, Report, Suspension
from quad.conduct.queries import OPEN_CASE
from quad.conduct.retention import sweep_closed_cases
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

STAFF = "Union staff"
NOT_INCLUDED = (
    "Who reported you is never shown, nor which moderator or member of staff acted. Staff's notes and reasons "
    "are not included because they can name other people: ask the union's privacy contact for them."
)


def _open_report() -> Q:
    """A report is open while it waits for the moderators, or while the case it joined is not closed."""
    return Q(status=Report.Status.OPEN) | Q(case__status__in=OPEN_CASE)


def _report_is_open(report: Report) -> bool:
    return report.status == Report.Status.OPEN or (report.case is not None and not report.case.is_closed)


def _group(report_or_case: Case | Report) -> str:
    group = report_or_case.group
    return f"{group.name} ({group.society.name})" if group.society is not None else f"{group.name} (union group)"


# --- Export ----------------------------------------------------------------------------------------


def _own_messages(evidence: Any, user_id: int, names: set[str]) -> list[dict[str, Any]]:
    """The person's own messages in a stored copy (a removal's copy names its author but has no id)."""
    return [
        item
        for item in (evidence if isinstance(evidence, list) else [])
        if isinstance(item, dict)
        and (item.get("author_id") == user_id or (item.get("author_id") is None and item.get("author") in names))
    ]


def _export(user: Any) -> list[ExportSection]:
    made = Report.objects.filter(reporter=user).select_related("group__society").order_by("created_at", "id")
    about = Report.objects.filter(reported_user=user).select_related("group__society").order_by("created_at", "id")
    cases = Case.objects.filter(subject=user).select_related("group__society").order_by("opened_at", "id")
    suspensions = Suspension.objects.filter(user=user).order_by("starts_at", "id")
    names = {user.display_name} | {r.reported_name for r in about} | {c.subject_name for c in cases}
    names.discard("")
    kept: list[Mapping[str, Any]] = [
        {
            "kept_for": f"Report {r.pk}",
            "group": _group(r),
            "written_at": item.get("at"),
            "text": item.get("body"),
            "reported": bool(item.get("reported")),
        }
        for r in about
        for item in _own_messages(r.evidence, user.pk, names)
    ] + [
        {
            "kept_for": f"Case {c.pk}",
            "group": _group(c),
            "written_at": item.get("at"),
            "text": item.get("body"),
            "reported": bool(item.get("reported")),
        }
        for c in cases
        for item in _own_messages(c.evidence, user.pk, names)
    ]
    return [
        ExportSection(
            "Reports you made",
            [
                {
                    "report": r.pk,
                    "made_at": iso(r.created_at),
                    "group": _group(r),
                    "about": f"A message by {r.reported_name}" if r.about == Report.About.MESSAGE else r.reported_name,
                    "category": r.get_category_display(),
                    "your_note": r.note,
                    "progress": r.progress,
                }
                for r in made
            ],
            note="Copies of other people's messages kept with your reports are not included.",
        ),
        ExportSection(
            "Reports about you",
            [
                {
                    "report": r.pk,
                    "made_at": iso(r.created_at),
                    "group": _group(r),
                    "about": "A message of yours" if r.about == Report.About.MESSAGE else "You",
                    "category": r.get_category_display(),
                    "progress": r.progress,
                }
                for r in about
            ],
            note=NOT_INCLUDED,
        ),
        ExportSection(
            "Cases about you",
            [
                {
                    "case": c.pk,
                    "opened_at": iso(c.opened_at),
                    "group": _group(c),
                    "from": c.get_source_display(),
                    "status": c.get_status_display(),
                    "outcome": c.get_outcome_display() if c.is_closed else "",
                    "closed_at": iso(c.closed_at),
                    "handled_by": STAFF,
                }
                for c in cases
            ],
            note=NOT_INCLUDED,
        ),
        ExportSection(
            "Your messages kept as evidence",
            kept,
            note=f"Copies kept with a report or case, deleted {settings.RETENTION_CLOSED_CASES_DAYS} days after it "
            "closes. Other people's messages in the copies are not included.",
        ),
        ExportSection(
            "Suspensions from group chats",
            [
                {"from": iso(s.starts_at), "until": iso(s.ends_at), "lifted_at": iso(s.lifted_at), "by": STAFF}
                for s in suspensions
            ],
        ),
        ExportSection(
            "Casework you did",
            _casework(user),
            note="The people concerned, and what you wrote about them, are left out: they are other people's data.",
        ),
    ]


def _casework(user: Any) -> list[Mapping[str, Any]]:
    """What a member of staff, a moderator or an officer did in reports and cases, without the people."""
    rows: list[dict[str, Any]] = []

    def did(what: str, case: int | None, at: Any) -> None:
        rows.append({"did": what, "case": case, "at": iso(at)})

    for c in Case.objects.filter(opened_by=user):
        did("Opened a case", c.pk, c.opened_at)
    for c in Case.objects.filter(closed_by=user):
        did("Closed a case", c.pk, c.closed_at)
    for c in Case.objects.filter(assigned_to=user):
        did("Holds the case", c.pk, None)
    for n in CaseNote.objects.filter(author=user):
        did("Wrote a note on a case", n.case_id, n.created_at)
    for e in OfficerEscalation.objects.filter(escalated_by=user):
        did("Put a case before an elected officer", e.case_id, e.escalated_at)
    for e in OfficerEscalation.objects.filter(officer=user):
        did("A case was put before you", e.case_id, e.escalated_at)
    for r in Report.objects.filter(acted_by=user):
        did(f"Moderated a report: {r.get_action_display().lower()}", r.case_id, r.acted_at)
    for f in FlagReview.objects.filter(acted_by=user):
        did(f"Reviewed a flagged message: {f.get_action_display().lower()}", f.case_id, f.acted_at)
    for s in Suspension.objects.filter(created_by=user):
        did("Suspended a member from group chats", s.case_id, s.starts_at)
    for s in Suspension.objects.filter(lifted_by=user):
        did("Lifted a suspension", s.case_id, s.lifted_at)
    return sorted(rows, key=lambda row: (row["at"] or "", row["case"] or 0))


# --- Erasure ---------------------------------------------------------------------------------------


def _pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """The person's names and address as whole words, longest first."""
    words = sorted({name.strip() for name in names if name and name.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in words), re.IGNORECASE)


def _scrub_text(text: str, pattern: re.Pattern[str] | None, stub: str) -> str:
    """Free text someone else wrote, with the person's names and address replaced by the stub's name."""
    return pattern.sub(stub, text) if pattern is not None and text else text


def _scrub_evidence(evidence: Any, user_id: int, pattern: re.Pattern[str] | None, stub: str) -> Any:
    """The copy with the person's own messages erased and their name taken out of everyone else's."""
    if not isinstance(evidence, list):
        return evidence
    cleaned = []
    for item in evidence:
        if not isinstance(item, dict):
            cleaned.append(item)
            continue
        row = dict(item)
        author = row.get("author")
        theirs = row.get("author_id") == user_id or (
            row.get("author_id") is None
            and pattern is not None
            and isinstance(author, str)
            and pattern.fullmatch(author.strip()) is not None
        )
        if theirs:
            row["author"] = stub
            row["body"] = ERASED
        elif isinstance(row.get("body"), str):
            row["body"] = _scrub_text(row["body"], pattern, stub)
        cleaned.append(row)
    return cleaned


def _candidates(user: Any, names: set[str], text_fields: tuple[str, ...]) -> Q:
    """Cases or reports that may hold the person: evidence from groups they wrote in or joined, or naming
    them; free text naming them. (Each is then checked row by row.)"""
    groups = set(Message.objects.filter(author=user).values_list("group_id", flat=True).distinct())
    groups |= set(GroupMember.objects.filter(user=user).values_list("group_id", flat=True))
    found = Q(group_id__in=groups)
    for name in names:
        for form in json_text_forms(name):  # the evidence is JSON
            found |= Q(text__icontains=form)
        for field in text_fields:
            found |= Q(**{f"{field}__icontains": name})
    return found


def _erase(user: Any, erasure: Erasure) -> None:
    about_cases = Case.objects.filter(subject=user)
    about_reports = Report.objects.filter(reported_user=user)
    names = {user.display_name, user.email}
    names |= set(about_cases.values_list("subject_name", flat=True))
    names |= set(about_reports.values_list("reported_name", flat=True))
    names = {name for name in names if name and name.strip()}
    pattern = _pattern(names)
    stub = erased_name(user)

    def scrub(text: str) -> str:
        return _scrub_text(text, pattern, stub)

    reporting_cases = set(
        Report.objects.filter(Q(reporter=user) | Q(reported_user=user), case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    cases = (
        Case.objects.annotate(text=Cast("evidence", TextField()))
        .filter(
            Q(subject=user)
            | Q(pk__in=reporting_cases)
            | _candidates(user, names, ("summary", "outcome_note", "notes__text", "escalations__note"))
        )
        .distinct()
        .order_by("pk")
    )
    scrubbed_cases = 0
    for case in cases:
        subject = case.subject_id == user.pk
        evidence = _scrub_evidence(case.evidence, user.pk, pattern, stub)
        notes = [(case_note, scrub(case_note.text)) for case_note in case.notes.all()]
        escalations = [(escalation, scrub(escalation.note)) for escalation in case.escalations.all()]
        changed = (
            evidence != case.evidence
            or scrub(case.summary) != case.summary
            or scrub(case.outcome_note) != case.outcome_note
            or any(text != case_note.text for case_note, text in notes)
            or any(text != escalation.note for escalation, text in escalations)
        )
        if not (subject or case.pk in reporting_cases or changed):
            continue
        if not case.is_closed:
            erasure.keep(
                f"Case {case.pk} about them is still open: its evidence and their name are kept until it closes."
                if subject
                else f"Case {case.pk} is still open and involves them: it is kept as it is until it closes."
            )
            continue
        case.evidence = evidence
        case.subject_name = stub if subject else case.subject_name
        case.summary = scrub(case.summary)
        case.outcome_note = scrub(case.outcome_note)
        case.save(update_fields=["evidence", "subject_name", "summary", "outcome_note"])
        for case_note, text in notes:
            if text != case_note.text:
                case_note.text = text
                case_note.save(update_fields=["text"])
        for escalation, text in escalations:
            if text != escalation.note:
                escalation.note = text
                escalation.save(update_fields=["note"])
        scrubbed_cases += 1
    erasure.count("closed conduct cases scrubbed", scrubbed_cases)

    reports = (
        Report.objects.annotate(text=Cast("evidence", TextField()))
        .filter(Q(reporter=user) | Q(reported_user=user) | _candidates(user, names, ("note", "acted_note")))
        .select_related("case")
        .order_by("pk")
    )
    scrubbed_reports = 0
    for report in reports:
        reporter, reported = report.reporter_id == user.pk, report.reported_user_id == user.pk
        evidence = _scrub_evidence(report.evidence, user.pk, pattern, stub)
        note = "" if reporter else scrub(report.note)
        acted_note = scrub(report.acted_note)
        changed = (evidence, note, acted_note) != (report.evidence, report.note, report.acted_note)
        if not (reporter or reported or changed):
            continue
        if _report_is_open(report):
            if reporter:
                erasure.keep(f"Their report {report.pk} is still open: it and their note are kept until it closes.")
            elif reported:
                erasure.keep(
                    f"Report {report.pk} about them is still open: its evidence and their name are kept until it "
                    "closes."
                )
            else:
                erasure.keep(
                    f"Report {report.pk} is still open and involves them: it is kept as it is until it closes."
                )
            continue
        report.evidence, report.note, report.acted_note = evidence, note, acted_note
        if reported:
            report.reported_name = stub
        report.save(update_fields=["evidence", "note", "acted_note", "reported_name"])
        scrubbed_reports += 1
    erasure.count("closed reports scrubbed", scrubbed_reports)

    # Suspensions: the reasons for theirs are erased, and others' reasons that name them name the stub, once
    # the case behind each is closed (an open case keeps its record as it is, said above).
    reasons = 0
    naming = Q()
    for name in names:
        naming |= Q(reason__icontains=name)
    for suspension in Suspension.objects.filter(Q(user=user) | naming).select_related("case"):
        if suspension.case is not None and not suspension.case.is_closed:
            continue
        reason = ERASED if suspension.user_id == user.pk else scrub(suspension.reason)
        if reason != suspension.reason:
            suspension.reason = reason
            suspension.save(update_fields=["reason"])
            reasons += 1
    erasure.count("reasons for suspensions", reasons)


def _refuse(user: Any) -> list[str]:
    held = Case.objects.filter(assigned_to=user).exclude(status=Case.Status.CLOSED).count()
    if not held:
        return []
    if held == 1:
        return ["1 open conduct case is assigned to this account: reassign it first."]
    return [f"{held} open conduct cases are assigned to this account: reassign them first."]


def _groups_with_open_cases(user: Any) -> set[int]:
    """Groups where an open case or report about the person may need their private threads with the
    moderators (chat keeps those threads through an erasure)."""
    cases = Case.objects.filter(subject=user, status__in=OPEN_CASE).values_list("group_id", flat=True)
    reports = Report.objects.filter(_open_report(), reported_user=user).values_list("group_id", flat=True)
    return {*cases, *reports}


register_thread_hold(_groups_with_open_cases)

register(
    PersonalData(
        app="conduct",
        title="Code of conduct: reports and cases",
        models=(
            "conduct.Case",
            "conduct.Report",
            "conduct.FlagReview",
            "conduct.CaseNote",
            "conduct.OfficerEscalation",
            "conduct.Suspension",
        ),
        holdings=(
            Holding(
                what="Reports you make: what or whom you reported, your note, and a copy of the messages around it",
                why="To deal with behaviour that breaks the union's code of conduct; the person you report is "
                "never told who reported them",
                basis="Legitimate interests; the union's duty of care to its members",
                kept=f"While the report is open, then {settings.RETENTION_CLOSED_CASES_DAYS} days after it closes "
                "(RETENTION_CLOSED_CASES_DAYS)",
            ),
            Holding(
                what="Reports and cases about you: copies of your messages, your display name at the time, staff's "
                "notes, the outcome and any suspension from group chats",
                why="To investigate fairly, decide an outcome, and keep members safe",
                basis="Legitimate interests; the union's duty of care",
                kept=f"While the case is open (even if you ask for erasure), then "
                f"{settings.RETENTION_CLOSED_CASES_DAYS} days after it closes (RETENTION_CLOSED_CASES_DAYS); "
                "longer while a suspension is in force",
            ),
            Holding(
                what="Which moderator, member of staff or elected officer acted on a report or case",
                why="So decisions can be accounted for; members are never told who acted",
                basis="Legitimate interests",
                kept=f"As the case: {settings.RETENTION_CLOSED_CASES_DAYS} days after it closes",
            ),
        ),
        export=_export,
        erase=_erase,
        refuse=_refuse,
    )
)

register_retention(
    RetentionKind(
        "closed_cases",
        "Closed conduct cases and reports",
        "RETENTION_CLOSED_CASES_DAYS",
        sweep_closed_cases,
        "Cases closed this long ago are deleted with their reports, evidence and notes (unless a suspension "
        "is still in force); so are reports the moderators closed.",
    )
)
