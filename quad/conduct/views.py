"""Reporting, the moderators' review queue, and union casework."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.models import User
from quad.accounts.permissions import login_required, staff_required
from quad.chat.models import ChatGroup
from quad.conduct import queries, services
from quad.conduct.errors import ConductError
from quad.conduct.forms import (
    CaseNoteForm,
    CaseStatusForm,
    CloseCaseForm,
    DismissForm,
    OfficersForm,
    ReasonForm,
    ReportForm,
    SuspendForm,
)
from quad.conduct.models import Case, FlagReview, Report
from quad.conduct.permissions import (
    casework_required,
    get_case_for_reader,
    get_case_for_staff,
    get_caseworker,
    get_flag_for_moderator,
    get_group_for_review,
    get_member_for_reporter,
    get_message_for_reporter,
    get_report_for_moderator,
    get_suspension_for_staff,
    is_caseworker,
)
from quad.core.access_log import record_access
from quad.core.forms import error_messages

EVIDENCE_VIEWED = "conduct.evidence.viewed"
RECEIVED = "Thank you: your report has arrived. The person you reported is not told who reported them."


# --- Reporting -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_message(request: HttpRequest, pk: int) -> HttpResponse:
    access, message = get_message_for_reporter(request.user, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_message(message, reporter=request.user, **form.cleaned_data)
        except ConductError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, RECEIVED)
            return redirect("conduct:my-reports")
    return render(request, "conduct/report_message.html", {"group": access.group, "message": message, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def report_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    access, member = get_member_for_reporter(request.user, pk, member_pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_member(member, reporter=request.user, **form.cleaned_data)
        except ConductError as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, RECEIVED)
            return redirect("conduct:my-reports")
    return render(request, "conduct/report_member.html", {"group": access.group, "member": member, "form": form})


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "conduct/my_reports.html", {"reports": queries.reports_of(request.user)})


# --- The moderators' review queue ------------------------------------------------------------------


def _scope(group: ChatGroup) -> str:
    return group.society.audit_scope if group.society is not None else "union"


def _log_evidence(request: HttpRequest, *, what: str, group: ChatGroup, people: set[int]) -> None:
    """Evidence shows other people's messages and names: each view of it goes in the access log, as
    confidential (staff see it; the people in it are not shown it, which would tell them of the report)."""
    record_access(request.user, EVIDENCE_VIEWED, what=what, scope=_scope(group), subjects=people, confidential=True)


@login_required
@require_GET
def group_queue(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_group_for_review(request.user, pk)
    reports: list[Report] = list(queries.moderator_reports(access.group, viewer=request.user))
    if reports:
        _log_evidence(
            request,
            what=f"Evidence of reports in the review queue of {access.group.name}",
            group=access.group,
            people=set().union(*(report.people_in_evidence for report in reports)),
        )
    return render(
        request,
        "conduct/group_queue.html",
        {
            "group": access.group,
            "reports": reports,
            "flags": queries.flagged_messages(group=access.group),
            "hours": settings.CONDUCT_ESCALATE_AFTER_HOURS,
        },
    )


def _act(request: HttpRequest, group_id: int, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except ConductError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, done)
    return redirect("conduct:group-queue", pk=group_id)


def _reason(request: HttpRequest) -> str:
    """The reason typed, or "" for the service to refuse in words."""
    form = ReasonForm(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@login_required
@require_POST
def dismiss_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_moderator(request.user, pk)
    form = DismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        report.group_id,
        lambda: services.dismiss_report(report, actor=request.user, note=note),
        "Dismissed. The person who reported it is told it is closed (not by whom).",
    )


@login_required
@require_POST
def hide_reported_message(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_moderator(request.user, pk)
    reason = _reason(request)
    return _act(
        request,
        report.group_id,
        lambda: services.hide_reported_message(report, actor=request.user, reason=reason),
        "Hidden. Members no longer see it; union staff can. The report is closed.",
    )


@login_required
@require_POST
def escalate_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_moderator(request.user, pk)
    reason = _reason(request)
    return _act(
        request,
        report.group_id,
        lambda: services.escalate_report(report, actor=request.user, reason=reason),
        "Sent to union staff.",
    )


@login_required
@require_POST
def dismiss_flag(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_flag_for_moderator(request.user, pk)
    return _act(
        request,
        message.group_id,
        lambda: services.dismiss_flag(message, actor=request.user),
        "Flag dismissed: the message stays.",
    )


@login_required
@require_POST
def hide_flagged_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_flag_for_moderator(request.user, pk)
    reason = _reason(request)
    return _act(
        request,
        message.group_id,
        lambda: services.hide_flagged_message(message, actor=request.user, reason=reason),
        "Hidden. Members no longer see it; union staff can.",
    )


@login_required
@require_POST
def escalate_flag(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_flag_for_moderator(request.user, pk)
    reason = _reason(request)
    return _act(
        request,
        message.group_id,
        lambda: services.escalate_flag(message, actor=request.user, reason=reason),
        "Sent to union staff.",
    )


# --- Union casework --------------------------------------------------------------------------------


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "conduct/queue.html",
        {
            "cases": queries.open_cases().select_related("assigned_to"),
            "waiting": queries.waiting_with_moderators(),
            "flags": queries.flagged_messages(),
            "closed": queries.recently_closed_cases(),
            "due_hours": settings.CONDUCT_ESCALATE_AFTER_HOURS,
        },
    )


@casework_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_reader(request.user, pk)
    staff = is_caseworker(request.user)
    reports = list(queries.case_reports(found))
    _log_evidence(
        request,
        what=f"Evidence in case {found.pk}",
        group=found.group,
        people=found.people_in_evidence.union(*(report.people_in_evidence for report in reports)),
    )
    return render(
        request,
        "conduct/case.html",
        {
            "case": found,
            "staff": staff,
            "colleagues": User.objects.filter(is_union_staff=True, is_active=True).order_by("display_name", "id")
            if staff and not found.is_closed
            else [],
            "reports": reports,
            "notes": found.notes.select_related("author"),
            "escalations": found.escalations.select_related("officer", "escalated_by"),
            "suspensions": found.subject.conduct_suspensions.select_related("created_by", "lifted_by")
            if found.subject
            else [],
            "flag": FlagReview.objects.filter(case=found).select_related("acted_by").first(),
            "trail": queries.audit_trail(found),
            "note_form": CaseNoteForm(),
            "status_form": CaseStatusForm(initial={"status": found.status}),
            "close_form": CloseCaseForm(),
            "officers_form": OfficersForm(),
            "suspend_form": SuspendForm(),
        },
    )


def _case_action(request: HttpRequest, case: Case, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except ConductError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, done)
    return redirect("conduct:case", pk=case.pk)


def _refuse(request: HttpRequest, case: Case, form: object) -> HttpResponse:
    for text in error_messages(form):  # type: ignore[arg-type]
        flash.error(request, text)
    return redirect("conduct:case", pk=case.pk)


# POST-only actions check the method first, so a GET is refused (405) whoever sends it.
@require_POST
@staff_required
def add_case_note(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_staff(request.user, pk)
    form = CaseNoteForm(request.POST)
    if not form.is_valid():
        return _refuse(request, found, form)
    return _case_action(
        request,
        found,
        lambda: services.add_case_note(found, actor=request.user, text=form.cleaned_data["text"]),
        "Note added.",
    )


@require_POST
@staff_required
def assign_case(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_staff(request.user, pk)
    to = get_caseworker(request.user, request.POST.get("to", ""))
    if to is None:
        flash.error(request, "Choose who takes the case.")
        return redirect("conduct:case", pk=found.pk)
    done = "The case is yours." if to.pk == request.user.pk else f"The case is now {to.display_name}'s."
    return _case_action(request, found, lambda: services.assign_case(found, actor=request.user, to=to), done)


@require_POST
@staff_required
def set_case_status(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_staff(request.user, pk)
    form = CaseStatusForm(request.POST)
    if not form.is_valid():
        return _refuse(request, found, form)
    status = form.cleaned_data["status"]
    return _case_action(
        request,
        found,
        lambda: services.set_case_status(found, actor=request.user, status=status),
        f"The case is now {Case.Status(status).label.lower()}.",
    )


@require_POST
@staff_required
def close_case(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_staff(request.user, pk)
    form = CloseCaseForm(request.POST)
    if not form.is_valid():
        return _refuse(request, found, form)
    return _case_action(
        request,
        found,
        lambda: services.close_case(found, actor=request.user, **form.cleaned_data),
        "The case is closed; everyone who reported it is told.",
    )


@require_POST
@staff_required
def escalate_to_officers(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_staff(request.user, pk)
    form = OfficersForm(request.POST)
    if not form.is_valid():
        return _refuse(request, found, form)
    return _case_action(
        request,
        found,
        lambda: services.escalate_to_officers(
            found, actor=request.user, officers=form.cleaned_data["officers"], note=form.cleaned_data["note"]
        ),
        "The officers are emailed a link to the case.",
    )


@require_POST
@staff_required
def suspend_member(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_case_for_staff(request.user, pk)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        return _refuse(request, found, form)
    if found.subject is None:
        flash.error(request, "This case has nobody to suspend.")
        return redirect("conduct:case", pk=found.pk)
    subject = found.subject
    day = form.cleaned_data["until"]
    # "Until the end of" a day: the suspension ends at the following midnight, local time.
    until = (
        timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
        if day
        else None
    )
    return _case_action(
        request,
        found,
        lambda: services.suspend_member(
            subject, actor=request.user, case=found, reason=form.cleaned_data["reason"], until=until
        ),
        f"{subject.display_name} is suspended from every group chat.",
    )


@require_POST
@staff_required
def lift_suspension(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = get_suspension_for_staff(request.user, pk)
    try:
        services.lift_suspension(suspension, actor=request.user)
    except ConductError as error:
        flash.error(request, str(error))
    else:
        flash.success(request, f"The suspension of {suspension.user.display_name} is lifted.")
    if suspension.case_id is not None:
        return redirect("conduct:case", pk=suspension.case_id)
    return redirect("conduct:queue")
