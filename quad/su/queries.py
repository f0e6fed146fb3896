"""Reads for the union console: the front page's featured societies, applications, the audit log, the
approvals queue and society health (one grouped query per measure, so the page costs the same number of
queries for ten societies as for three hundred)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from quad.accounts.queries import valid_training_records
from quad.chat.models import InviteRequest
from quad.commerce.models import OrderLine, Refund, RefundRequest
from quad.conduct.models import Case, Report
from quad.conduct.queries import OPEN_CASE
from quad.core.academic import AcademicYear, academic_year_for
from quad.core.models import AuditEvent
from quad.mailings.models import Mailing
from quad.mailings.services import MEMBER_AUDIENCES
from quad.memberships.models import Membership
from quad.societies.models import CommitteeTerm, HandoverNote, Society
from quad.su.models import FeaturedSociety


def featured_societies() -> QuerySet[FeaturedSociety]:
    return FeaturedSociety.objects.filter(society__status=Society.Status.ACTIVE).select_related(
        "society", "society__category"
    )


def societies_for_console(*, status: str = "") -> QuerySet[Society]:
    societies = Society.objects.select_related("category").annotate(
        committee_size=Count("terms", distinct=True), featured_count=Count("featured", distinct=True)
    )
    if status:
        societies = societies.filter(status=status)
    return societies.order_by("name")


def pending_applications() -> QuerySet[Society]:
    return Society.objects.filter(status=Society.Status.APPLIED).select_related("category", "applied_by")


def audit_log_for(society: Society, *, limit: int = 200) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(Q(scope=society.audit_scope)).select_related("actor")[:limit]


def awaiting_approval_count() -> int:
    """Everything on the approvals queue: applications, refund requests, rep groups' invite requests."""
    return (
        Society.objects.filter(status=Society.Status.APPLIED).count()
        + RefundRequest.objects.filter(status=RefundRequest.Status.REQUESTED).count()
        + InviteRequest.objects.filter(status=InviteRequest.Status.PENDING).count()
    )


# --- Terms --------------------------------------------------------------------------------------
# Quad records no term dates, so "this term" follows the usual UK pattern: a term begins on the
# academic year's first day (autumn, with the summer before it), on 1 January (spring) and on 1 April
# (summer). The last of them is when outgoing committees write their handover (guidance O12).
TERM_STARTS = ((1, 1), (4, 1))


def term_starts(year: AcademicYear) -> list[datetime.date]:
    days = {year.start}
    for calendar_year in (year.start.year, year.end.year):
        for month, day in TERM_STARTS:
            start = datetime.date(calendar_year, month, day)
            if start in year:
                days.add(start)
    return sorted(days)


def term_start(day: datetime.date) -> datetime.date:
    """The first day of the term `day` is in."""
    return max(start for start in term_starts(academic_year_for(day)) if start <= day)


def handover_due(day: datetime.date) -> bool:
    """Handover to next year's committee is due in the academic year's last term."""
    return day >= term_starts(academic_year_for(day))[-1]


# --- Society health -----------------------------------------------------------------------------

FLAG_NOT_EMAILED = "Members not emailed in {days} days"
FLAG_SITE_STALE = "Site not updated this term"
FLAG_UNTRAINED = "No trained committee member"
FLAG_HANDOVER = "Handover not done"


class Handover:
    """Where a society's handover to next year's committee stands, in words and in order."""

    NOT_WRITTEN = "Not written"
    WRITTEN = "Written, not acknowledged"
    DONE = "Done"
    ORDER = (NOT_WRITTEN, WRITTEN, DONE)


@dataclass(frozen=True)
class SocietyHealth:
    society: Society
    members: int
    revenue_pence: int
    last_emailed: datetime.datetime | None
    site_updated: datetime.datetime | None
    committee_size: int
    committee_trained: int
    handover: str  # one of Handover's words; "" where the society has no handover (not active)
    open_reports: int
    open_cases: int
    flags: tuple[str, ...]

    @property
    def training_coverage(self) -> float:
        return self.committee_trained / self.committee_size if self.committee_size else 0.0

    @property
    def open_issues(self) -> int:
        return self.open_reports + self.open_cases


def _oldest_first(moment: datetime.datetime | None) -> datetime.datetime:
    return moment or datetime.datetime.min.replace(tzinfo=datetime.UTC)


# The columns the table sorts by (?sort=members, ?sort=-members), each with its sort key.
HEALTH_SORTS: dict[str, Callable[[SocietyHealth], Any]] = {
    "name": lambda row: row.society.name.lower(),
    "status": lambda row: row.society.get_status_display(),
    "members": lambda row: row.members,
    "revenue": lambda row: row.revenue_pence,
    "emailed": lambda row: _oldest_first(row.last_emailed),
    "site": lambda row: _oldest_first(row.site_updated),
    "training": lambda row: (row.training_coverage, row.committee_trained),
    "handover": lambda row: Handover.ORDER.index(row.handover) if row.handover else -1,
    "reports": lambda row: (row.open_issues, row.open_cases),
    "flags": lambda row: len(row.flags),
}


def parse_sort(value: str) -> tuple[str, bool]:
    """`?sort=` as (column, descending); anything unknown sorts by name, A to Z."""
    descending = value.startswith("-")
    column = value.removeprefix("-")
    if column not in HEALTH_SORTS:
        return "name", False
    return column, descending


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _by_society(rows: QuerySet[Any], key: str, value: str) -> dict[int, Any]:
    return {row[key]: row[value] for row in rows}


def society_health(
    *, status: str = "", sort: str = "name", now: datetime.datetime | None = None
) -> list[SocietyHealth]:
    """Every society (or those with `status`) with its measures and flags, sorted by `sort`.

    Each measure is one grouped query over all the societies shown:
    - members: memberships current today (as memberships.queries.current_members counts them);
    - revenue: this academic year's sales less its refunds, by the rule of commerce's ledger (a line
      counts once for each payment of its order, refunds are the rows against the society's lines),
      taking payments and refunds made in the year;
    - last emailed: the latest start of a mailing to members (as mailings.services.last_emailed);
    - site updated: Society.site_updated_at, which every mini-site edit, news article published and
      approval moves on;
    - committee training: distinct people with a current term, and those of them with valid training;
    - handover: the note for next academic year (as societies.queries.handover_status);
    - open reports and cases: reports in the society's groups that nobody has acted on and no case
      holds, and cases about the society not closed.
    Flags are raised for active societies only: the others have no committee at work to act on them.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = academic_year_for(today)
    year_from, year_to = _midnight(year.start), _midnight(year.end + datetime.timedelta(days=1))
    societies = Society.objects.order_by("name")
    if status:
        societies = societies.filter(status=status)
    societies_list = list(societies)
    shown = societies.values("pk")

    members = _by_society(
        Membership.objects.filter(
            society__in=shown, status=Membership.Status.ACTIVE, starts_on__lte=today, ends_on__gte=today
        )
        .values("society_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by(),
        "society_id",
        "n",
    )
    sales = _by_society(
        OrderLine.objects.filter(
            seller__in=shown, order__payments__created_at__gte=year_from, order__payments__created_at__lt=year_to
        )
        .values("seller_id")
        .annotate(n=Sum(F("quantity") * F("unit_price_pence")))
        .order_by(),
        "seller_id",
        "n",
    )
    refunds = _by_society(
        Refund.objects.filter(line__seller__in=shown, created_at__gte=year_from, created_at__lt=year_to)
        .values("line__seller_id")
        .annotate(n=Sum("amount_pence"))
        .order_by(),
        "line__seller_id",
        "n",
    )
    emailed = _by_society(
        Mailing.objects.filter(
            society__in=shown,
            audience__in=MEMBER_AUDIENCES,
            status__in=[Mailing.Status.SENDING, Mailing.Status.SENT],
        )
        .values("society_id")
        .annotate(last=Max("started_at"))
        .order_by(),
        "society_id",
        "last",
    )
    trained = Exists(valid_training_records(on=today).filter(user=OuterRef("user_id")))
    committees = {
        row["society_id"]: (row["size"], row["trained"])
        for row in CommitteeTerm.objects.filter(society__in=shown, starts_on__lte=today, ends_on__gte=today)
        .values("society_id")
        .annotate(
            size=Count("user_id", distinct=True),
            trained=Count("user_id", distinct=True, filter=Q(trained)),
        )
        .order_by()
    }
    handovers = _by_society(
        HandoverNote.objects.filter(society__in=shown, year_start=year.next().start).values(
            "society_id", "acknowledged_at"
        ),
        "society_id",
        "acknowledged_at",
    )
    reports = _by_society(
        Report.objects.filter(
            group__society__in=shown, status=Report.Status.OPEN, action=Report.Action.NONE, case__isnull=True
        )
        .values("group__society_id")
        .annotate(n=Count("id"))
        .order_by(),
        "group__society_id",
        "n",
    )
    cases = _by_society(
        Case.objects.filter(society__in=shown, status__in=OPEN_CASE)
        .values("society_id")
        .annotate(n=Count("id"))
        .order_by(),
        "society_id",
        "n",
    )

    stale_before = now - datetime.timedelta(days=settings.MAILINGS_STALE_DAYS)
    this_term = _midnight(term_start(today))
    due = handover_due(today)
    rows = []
    for society in societies_list:
        pk = society.pk
        size, trained_count = committees.get(pk, (0, 0))
        active = society.status == Society.Status.ACTIVE
        handover = ""
        if active:
            if pk not in handovers:
                handover = Handover.NOT_WRITTEN
            else:
                handover = Handover.DONE if handovers[pk] is not None else Handover.WRITTEN
        last_emailed = emailed.get(pk)
        flags: list[str] = []
        if active:
            if last_emailed is None or last_emailed < stale_before:
                flags.append(FLAG_NOT_EMAILED.format(days=settings.MAILINGS_STALE_DAYS))
            if society.site_updated_at is None or society.site_updated_at < this_term:
                flags.append(FLAG_SITE_STALE)
            if trained_count == 0:
                flags.append(FLAG_UNTRAINED)
            if due and handover != Handover.DONE:
                flags.append(FLAG_HANDOVER)
        rows.append(
            SocietyHealth(
                society=society,
                members=members.get(pk, 0),
                revenue_pence=(sales.get(pk) or 0) - (refunds.get(pk) or 0),
                last_emailed=last_emailed,
                site_updated=society.site_updated_at,
                committee_size=size,
                committee_trained=trained_count,
                handover=handover,
                open_reports=reports.get(pk, 0),
                open_cases=cases.get(pk, 0),
                flags=tuple(flags),
            )
        )
    column, descending = parse_sort(sort)
    # Name first, then the column: Python's sort is stable, so equal values stay in name order.
    rows.sort(key=HEALTH_SORTS["name"])
    rows.sort(key=HEALTH_SORTS[column], reverse=descending)
    return rows
