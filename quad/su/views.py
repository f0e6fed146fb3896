"""The front page and the union staff console. Console views all pass `staff_required`
(union staff with TOTP) and fetch societies through `get_society_for_staff`."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts import queries as account_queries
from quad.accounts import services as account_services
from quad.accounts.errors import AccountError
from quad.accounts.forms import ExternalTrainingForm
from quad.accounts.models import TrainingRecord
from quad.accounts.permissions import staff_required
from quad.chat import queries as chat_queries
from quad.commerce import queries as commerce_queries
from quad.commerce import services as commerce_services
from quad.conduct import queries as conduct_queries
from quad.core.access_log import record_access
from quad.core.redirects import safe_next
from quad.core.templatetags.quad import money
from quad.mailings import queries as mailing_queries
from quad.news import queries as news_queries
from quad.societies import queries as society_queries
from quad.societies import services as society_services
from quad.societies.errors import SocietyError
from quad.societies.forms import ReasonForm
from quad.societies.models import Society
from quad.societies.permissions import get_society_for_staff
from quad.su import queries, services
from quad.su.errors import ConsoleError


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "su/home.html",
        {
            "featured": queries.featured_societies(),
            "articles": news_queries.featured(),
            "society_count": Society.objects.filter(status=Society.Status.ACTIVE).count(),
        },
    )


@staff_required
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    handovers = society_queries.handover_status()
    return render(
        request,
        "su/console.html",
        {
            "pending": queries.pending_applications(),
            "refunds_waiting": commerce_queries.refund_requests_for_union().count(),
            "mail_held": mailing_queries.held_for_quiet_hours().count(),
            "open_cases": conduct_queries.open_case_count(),
            "handover_done": sum(1 for _, note in handovers if note and note.is_complete),
            "handover_total": len(handovers),
            "awaiting_approval": queries.awaiting_approval_count(),
        },
    )


@staff_required
@require_GET
def society_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Society.Status.values:
        status = ""
    return render(
        request,
        "su/society_list.html",
        {
            "societies": queries.societies_for_console(status=status),
            "status": status,
            "statuses": Society.Status.choices,
        },
    )


@staff_required
@require_GET
def society_detail(request: HttpRequest, slug: str) -> HttpResponse:
    society = get_society_for_staff(request.user, slug)
    proposed = list(society.proposed_committee.all())
    if proposed and society.status in {Society.Status.APPLIED, Society.Status.REJECTED}:
        # The application names its founders by email address: each reading of it is logged.
        record_access(
            request.user,
            "su.application.viewed",
            what=f"Application of {society.name} (proposed committee)",
            scope=society.audit_scope,
            subjects=account_queries.user_ids_for_emails([p.email for p in proposed]),
        )
    return render(
        request,
        "su/society_detail.html",
        {
            "society": society,
            "committee": society_queries.current_terms(society),
            "proposed": proposed,
            "events": queries.audit_log_for(society),
            "reason_form": ReasonForm(),
            "is_featured": hasattr(society, "featured"),
        },
    )


def _society_action(
    request: HttpRequest, slug: str, action: Callable[[Society], object], done: str, *, needs_reason: bool = False
) -> HttpResponse:
    society = get_society_for_staff(request.user, slug)
    # Back to where the action was taken: the society's page, or a queue that sent `next` (approvals).
    back = safe_next(request, reverse("su:society-detail", kwargs={"slug": slug}))
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a reason: the society's committee will read it.")
            return redirect(back)
    try:
        action(society)
    except (SocietyError, ConsoleError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(society=society))
    return redirect(back)


@staff_required
@require_POST
def approve_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request,
        slug,
        lambda s: society_services.approve_society(s, actor=request.user),  # type: ignore[arg-type]
        "{society} is approved and its mini site is live.",
    )


@staff_required
@require_POST
def reject_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request,
        slug,
        lambda s: society_services.reject_society(s, actor=request.user, reason=request.POST.get("reason", "")),  # type: ignore[arg-type]
        "{society} was not approved; the applicants have been told why.",
        needs_reason=True,
    )


@staff_required
@require_POST
def suspend_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request,
        slug,
        lambda s: society_services.suspend_society(s, actor=request.user, reason=request.POST.get("reason", "")),  # type: ignore[arg-type]
        "{society} is suspended; committee powers are frozen.",
        needs_reason=True,
    )


@staff_required
@require_POST
def reinstate_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request,
        slug,
        lambda s: society_services.reinstate_society(s, actor=request.user),  # type: ignore[arg-type]
        "{society} is active again.",
    )


@staff_required
@require_POST
def fold_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request,
        slug,
        lambda s: society_services.fold_society(s, actor=request.user, reason=request.POST.get("reason", "")),  # type: ignore[arg-type]
        "{society} has folded; its site is archived.",
        needs_reason=True,
    )


@staff_required
@require_POST
def feature_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request, slug, lambda s: services.feature_society(s, actor=request.user), "{society} is on the front page."
    )


@staff_required
@require_POST
def unfeature_society(request: HttpRequest, slug: str) -> HttpResponse:
    return _society_action(
        request, slug, lambda s: services.unfeature_society(s, actor=request.user), "{society} is off the front page."
    )


@staff_required
@require_http_methods(["GET", "POST"])
def record_training(request: HttpRequest) -> HttpResponse:
    form = ExternalTrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["email"]
        try:
            record = account_services.record_training(
                person,
                actor=request.user,
                source=TrainingRecord.Source.EXTERNAL,
                completed_on=form.cleaned_data["completed_on"],
                note=form.cleaned_data["note"],
            )
        except AccountError as error:
            form.add_error("completed_on", str(error))
        else:
            messages.success(request, f"Training recorded for {person}, valid until {record.expires_on:%-d %B %Y}.")
            return redirect("su:record-training")
    recent = list(TrainingRecord.objects.select_related("user", "recorded_by").order_by("-created_at")[:20])
    if recent and request.method == "GET":
        record_access(
            request.user,
            "su.training_records.viewed",
            what="Recent GDPR training records",
            scope="union",
            subjects=[r.user_id for r in recent],
        )
    return render(request, "su/record_training.html", {"form": form, "recent": recent})


@staff_required
@require_GET
def handover_status(request: HttpRequest) -> HttpResponse:
    return render(request, "su/handover_status.html", {"rows": society_queries.handover_status()})


@staff_required
@require_GET
def refund_requests(request: HttpRequest) -> HttpResponse:
    """Refund requests awaiting a decision across every society; staff may decide any of them. Who asked
    and why is personal data, so the view is logged (as on the approvals queue)."""
    requests = list(commerce_queries.refund_requests_for_union())
    commerce_services.log_refund_requests_viewed(
        request.user,
        requests,
        action="su.refund_requests.viewed",
        what="Refund requests awaiting the union",
        scope="union",
    )
    return render(request, "su/refund_requests.html", {"requests": requests})


# --- Society health (guidance O5, O9, O10, O12) --------------------------------------------------

HEALTH_COLUMNS = (
    ("name", "Society"),
    ("status", "Status"),
    ("members", "Members this year"),
    ("revenue", "Revenue this year"),
    ("emailed", "Members last emailed"),
    ("site", "Site last updated"),
    ("training", "GDPR-trained committee"),
    ("handover", "Handover"),
    ("reports", "Open reports and cases"),
    ("flags", "Flags"),
)


def _health_filters(request: HttpRequest) -> tuple[str, str]:
    status = request.GET.get("status", "")
    if status not in Society.Status.values:
        status = ""
    column, descending = queries.parse_sort(request.GET.get("sort", ""))
    return status, ("-" if descending else "") + column


def _query(**params: str) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value})


@staff_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Every society's health in one table, sortable by any column, with plain-word flags."""
    status, sort = _health_filters(request)
    current, descending = queries.parse_sort(sort)
    headers = []
    for key, label in HEALTH_COLUMNS:
        sorted_here = key == current
        headers.append(
            {
                "key": key,
                "label": label,
                # Pressing the sorted column's header turns the order round; another column sorts ascending.
                "href": _query(status=status, sort=(("" if descending else "-") + key) if sorted_here else key),
                "aria_sort": ("descending" if descending else "ascending") if sorted_here else "",
            }
        )
    return render(
        request,
        "su/health.html",
        {
            "rows": queries.society_health(status=status, sort=sort),
            "headers": headers,
            "status": status,
            "sort": sort,
            "statuses": Society.Status.choices,
            "csv_query": _query(status=status, sort=sort),
        },
    )


def _csv_cell(value: object) -> str:
    """Stop a spreadsheet treating a cell such as a society called "=HYPERLINK(...)" as a formula."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _csv_day(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else "never"


@staff_required
@require_GET
def health_csv(request: HttpRequest) -> HttpResponse:
    """The health table as CSV: the same rows, order and flags (reports and cases in two columns)."""
    status, sort = _health_filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="society-health-{timezone.localdate()}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Society",
            "Status",
            "Members this year",
            "Revenue this year",
            "Members last emailed",
            "Site last updated",
            "GDPR-trained committee",
            "Handover",
            "Open reports",
            "Open cases",
            "Flags",
        ]
    )
    for row in queries.society_health(status=status, sort=sort):
        writer.writerow(
            [
                _csv_cell(cell)
                for cell in (
                    row.society.name,
                    row.society.get_status_display(),
                    row.members,
                    money(row.revenue_pence),
                    _csv_day(row.last_emailed),
                    _csv_day(row.site_updated),
                    f"{row.committee_trained} of {row.committee_size}",
                    row.handover or "—",
                    row.open_reports,
                    row.open_cases,
                    "; ".join(row.flags),
                )
            ]
        )
    return response


# --- Approvals -----------------------------------------------------------------------------------


@staff_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the union's yes or no, each decided on the spot: society applications,
    refund requests and rep groups' invite requests. Each form posts to the action's own view with
    `next`, which brings staff back here."""
    refunds = list(commerce_queries.refund_requests_for_union().order_by("created_at", "id"))
    commerce_services.log_refund_requests_viewed(
        request.user,
        refunds,
        action="su.approvals.viewed",
        what="Refund requests on the union's approvals queue",
        scope="union",
    )
    return render(
        request,
        "su/approvals.html",
        {
            "applications": queries.pending_applications().order_by("applied_at", "id"),
            "refunds": refunds,
            "invite_requests": chat_queries.pending_invite_requests(),
            "next": reverse("su:approvals"),
        },
    )
