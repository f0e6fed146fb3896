"""Union staff's views of the access log and the graduate off-boarding report.

Both show other people's personal data, so reading them is itself an access: the off-boarding report
on every view, the access log whenever it is read for one person (the whole log is the staff's own
record of accountability, and is not logged again each time it is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quad.accounts.models import User
from quad.accounts.permissions import staff_required
from quad.core.access_log import record_access
from quad.core.models import DataAccess
from quad.memberships import queries as membership_queries
from quad.privacy.permissions import get_person_for_staff
from quad.privacy.staff_forms import AccessLogFilterForm, DeparturesFilterForm
from quad.societies.models import Society
from quad.societies.permissions import get_society_for_staff

PER_PAGE = 50


@dataclass(frozen=True)
class Pager:
    """One page of a list, with links that keep the page's other filters and pages."""

    page: Page[Any]
    previous_url: str
    next_url: str


def paginate(request: HttpRequest, items: QuerySet[Any], param: str) -> Pager:
    page = Paginator(items, PER_PAGE).get_page(request.GET.get(param))
    page.object_list = list(page.object_list)  # read now: what is shown, not what is logged next

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    return Pager(
        page,
        link(page.previous_page_number()) if page.has_previous() else "",
        link(page.next_page_number()) if page.has_next() else "",
    )


@staff_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    form = AccessLogFilterForm(request.GET or None)
    form.is_valid()  # a filter that does not parse is shown as an error; the others still apply
    filters = getattr(form, "cleaned_data", {})
    society: Society | None = None
    person: User | None = None
    if slug := filters.get("society"):
        society = get_society_for_staff(request.user, slug)
    if pk := filters.get("person"):
        person = get_person_for_staff(request.user, pk)
    accesses = DataAccess.objects.select_related("actor").order_by("-created_at", "-id")
    if society is not None:
        accesses = accesses.filter(scope=society.audit_scope)
    context: dict[str, Any] = {
        "form": form,
        "society": society,
        "person": person,
        "societies": Society.objects.order_by("name").only("slug", "name"),
    }
    if person is None:
        context["log"] = paginate(request, accesses, "page")
    else:
        context["seen"] = paginate(request, accesses.filter(subjects__user=person), "page")
        context["looked"] = paginate(request, accesses.filter(actor=person), "by_page")
        # Not the person's name: `what` outlives an erasure of the person, the subject row does not.
        record_access(
            request.user,
            "privacy.access_log.viewed",
            what="Access log entries about one person" + (f" ({society.name})" if society else ""),
            scope="union",
            subjects=[person.pk],
        )
    return render(request, "privacy/access_log.html", context)


@staff_required
@require_GET
def departures(request: HttpRequest) -> HttpResponse:
    form = DeparturesFilterForm(request.GET or None)
    start, end = form.date_range() if form.is_valid() else (None, None)
    swept = paginate(request, membership_queries.departures(start=start, end=end), "page")
    warned = paginate(request, membership_queries.warned_not_swept(), "warned_page")
    described = form.describe() if form.is_valid() else ""
    record_access(
        request.user,
        "privacy.departures.viewed",
        what="Graduate off-boarding report" + (f" ({described})" if described else ""),
        scope="union",
        subjects=[d.user_id for pager in (swept, warned) for d in pager.page.object_list],
    )
    return render(
        request, "privacy/departures.html", {"form": form, "swept": swept, "warned": warned, "described": described}
    )
