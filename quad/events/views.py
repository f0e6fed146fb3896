"""Events: the calendar, event pages, tickets, iCal feeds, management, the check-in scanner."""

from __future__ import annotations

import datetime
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from quad.accounts.models import User
from quad.accounts.permissions import login_required, require_student
from quad.commerce.services import places_left
from quad.core.forms import error_messages
from quad.core.markdown import render_markdown
from quad.core.permissions import not_found
from quad.events import queries, services
from quad.events.emails import ticket_qr_svg
from quad.events.errors import EventError
from quad.events.forms import (
    CalendarFilterForm,
    CancelEventForm,
    EditTicketTypeForm,
    EventForm,
    ScanForm,
    TicketTypeForm,
    WaitingListForm,
    pence,
)
from quad.events.models import Event, Ticket, TicketType, WaitingListEntry
from quad.events.permissions import get_event_for_committee, get_ticket_for_holder, get_visible_event
from quad.memberships.services import log_member_data_access
from quad.societies.models import Category, Power, Society
from quad.societies.permissions import get_society_for_committee, get_visible_society

FEED_SALT = "quad.events.ical"

# --- Public ------------------------------------------------------------------------------------


@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    start, end = filters.get("start"), filters.get("end")
    if request.GET.get("week") == "this":
        today = timezone.localdate()
        start, end = today, today + datetime.timedelta(days=6 - today.weekday())
    events = queries.calendar(
        request.user,
        society_slug=filters.get("society", ""),
        category_slug=filters.get("category", ""),
        start=start,
        end=end,
    )[:200]
    context = {
        "events": events,
        "form": form,
        "categories": Category.objects.all(),
        "societies": Society.objects.filter(status=Society.Status.ACTIVE).only("name", "slug"),
        "filters": filters,
        "this_week": request.GET.get("week") == "this",
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "events/calendar.html#results", context)
    return render(request, "events/calendar.html", context)


@require_GET
def event(request: HttpRequest, pk: int) -> HttpResponse:
    the_event = get_visible_event(request.user, pk)
    ticket_types = list(the_event.ticket_types.select_related("product", "variant"))
    left = places_left(ticket_types[0].variant) if ticket_types else None
    my_tickets = (
        list(Ticket.objects.filter(event=the_event, holder=request.user, status=Ticket.Status.VALID))
        if request.user.is_authenticated
        else []
    )
    waiting = (
        WaitingListEntry.objects.filter(
            event=the_event,
            user=request.user,
            status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        ).first()
        if request.user.is_authenticated
        else None
    )
    return render(
        request,
        "events/event.html",
        {
            "event": the_event,
            "description": render_markdown(the_event.description),
            "ticket_types": ticket_types,
            "places_left": left,
            "my_tickets": my_tickets,
            "waiting": waiting,
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def ticket(request: HttpRequest, code: str) -> HttpResponse:
    the_ticket = get_ticket_for_holder(request.user, code)
    qr = ticket_qr_svg(the_ticket, scale=8, fluid=True)
    return render(request, "events/ticket.html", {"ticket": the_ticket, "qr": qr})


def _ics(events: list[Event], *, name: str, show_links: bool) -> HttpResponse:
    cal = Calendar()
    cal.add("prodid", "-//Quad//Events//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for item in events:
        entry = CalendarEvent()
        entry.add("uid", f"event-{item.pk}@{settings.UNION_EMAIL_DOMAIN}")
        entry.add("summary", item.title)
        entry.add("dtstart", item.starts_at)
        entry.add("dtend", item.ends_at)
        entry.add("dtstamp", item.updated_at)
        entry.add("location", item.venue or ("Online" if item.online_url else ""))
        entry.add("url", settings.SITE_URL + item.get_absolute_url())
        description = item.description[:1000]
        if show_links and item.online_url:
            description += f"\n\nJoin online: {item.online_url}"
        entry.add("description", description)
        if item.status == Event.Status.CANCELLED:
            entry.add("status", "CANCELLED")
        cal.add_component(entry)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="quad.ics"'
    return response


@require_GET
def society_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """A society's public events as iCal (members-only events stay off public feeds)."""
    society = get_visible_society(request.user, slug)
    events = list(Event.objects.filter(society=society, visibility=Event.Visibility.PUBLIC).order_by("starts_at")[:500])
    return _ics(events, name=society.name, show_links=False)


def feed_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=FEED_SALT)


@require_GET
def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A student's own tickets as iCal. Calendar apps cannot sign in, so the link is a signed token."""
    try:
        user_id = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature as exc:
        raise not_found() from exc
    events = list(
        Event.objects.filter(tickets__holder_id=user_id, tickets__status=Ticket.Status.VALID)
        .distinct()
        .order_by("starts_at")[:500]
    )
    return _ics(events, name="My Quad tickets", show_links=True)


# --- Waiting list ------------------------------------------------------------------------------


@login_required
@require_POST
def join_waiting_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = require_student(request.user, doing="join waiting lists")
    the_event = get_visible_event(user, pk)
    form = WaitingListForm(request.POST)
    ticket_type = (
        the_event.ticket_types.filter(pk=form.cleaned_data["ticket_type"]).first() if form.is_valid() else None
    )
    if ticket_type is None:
        messages.error(request, "Choose the tickets you want to wait for.")
        return redirect("events:event", pk=pk)
    try:
        services.join_waiting_list(the_event, ticket_type, user=user)
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "You are on the waiting list. If a place comes free we will email you an offer.")
    return redirect("events:event", pk=pk)


@login_required
@require_POST
def leave_waiting_list(request: HttpRequest, pk: int) -> HttpResponse:
    the_event = get_visible_event(request.user, pk)
    entry = WaitingListEntry.objects.filter(
        event=the_event,
        user=cast(User, request.user),
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
    ).first()
    if entry is not None:
        services.leave_waiting_list(entry, actor=request.user)
        messages.success(request, "You have left the waiting list.")
    return redirect("events:event", pk=pk)


# --- Management --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def society_events(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(request.user, slug, power=Power.EVENTS if request.method == "POST" else None)
    form = EventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The form's fields are the service's keyword arguments, by design.
            new_event = services.create_event(access.society, actor=request.user, **form.cleaned_data)
        except EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Event created. Now add its tickets.")
            return redirect("events:manage-event", pk=new_event.pk)
    return render(
        request,
        "events/society_events.html",
        {
            "access": access,
            "society": access.society,
            "events": Event.objects.filter(society=access.society).order_by("-starts_at")[:100],
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_event(request: HttpRequest, pk: int) -> HttpResponse:
    access, the_event = get_event_for_committee(
        request.user, pk, power=Power.EVENTS if request.method == "POST" else None
    )
    initial = {
        "title": the_event.title,
        "description": the_event.description,
        "starts_at": timezone.localtime(the_event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(the_event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "venue": the_event.venue,
        "online_url": the_event.online_url,
        "visibility": the_event.visibility,
        "capacity": the_event.capacity.size,
    }
    form = EventForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(the_event, actor=request.user, **form.cleaned_data)
        except EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved. Ticket holders are emailed if the time or place changed.")
            return redirect("events:manage-event", pk=pk)
    checked_in, valid = services.attendance(the_event)
    return render(
        request,
        "events/manage_event.html",
        {
            "access": access,
            "society": access.society,
            "event": the_event,
            "form": form,
            "ticket_types": the_event.ticket_types.select_related("product", "variant"),
            "ticket_form": TicketTypeForm(),
            "cancel_form": CancelEventForm(),
            "taken": services.tickets_taken(the_event),
            "checked_in": checked_in,
            "valid": valid,
            "waiting": the_event.waiting_list.filter(status=WaitingListEntry.Status.WAITING).count(),
        },
    )


@login_required
@require_POST
def add_ticket_type(request: HttpRequest, pk: int) -> HttpResponse:
    _access, the_event = get_event_for_committee(request.user, pk)
    form = TicketTypeForm(request.POST)
    if not form.is_valid():
        for message in error_messages(form):
            messages.error(request, message)
        return redirect("events:manage-event", pk=pk)
    data = form.cleaned_data
    try:
        services.add_ticket_type(
            the_event,
            actor=request.user,
            name=data["name"],
            price_pence=pence(data["price"]) or 0,
            member_price_pence=pence(data["member_price"]),
            members_only=data["members_only"],
            per_person_limit=data["per_person_limit"],
            sale_starts_at=data["sale_starts_at"],
            sale_ends_at=data["sale_ends_at"],
        )
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{data['name']}” tickets are on sale.")
    return redirect("events:manage-event", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_ticket_type(request: HttpRequest, pk: int, ticket_type_id: int) -> HttpResponse:
    access, the_event = get_event_for_committee(
        request.user, pk, power=Power.EVENTS if request.method == "POST" else None
    )
    ticket_type = get_object_or_404(
        TicketType.objects.select_related("product", "variant"), pk=ticket_type_id, event=the_event
    )
    initial = {
        "price": ticket_type.variant.price_pence / 100,
        "member_price": None if ticket_type.member_price_pence is None else ticket_type.member_price_pence / 100,
        "on_sale": ticket_type.product.is_active,
    }
    form = EditTicketTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_ticket_type(
                ticket_type,
                actor=request.user,
                price_pence=pence(form.cleaned_data["price"]) or 0,
                member_price_pence=pence(form.cleaned_data["member_price"]),
                on_sale=form.cleaned_data["on_sale"],
            )
        except EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved. A new price applies to later sales only.")
            return redirect("events:manage-event", pk=pk)
    return render(
        request,
        "events/edit_ticket_type.html",
        {"access": access, "society": access.society, "event": the_event, "ticket_type": ticket_type, "form": form},
    )


@login_required
@require_POST
def cancel_event(request: HttpRequest, pk: int) -> HttpResponse:
    _access, the_event = get_event_for_committee(request.user, pk)
    form = CancelEventForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tell ticket holders why the event is cancelled.")
        return redirect("events:manage-event", pk=pk)
    try:
        services.cancel_event(the_event, actor=request.user, reason=form.cleaned_data["reason"])
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The event is cancelled; every ticket holder is refunded and emailed.")
    return redirect("events:manage-event", pk=pk)


@login_required
@require_GET
def attendees(request: HttpRequest, pk: int) -> HttpResponse:
    access, the_event = get_event_for_committee(request.user, pk, power=Power.MEMBER_DATA)
    tickets = list(queries.attendees(the_event))
    log_member_data_access(
        access.society,
        actor=request.user,
        action="attendees_viewed",
        what=f"Attendee list of {the_event.title} ({timezone.localtime(the_event.starts_at):%-d %b %Y})",
        subjects=[t.holder_id for t in tickets],
    )
    return render(
        request,
        "events/attendees.html",
        {"access": access, "society": access.society, "event": the_event, "tickets": tickets},
    )


# --- Check-in ----------------------------------------------------------------------------------


@login_required
@require_GET
def scanner(request: HttpRequest, pk: int) -> HttpResponse:
    access, the_event = get_event_for_committee(request.user, pk)
    checked_in, valid = services.attendance(the_event)
    return render(
        request,
        "events/scanner.html",
        {
            "access": access,
            "society": access.society,
            "event": the_event,
            "form": ScanForm(),
            "checked_in": checked_in,
            "valid": valid,
        },
    )


@login_required
@require_POST
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """One scan. Answers JSON to the scanner's script, or the result partial to htmx/plain forms."""
    _access, the_event = get_event_for_committee(request.user, pk, related=())
    form = ScanForm(request.POST)
    result = (
        services.check_in(the_event, form.cleaned_data["code"], actor=request.user)
        if form.is_valid()
        else services.ScanResult("unknown")
    )
    checked_in, valid = services.attendance(the_event)
    if request.headers.get("Accept") == "application/json":
        payload: dict[str, object] = {"outcome": result.outcome, "checked_in": checked_in, "valid": valid}
        if result.ticket is not None and result.outcome in {"valid", "already"}:
            payload["holder"] = result.ticket.holder.display_name
            payload["ticket_type"] = result.ticket.ticket_type.product.name
        if result.ticket is not None and result.outcome == "already" and result.ticket.checked_in_at:
            # "Already checked in at 19:04 by Sam": the door needs the when and the who, not just "no".
            payload["checked_in_at"] = timezone.localtime(result.ticket.checked_in_at).isoformat(timespec="seconds")
            by = result.ticket.checked_in_by
            payload["checked_in_by"] = by.display_name if by is not None else ""
        return JsonResponse(payload)
    context = {"result": result, "event": the_event, "checked_in": checked_in, "valid": valid}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "events/scan_result.html", context)
    return render(
        request,
        "events/scanner.html",
        {**context, "access": _access, "society": _access.society, "form": ScanForm()},
    )


@login_required
@require_GET
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    _access, the_event = get_event_for_committee(request.user, pk)
    checked_in, valid = services.attendance(the_event)
    return render(request, "events/attendance.html", {"checked_in": checked_in, "valid": valid, "event": the_event})


def my_feed_url(user_id: int) -> str:
    return settings.SITE_URL + reverse("events:my-feed", kwargs={"token": feed_token(user_id)})
