"""Reads for reports and cases: the queues, who moderates a group, who is alerted, what is held."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from quad.accounts.models import User
from quad.chat.models import ChatGroup, GroupMember, Message
from quad.chat.permissions import is_moderator
from quad.conduct.models import Case, FlagReview, Report, Suspension
from quad.core.models import AuditEvent
from quad.societies.queries import current_terms

OPEN_CASE = (Case.Status.OPEN, Case.Status.INVESTIGATING)


def held_message_ids() -> set[int]:
    """Messages the retention sweep must keep: those reported in a report still open or in a case not
    closed, and flagged messages a case holds. (The evidence is a copy anyway; this keeps the original
    for staff too.)"""
    reported = Report.objects.filter(
        Q(status=Report.Status.OPEN) | Q(case__status__in=OPEN_CASE), message__isnull=False
    ).values_list("message_id", flat=True)
    flagged = Case.objects.filter(status__in=OPEN_CASE, message__isnull=False).values_list("message_id", flat=True)
    return {pk for pk in (*reported, *flagged) if pk is not None}


def active_suspension(user: Any) -> Suspension | None:
    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    return (
        Suspension.objects.filter(user=user, lifted_at__isnull=True, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .first()
    )


def group_moderators(group: ChatGroup) -> list[User]:
    """The people who moderate this group in their own right: a society's trained committee with the
    moderate power, or a rep group's chosen moderators. Union staff moderate every group, so they are not
    counted: a group with none of its own has its reports sent to staff at once."""
    if group.kind == ChatGroup.Kind.SOCIETY and group.society is not None:
        candidates = {term.user for term in current_terms(group.society).select_related("user")}
    else:
        candidates = {
            m.user
            for m in GroupMember.objects.filter(
                group=group, role=GroupMember.Role.MODERATOR, left_at__isnull=True, removed_at__isnull=True
            ).select_related("user")
        }
    return sorted(
        (user for user in candidates if user.is_active and not user.is_union_staff and is_moderator(user, group)),
        key=lambda user: user.pk,
    )


def alert_recipients() -> list[str]:
    """Where alerts for union staff go: CONDUCT_ALERT_EMAILS, or every active staff account."""
    if settings.CONDUCT_ALERT_EMAILS:
        return list(settings.CONDUCT_ALERT_EMAILS)
    return list(User.objects.filter(is_union_staff=True, is_active=True).values_list("email", flat=True))


def officers() -> QuerySet[User]:
    """The union's elected officers, who may have cases put before them."""
    return User.objects.filter(is_officer=True, is_active=True).order_by("display_name", "id")


def reports_of(user: Any) -> QuerySet[Report]:
    return Report.objects.filter(reporter=user).select_related("group__society").order_by("-created_at", "-id")


def moderator_reports(group: ChatGroup, *, viewer: Any) -> QuerySet[Report]:
    """Open reports waiting for this group's moderators. A report about the person looking is never
    shown to them (it went to staff anyway if they moderated when it was made)."""
    return (
        Report.objects.filter(group=group, routed_to=Report.Route.MODERATORS, status=Report.Status.OPEN)
        .exclude(reported_user=viewer)
        .select_related("message")
        .order_by("created_at", "id")
    )


def flagged_messages(*, group: ChatGroup | None = None) -> QuerySet[Message]:
    """Messages the scorer flagged that nobody has reviewed yet and members can still see."""
    found = Message.objects.filter(flagged_at__isnull=False, hidden_at__isnull=True, deleted_at__isnull=True).filter(
        ~Exists(FlagReview.objects.filter(message=OuterRef("pk")))
    )
    if group is not None:
        found = found.filter(group=group)
    return found.select_related("author", "group__society").order_by("flagged_at", "id")


def open_case_count() -> int:
    return Case.objects.filter(status__in=OPEN_CASE).count()


def open_cases() -> QuerySet[Case]:
    return (
        Case.objects.filter(status__in=OPEN_CASE)
        .select_related("group", "society", "subject")
        .annotate(report_count=Count("reports"))
        .order_by("opened_at", "id")
    )


def recently_closed_cases(*, limit: int = 20) -> QuerySet[Case]:
    return (
        Case.objects.filter(status=Case.Status.CLOSED)
        .select_related("group", "society", "subject")
        .annotate(report_count=Count("reports"))
        .order_by("-closed_at", "-id")[:limit]
    )


def waiting_with_moderators() -> QuerySet[Report]:
    """Reports still with a group's moderators, oldest first: staff can see what is coming their way."""
    return (
        Report.objects.filter(routed_to=Report.Route.MODERATORS, status=Report.Status.OPEN)
        .select_related("group__society")
        .order_by("created_at", "id")
    )


def case_reports(case: Case) -> QuerySet[Report]:
    return case.reports.select_related("reporter", "acted_by", "message").order_by("created_at", "id")


def audit_trail(case: Case) -> QuerySet[AuditEvent]:
    """Everything recorded about the case and its reports, oldest first."""
    report_ids = [str(pk) for pk in case.reports.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(target_type="conduct.case", target_id=str(case.pk))
            | Q(target_type="conduct.report", target_id__in=report_ids)
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
