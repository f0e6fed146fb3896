"""One function per email about reports and cases. Each queues on commit.

What they never say: a reporter is never told which moderator or staff member acted, and nobody but union
staff (and officers a case is put before) is told who reported. No email carries the reported text: the
evidence stays in Quad, behind sign-in.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse

from quad.accounts.models import User
from quad.conduct import queries
from quad.conduct.models import Case, Report, Suspension
from quad.core.emails import queue_email


def _url(name: str, **kwargs: int) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def report_received(report: Report) -> None:
    if report.reporter is None:
        return
    queue_email(
        "conduct/emails/report_received",
        to=[report.reporter.email],
        context={"report": report, "group": report.group, "url": _url("conduct:my-reports")},
    )


def report_closed(report: Report) -> None:
    if report.reporter is None:
        return
    queue_email(
        "conduct/emails/report_closed",
        to=[report.reporter.email],
        context={"report": report, "group": report.group, "url": _url("conduct:my-reports")},
    )


def report_waiting(report: Report) -> None:
    """To the group's own moderators: a report is in their queue. Not who made it."""
    moderators = [user.email for user in queries.group_moderators(report.group) if user.pk != report.reported_user_id]
    queue_email(
        "conduct/emails/report_waiting",
        to=moderators,
        context={
            "report": report,
            "group": report.group,
            "hours": settings.CONDUCT_ESCALATE_AFTER_HOURS,
            "url": _url("conduct:group-queue", pk=report.group_id),
        },
    )


def case_alert(case: Case, *, why: str) -> None:
    """To union staff: a case opened, or a report added to one."""
    queue_email(
        "conduct/emails/case_alert",
        to=queries.alert_recipients(),
        context={"case": case, "group": case.group, "why": why, "url": _url("conduct:case", pk=case.pk)},
    )


def overdue_alert(reports: Sequence[Report]) -> None:
    """To union staff, once per sweep: reports no moderator acted on in time."""
    queue_email(
        "conduct/emails/overdue_alert",
        to=queries.alert_recipients(),
        context={
            "reports": [(report, _url("conduct:case", pk=report.case_id)) for report in reports if report.case_id],
            "hours": settings.CONDUCT_ESCALATE_AFTER_HOURS,
            "url": _url("conduct:queue"),
        },
    )


def case_escalated(case: Case, officers: Sequence[User], *, note: str) -> None:
    queue_email(
        "conduct/emails/case_escalated",
        to=[officer.email for officer in officers],
        context={"case": case, "group": case.group, "note": note, "url": _url("conduct:case", pk=case.pk)},
    )


def suspended(suspension: Suspension) -> None:
    """To the person suspended: what it means and for how long. Never the reason staff recorded, which
    may name who reported."""
    queue_email("conduct/emails/suspended", to=[suspension.user.email], context={"suspension": suspension})
