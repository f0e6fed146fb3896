"""Reports, the moderators' review, union casework and sanctions. Every change here is audit-logged.

Routing (guidance O7, O18): a report in one of the five zero-tolerance categories goes straight to union
staff; so does a report about one of the group's own moderators, and one from a group with no moderators
of its own. Anything else goes to the group's moderators, who dismiss it, hide the message, or escalate
it. A report no moderator acts on within CONDUCT_ESCALATE_AFTER_HOURS goes to staff by itself
(`escalate_overdue`, a periodic job): a report is never silently lost.

Whatever reaches staff is handled as a Case, one per incident: a new report about the same message, or
about the same person in the same group, joins the case already open.

Anonymity: the reported person is never told anything about a report, and the reporter is told only that
it arrived and that it closed, never who acted. Moderators see the report and its evidence, not who made
it; union staff (and officers a case is put before) see everything.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from quad.chat import realtime
from quad.chat import services as chat_services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, Message
from quad.chat.permissions import chat_access, is_moderator
from quad.conduct import emails, queries, signals
from quad.conduct.errors import ConductError
from quad.conduct.models import (
    ZERO_TOLERANCE,
    Case,
    CaseNote,
    Category,
    FlagReview,
    OfficerEscalation,
    Report,
    Suspension,
)
from quad.core import audit

MAX_NOTE_LENGTH = 2000
# A member reported as a whole: their latest messages in the group are the evidence.
MEMBER_EVIDENCE_MESSAGES = 20


# Conduct's audit events name reporters, so they stay out of societies' logs: one scope of their own,
# read by union staff through a case's audit trail.
SCOPE = "conduct"


# --- Evidence --------------------------------------------------------------------------------------


def _entry(message: Message, *, reported: bool = False) -> dict[str, Any]:
    return {
        "message": message.pk,
        "seq": message.seq,
        "at": message.created_at.isoformat(),
        "author": message.author.display_name if message.author else "Someone who left",
        "author_id": message.author_id,
        "kind": message.kind,
        "body": message.body,
        "edited": message.edited_at is not None,
        "hidden": message.hidden_at is not None,
        "deleted": message.deleted_at is not None,
        "reported": reported,
    }


def snapshot_around(message: Message) -> list[dict[str, Any]]:
    """A copy of the message and CONDUCT_EVIDENCE_CONTEXT messages either side, as they are now. Later
    edits, deletion, hiding or the retention sweep change the messages, never this copy."""
    context = settings.CONDUCT_EVIDENCE_CONTEXT
    around = Message.objects.filter(group_id=message.group_id).select_related("author")
    before = list(around.filter(seq__lt=message.seq).order_by("-seq")[:context])
    after = list(around.filter(seq__gt=message.seq).order_by("seq")[:context])
    return [
        *(_entry(m) for m in reversed(before)),
        _entry(message, reported=True),
        *(_entry(m) for m in after),
    ]


def snapshot_of_member(member: GroupMember) -> list[dict[str, Any]]:
    latest = (
        Message.objects.filter(group_id=member.group_id, author_id=member.user_id)
        .select_related("author")
        .order_by("-seq")[:MEMBER_EVIDENCE_MESSAGES]
    )
    return [_entry(m, reported=True) for m in reversed(list(latest))]


def _from_removal(evidence: Iterable[dict[str, Any]] | None, *, author: str) -> list[dict[str, Any]]:
    """Chat's evidence of a removal (the member's recent messages), in the shape of a snapshot."""
    return [{"author": author, "reported": True, **dict(item)} for item in evidence or []]


# --- Reports ---------------------------------------------------------------------------------------


def _route(category: str, group: ChatGroup, reported_user: Any) -> tuple[str, str]:
    if category in ZERO_TOLERANCE:
        return Report.Route.STAFF, Report.Escalation.ZERO_TOLERANCE
    if reported_user is not None and is_moderator(reported_user, group):
        return Report.Route.STAFF, Report.Escalation.ABOUT_A_MODERATOR
    if not queries.group_moderators(group):
        return Report.Route.STAFF, Report.Escalation.NO_MODERATORS
    return Report.Route.MODERATORS, Report.Escalation.NONE


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ConductError(f"Notes are at most {MAX_NOTE_LENGTH} characters; this one has {len(note)}.")
    return note


def _file(
    *,
    reporter: Any,
    group: ChatGroup,
    message: Message | None,
    reported_user: Any,
    category: str,
    note: str,
    evidence: list[dict[str, Any]],
) -> Report:
    if category not in Category.values:
        raise ConductError("Choose what kind of behaviour you are reporting.")
    note = _clean_note(note)
    route, why = _route(category, group, reported_user)
    with transaction.atomic():
        report = Report.objects.create(
            reporter=reporter,
            group=group,
            about=Report.About.MESSAGE if message is not None else Report.About.MEMBER,
            message=message,
            reported_user=reported_user,
            reported_name=reported_user.display_name if reported_user is not None else "",
            category=category,
            note=note,
            evidence=evidence,
            routed_to=route,
            escalation=why,
            escalated_at=timezone.now() if route == Report.Route.STAFF else None,
        )
        audit.record(
            "conduct.report.filed",
            actor=reporter,
            target=report,
            scope=SCOPE,
            data={"category": category, "routed_to": route, "why": why},
        )
        if route == Report.Route.STAFF:
            _to_staff(report, actor=reporter)
        else:
            emails.report_waiting(report)
        emails.report_received(report)
    return report


def report_message(message: Message, *, reporter: Any, category: str, note: str = "") -> Report:
    """Report a message in a group the reporter can read. The evidence is copied now."""
    access = chat_access(reporter, message.group)
    if not access.can_read:
        raise ConductError("You can report messages only in groups you can read.")
    if message.author_id == reporter.pk:
        raise ConductError("You cannot report your own message.")
    if not message.is_visible and not access.moderator:
        raise ConductError("This message is no longer shown, so there is nothing to report.")
    already = "You have already reported this message. Your reports page shows how it is going."
    if Report.objects.filter(reporter=reporter, message=message).exists():
        raise ConductError(already)
    try:
        return _file(
            reporter=reporter,
            group=message.group,
            message=message,
            reported_user=message.author,
            category=category,
            note=note,
            evidence=snapshot_around(message),
        )
    except IntegrityError as error:  # the same report sent twice at once
        raise ConductError(already) from error


def report_member(member: GroupMember, *, reporter: Any, category: str, note: str = "") -> Report:
    """Report a member of a group the reporter can read; their latest messages there are the evidence."""
    access = chat_access(reporter, member.group)
    if not access.can_read:
        raise ConductError("You can report members only of groups you can read.")
    if member.user_id == reporter.pk:
        raise ConductError("You cannot report yourself.")
    return _file(
        reporter=reporter,
        group=member.group,
        message=None,
        reported_user=member.user,
        category=category,
        note=note,
        evidence=snapshot_of_member(member),
    )


def _case_for(report: Report, *, actor: Any) -> tuple[Case, bool]:
    """The open case for this incident (the same message, or the same person in the same group), or a
    new one. True if new."""
    match = Q(pk__in=[])
    if report.message_id is not None:
        match |= Q(message_id=report.message_id) | Q(reports__message_id=report.message_id)
    if report.reported_user_id is not None:
        match |= Q(subject_id=report.reported_user_id)
    found = (
        Case.objects.filter(group_id=report.group_id, status__in=queries.OPEN_CASE)
        .filter(match)
        .order_by("opened_at", "id")
        .first()
    )
    if found is not None:
        return found, False
    group = report.group
    case = Case.objects.create(
        source=Case.Source.REPORT,
        group=group,
        society=group.society,
        subject=report.reported_user,
        subject_name=report.reported_name,
        summary=f"{report.get_category_display()} reported in {group.name}"[:200],
    )
    audit.record(
        "conduct.case.opened",
        actor=actor,
        target=case,
        scope=SCOPE,
        data={"source": Case.Source.REPORT, "report": report.pk},
    )
    return case, True


def _to_staff(report: Report, *, actor: Any, alert: bool = True) -> Case:
    case, opened = _case_for(report, actor=actor)
    Report.objects.filter(pk=report.pk).update(case=case)
    report.case = case
    audit.record(
        "conduct.report.added_to_case",
        actor=actor,
        target=report,
        scope=SCOPE,
        data={"case": case.pk, "why": report.escalation},
    )
    if alert:
        headline = "New case" if opened else f"Another report on case {case.pk}"
        emails.case_alert(case, why=f"{headline}: {report.get_escalation_display().lower()}")
    return case


# --- The moderators' review ------------------------------------------------------------------------


def _claim(report: Report, **changes: Any) -> None:
    """Take the report off the moderators' queue with `changes`, unless another moderator (or the overdue
    sweep) got there first: the update says whether this one did."""
    claimed = Report.objects.filter(pk=report.pk, routed_to=Report.Route.MODERATORS, status=Report.Status.OPEN).update(
        **changes
    )
    if not claimed:
        raise ConductError("This report has already been dealt with.")
    for field, value in changes.items():
        setattr(report, field, value)


def _closing(actor: Any, action: str, note: str) -> dict[str, Any]:
    now = timezone.now()
    return {
        "status": Report.Status.CLOSED,
        "closed_at": now,
        "action": action,
        "acted_at": now,
        "acted_by": actor,
        "acted_note": note[:300],
    }


def _not_about_themselves(report: Report, actor: Any) -> None:
    if report.reported_user_id == actor.pk:
        raise ConductError("This report is about you: another moderator or union staff will deal with it.")


def dismiss_report(report: Report, *, actor: Any, note: str = "") -> Report:
    """Nothing to act on. The reporter is told it is closed, not by whom."""
    _not_about_themselves(report, actor)
    with transaction.atomic():
        _claim(report, **_closing(actor, Report.Action.DISMISSED, (note or "").strip()))
        audit.record(
            "conduct.report.dismissed",
            actor=actor,
            target=report,
            scope=SCOPE,
            data={"note": report.acted_note},
        )
        emails.report_closed(report)
        signals.closed.send(Report, people=report.people_in_evidence)
    return report


def hide_reported_message(report: Report, *, actor: Any, reason: str) -> Report:
    """Hide the reported message (kept for staff, O17) and close every open report of it."""
    _not_about_themselves(report, actor)
    message = report.message
    if message is None:
        raise ConductError("This report has no message to hide: dismiss it or send it to union staff.")
    reason = (reason or "").strip()
    if not reason:
        raise ConductError("Say why you are hiding it, for the record: only moderators and union staff see it.")
    with transaction.atomic():
        _claim(report, **_closing(actor, Report.Action.HIDDEN, reason))
        others = list(
            Report.objects.filter(message=message, routed_to=Report.Route.MODERATORS, status=Report.Status.OPEN)
            .exclude(pk=report.pk)
            .select_related("reporter", "group")
        )
        for other in others:
            _claim(other, **_closing(actor, Report.Action.HIDDEN, reason))
        if message.hidden_at is None:
            try:
                chat_services.hide_message(message, actor=actor, reason=reason)
            except ChatError as error:
                raise ConductError(str(error)) from error
        for closed in (report, *others):
            audit.record(
                "conduct.report.hidden",
                actor=actor,
                target=closed,
                scope=SCOPE,
                data={"reason": reason},
            )
            emails.report_closed(closed)
        signals.closed.send(Report, people=set().union(*(closed.people_in_evidence for closed in (report, *others))))
    return report


def escalate_report(report: Report, *, actor: Any, reason: str) -> Report:
    """Send it to union staff, with the moderator's reason (guidance O18)."""
    _not_about_themselves(report, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ConductError("Say why you are sending it to union staff.")
    now = timezone.now()
    with transaction.atomic():
        _claim(
            report,
            routed_to=Report.Route.STAFF,
            escalation=Report.Escalation.BY_MODERATOR,
            escalated_at=now,
            action=Report.Action.ESCALATED,
            acted_at=now,
            acted_by=actor,
            acted_note=reason[:300],
        )
        audit.record("conduct.report.escalated", actor=actor, target=report, scope=SCOPE, data={"reason": reason})
        _to_staff(report, actor=actor)
    return report


def escalate_overdue() -> list[Report]:
    """Reports no moderator acted on within CONDUCT_ESCALATE_AFTER_HOURS go to union staff, with one
    alert email for the lot. Idempotent: a report escalated once is no longer with the moderators."""
    now = timezone.now()
    due = now - datetime.timedelta(hours=settings.CONDUCT_ESCALATE_AFTER_HOURS)
    escalated: list[Report] = []
    with transaction.atomic():
        waiting = Report.objects.filter(
            routed_to=Report.Route.MODERATORS, status=Report.Status.OPEN, created_at__lte=due
        ).select_related("group__society")
        for report in waiting.order_by("created_at", "id"):
            try:
                _claim(
                    report,
                    routed_to=Report.Route.STAFF,
                    escalation=Report.Escalation.OVERDUE,
                    escalated_at=now,
                )
            except ConductError:
                continue  # a moderator acted on it a moment ago
            audit.record(
                "conduct.report.overdue",
                actor=None,
                target=report,
                scope=SCOPE,
                data={"hours": settings.CONDUCT_ESCALATE_AFTER_HOURS},
            )
            _to_staff(report, actor=None, alert=False)
            escalated.append(report)
        if escalated:
            emails.overdue_alert(escalated)
    return escalated


# --- Flags from the automatic scorer ---------------------------------------------------------------


def _review_flag(message: Message, *, actor: Any, action: str) -> FlagReview:
    if message.flagged_at is None:
        raise ConductError("This message is not flagged.")
    try:
        with transaction.atomic():
            return FlagReview.objects.create(message=message, action=action, acted_by=actor)
    except IntegrityError as error:
        raise ConductError("Someone has already reviewed this flag.") from error


def dismiss_flag(message: Message, *, actor: Any) -> FlagReview:
    """The scorer was wrong: the message stays. (Flags are never acted on without a person.)"""
    with transaction.atomic():
        review = _review_flag(message, actor=actor, action=FlagReview.Action.DISMISSED)
        audit.record("conduct.flag.dismissed", actor=actor, target=message, scope=SCOPE)
    return review


def hide_flagged_message(message: Message, *, actor: Any, reason: str) -> FlagReview:
    reason = (reason or "").strip()
    if not reason:
        raise ConductError("Say why you are hiding it, for the record: only moderators and union staff see it.")
    with transaction.atomic():
        review = _review_flag(message, actor=actor, action=FlagReview.Action.HIDDEN)
        try:
            chat_services.hide_message(message, actor=actor, reason=reason)
        except ChatError as error:
            raise ConductError(str(error)) from error
        audit.record("conduct.flag.hidden", actor=actor, target=message, scope=SCOPE, data={"reason": reason})
    return review


def escalate_flag(message: Message, *, actor: Any, reason: str) -> Case:
    """Open a case for union staff about a flagged message, with its evidence copied now."""
    reason = (reason or "").strip()
    if not reason:
        raise ConductError("Say why you are sending it to union staff.")
    group = message.group
    with transaction.atomic():
        review = _review_flag(message, actor=actor, action=FlagReview.Action.ESCALATED)
        author = message.author
        case = Case.objects.create(
            source=Case.Source.FLAG,
            group=group,
            society=group.society,
            subject=author,
            subject_name=author.display_name if author is not None else "",
            message=message,
            summary=f"Flagged message in {group.name}"[:200],
            evidence=snapshot_around(message),
            opened_by=actor,
        )
        CaseNote.objects.create(case=case, author=actor, text=reason)
        review.case = case
        review.save(update_fields=["case"])
        audit.record(
            "conduct.case.opened",
            actor=actor,
            target=case,
            scope=SCOPE,
            data={"source": Case.Source.FLAG, "message": message.pk, "reason": reason},
        )
        emails.case_alert(case, why="New case: a flagged message sent to staff")
    return case


# --- Removals (W13) --------------------------------------------------------------------------------


def open_removal_case(member: GroupMember, *, actor: Any, reason: str, evidence: Any) -> Case:
    """A moderator removed someone: the union is told, with the evidence chat kept (their recent messages)."""
    group = member.group
    name = member.user.display_name
    with transaction.atomic():
        case = Case.objects.create(
            source=Case.Source.REMOVAL,
            group=group,
            society=group.society,
            subject=member.user,
            subject_name=name,
            summary=f"{name} was removed from {group.name}"[:200],
            evidence=_from_removal(evidence, author=name),
            opened_by=actor,
        )
        CaseNote.objects.create(case=case, author=actor, text=f"Reason for removal: {reason.strip()}")
        audit.record(
            "conduct.case.opened",
            actor=actor,
            target=case,
            scope=SCOPE,
            data={"source": Case.Source.REMOVAL, "member": member.user_id, "reason": reason},
        )
        emails.case_alert(case, why="A member was removed from a group")
    return case


# --- Casework (O19) --------------------------------------------------------------------------------


def add_case_note(case: Case, *, actor: Any, text: str) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise ConductError("Write the note first.")
    if len(text) > 4000:
        raise ConductError(f"Notes are at most 4000 characters; this one has {len(text)}.")
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, author=actor, text=text)
        audit.record("conduct.case.note_added", actor=actor, target=case, scope=SCOPE, data={"note": note.pk})
    return note


def assign_case(case: Case, *, actor: Any, to: Any) -> Case:
    """Union staff take a case (`to=actor`) or hand it to a colleague. Who holds it shows on the case and
    the queue; an account holding open cases is not erased until they are handed on."""
    if not getattr(actor, "is_union_staff", False):
        raise ConductError("Only union staff assign cases.")
    if not (to.is_union_staff and to.is_active):
        raise ConductError(f"{to.display_name} is not on the union's staff, so cannot take a case.")
    if case.assigned_to_id == to.pk:
        raise ConductError("The case is yours already." if to.pk == actor.pk else f"{to.display_name} has it already.")
    with transaction.atomic():
        before = case.assigned_to_id
        assigned = Case.objects.filter(pk=case.pk).exclude(status=Case.Status.CLOSED).update(assigned_to=to)
        if not assigned:
            raise ConductError("This case is closed.")
        case.assigned_to = to
        audit.record(
            "conduct.case.assigned",
            actor=actor,
            target=case,
            scope=SCOPE,
            data={"from": before, "to": to.pk},
        )
    return case


def set_case_status(case: Case, *, actor: Any, status: str) -> Case:
    """Open ↔ investigating. A case closes only with its outcome (`close_case`)."""
    if case.is_closed:
        raise ConductError("This case is closed. If something new happens, it comes in as a new report.")
    if status not in (Case.Status.OPEN, Case.Status.INVESTIGATING):
        raise ConductError("Choose open or investigating; close a case with its outcome.")
    if status == case.status:
        raise ConductError(f"The case is already {Case.Status(status).label.lower()}.")
    with transaction.atomic():
        before = case.status
        case.status = status
        case.save(update_fields=["status"])
        audit.record(
            "conduct.case.status_changed",
            actor=actor,
            target=case,
            scope=SCOPE,
            data={"from": before, "to": status},
        )
    return case


def close_case(case: Case, *, actor: Any, outcome: str, note: str = "") -> Case:
    """Close with the outcome; every report on it closes, and each reporter is told (not the outcome, not
    who decided)."""
    if outcome not in Case.Outcome.values or outcome == Case.Outcome.NONE:
        raise ConductError("Choose the outcome.")
    note = (note or "").strip()
    now = timezone.now()
    with transaction.atomic():
        closed = (
            Case.objects.filter(pk=case.pk)
            .exclude(status=Case.Status.CLOSED)
            .update(status=Case.Status.CLOSED, outcome=outcome, outcome_note=note, closed_at=now, closed_by=actor)
        )
        if not closed:
            raise ConductError("This case is already closed.")
        case.status, case.outcome, case.outcome_note = Case.Status.CLOSED, outcome, note
        case.closed_at, case.closed_by = now, actor
        reports = list(case.reports.filter(status=Report.Status.OPEN).select_related("reporter", "group"))
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(status=Report.Status.CLOSED, closed_at=now)
        for report in reports:
            report.status, report.closed_at = Report.Status.CLOSED, now
            emails.report_closed(report)
        audit.record(
            "conduct.case.closed",
            actor=actor,
            target=case,
            scope=SCOPE,
            data={"outcome": outcome, "note": note},
        )
        signals.closed.send(
            Case,
            people=case.people_in_evidence.union(*(r.people_in_evidence for r in case.reports.all())),
        )
    return case


def escalate_to_officers(case: Case, *, actor: Any, officers: Iterable[Any], note: str = "") -> list[OfficerEscalation]:
    """Put the case before named elected officers (O18): they are emailed a link to it and may read it."""
    chosen = list(officers)
    if not chosen:
        raise ConductError("Choose at least one elected officer.")
    for officer in chosen:
        if not (officer.is_officer and officer.is_active):
            raise ConductError(f"{officer.display_name} is not one of the union's elected officers.")
    if case.is_closed:
        raise ConductError("This case is closed.")
    already = set(case.escalations.values_list("officer_id", flat=True))
    new = [officer for officer in chosen if officer.pk not in already]
    if not new:
        raise ConductError("The case is already before them.")
    note = (note or "").strip()
    with transaction.atomic():
        made = OfficerEscalation.objects.bulk_create(
            [OfficerEscalation(case=case, officer=officer, escalated_by=actor, note=note) for officer in new]
        )
        audit.record(
            "conduct.case.escalated_to_officers",
            actor=actor,
            target=case,
            scope=SCOPE,
            data={"officers": [officer.pk for officer in new], "note": note},
        )
        emails.case_escalated(case, new, note=note)
    return made


# --- Suspension ------------------------------------------------------------------------------------


def suspension_refusal(user: Any) -> str:
    """Registered with chat as a block: why a suspended person may not post or join, or ""."""
    suspension = queries.active_suspension(user)
    if suspension is None:
        return ""
    if suspension.ends_at is not None:
        until = timezone.localtime(suspension.ends_at)
        return f"The union has suspended your account from group chats until {until:%H:%M on %-d %B %Y}."
    return "The union has suspended your account from group chats while it looks into a report."


def _close_sockets(user_id: int) -> None:
    """Close every chat socket the person has open, in every server process (they reconnect refused)."""
    realtime.kick(user_id=user_id, group_id=None, reason="suspended")


def suspend_member(
    user: Any, *, actor: Any, reason: str, case: Case | None = None, until: datetime.datetime | None = None
) -> Suspension:
    """Platform-wide: they cannot post in or join any group while it lasts; their open chats close now."""
    reason = (reason or "").strip()
    if not reason:
        raise ConductError("Say why, for the record (the person is not shown it).")
    now = timezone.now()
    if until is not None and until <= now:
        raise ConductError("Choose an end in the future, or none to suspend until lifted.")
    if user.is_union_staff:
        raise ConductError("Union staff accounts are not suspended here.")
    if queries.active_suspension(user) is not None:
        raise ConductError(f"{user.display_name} is already suspended.")
    with transaction.atomic():
        suspension = Suspension.objects.create(
            user=user, case=case, reason=reason, starts_at=now, ends_at=until, created_by=actor
        )
        audit.record(
            "conduct.member.suspended",
            actor=actor,
            target=case if case is not None else user,
            scope=SCOPE,
            data={"user": user.pk, "until": until.isoformat() if until else None, "reason": reason},
        )
        emails.suspended(suspension)
        transaction.on_commit(lambda: _close_sockets(user.pk))
    return suspension


def lift_suspension(suspension: Suspension, *, actor: Any) -> Suspension:
    now = timezone.now()
    with transaction.atomic():
        lifted = Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=actor
        )
        if not lifted:
            raise ConductError("This suspension was already lifted.")
        suspension.lifted_at, suspension.lifted_by = now, actor
        audit.record(
            "conduct.member.suspension_lifted",
            actor=actor,
            target=suspension.case if suspension.case is not None else suspension.user,
            scope=SCOPE,
            data={"user": suspension.user_id},
        )
    return suspension
