"""Creating and editing events: validation, who is told about a change, who may see an event and
its online link, and prices that change after sales have started.

`committee_trained` is the President of `society` (every power, trained); `member` is a member.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from quad.commerce import services as commerce
from quad.commerce.errors import OrderError
from quad.commerce.models import Order, OrderLine
from quad.commerce.tests.factories import pay
from quad.core.models import AuditEvent
from quad.events import services
from quad.events.errors import EventError
from quad.events.models import Event, Ticket, TicketType
from quad.events.tests.factories import (
    buy_tickets,
    edit_event,
    in_days,
    make_event,
    make_ticket_type,
    order_tickets,
)

LINK = "https://meet.example.org/night-walk"


def local(moment: datetime.datetime) -> str:
    """As the browser's datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def event_form(**changes: Any) -> dict[str, Any]:
    starts = in_days(10)
    return {
        "title": "Stargazing",
        "description": "Meet at the **gate**.",
        "starts_at": local(starts),
        "ends_at": local(starts + datetime.timedelta(hours=3)),
        "venue": "Observatory hill",
        "online_url": "",
        "visibility": Event.Visibility.PUBLIC,
        "capacity": "40",
    } | changes


def form_errors(response: Any) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


@pytest.fixture
def event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, capacity=10, online_url=LINK)


@pytest.fixture
def ticket_type(event: Event, committee_trained: Any) -> TicketType:
    return make_ticket_type(event, actor=committee_trained, price_pence=500)


# --- Creating ------------------------------------------------------------------------------------


def test_committee_creates_an_event_and_is_sent_to_add_tickets(client, society, committee_trained):
    client.force_login(committee_trained)

    response = client.post(reverse("events:society-events", kwargs={"slug": society.slug}), event_form())

    created = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("events:manage-event", kwargs={"pk": created.pk})
    assert (created.title, created.venue, created.capacity.size, created.created_by) == (
        "Stargazing",
        "Observatory hill",
        40,
        committee_trained,
    )
    assert AuditEvent.objects.filter(action="events.event.created", actor=committee_trained).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": local(in_days(9))}, "ends_at", "The event must end after it starts."),
        ({"ends_at": local(in_days(10))}, "ends_at", "The event must end after it starts."),  # ends as it starts
        ({"venue": "", "online_url": ""}, "venue", "Say where the event is: a place, an online link, or both."),
        ({"capacity": "0"}, "capacity", "Ensure this value is greater than or equal to 1."),
    ],
    ids=["end-before-start", "no-length", "nowhere", "no-places"],
)
def test_event_form_refuses_bad_input_with_a_clear_message(client, society, committee_trained, changes, field, message):
    client.force_login(committee_trained)

    response = client.post(reverse("events:society-events", kwargs={"slug": society.slug}), event_form(**changes))

    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_an_online_event_needs_no_place(client, society, committee_trained):
    client.force_login(committee_trained)

    client.post(reverse("events:society-events", kwargs={"slug": society.slug}), event_form(venue="", online_url=LINK))

    assert Event.objects.get().online_url == LINK


def test_the_services_refuse_what_the_form_refuses(society, committee_trained, event):
    starts = in_days(3)
    with pytest.raises(EventError, match="must end after it starts"):
        make_event(society, actor=committee_trained, starts_at=starts, hours=-1)
    with pytest.raises(EventError, match="Say where the event is"):
        make_event(society, actor=committee_trained, venue=" ", online_url="")
    with pytest.raises(EventError, match="must end after it starts"):
        edit_event(event, actor=committee_trained, ends_at=event.starts_at)
    with pytest.raises(EventError, match="Say where the event is"):
        edit_event(event, actor=committee_trained, venue="", online_url="")
    assert Event.objects.count() == 1


def test_description_markdown_is_sanitised(client, society, committee_trained):
    event = make_event(
        society,
        actor=committee_trained,
        description="**Bring boots**<script>alert(1)</script> [x](javascript:alert(1))",
    )

    page = client.get(event.get_absolute_url()).content.decode()

    assert "<strong>Bring boots</strong>" in page
    assert "<script>alert(1)" not in page
    assert "javascript:alert" not in page


# --- Editing -------------------------------------------------------------------------------------


def test_capacity_cannot_drop_below_places_taken(client, event, ticket_type, member, student, committee_trained):
    buy_tickets(member, ticket_type, 2)
    order_tickets(student, ticket_type, 1)  # pending, still holding its place
    client.force_login(committee_trained)
    url = reverse("events:manage-event", kwargs={"pk": event.pk})
    form = event_form(
        title=event.title,
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        venue=event.venue,
        online_url=event.online_url,
        capacity="2",
    )

    response = client.post(url, form)

    assert response.status_code == 200
    assert form_errors(response) == {"__all__": ["3 places are already taken: capacity cannot be less than that."]}
    event.capacity.refresh_from_db()
    assert event.capacity.size == 10
    response = client.post(url, form | {"capacity": "3"})
    assert response.status_code == 302
    event.capacity.refresh_from_db()
    assert event.capacity.size == 3


def test_changing_the_time_or_place_emails_every_ticket_holder(
    client,
    event,
    ticket_type,
    member,
    student,
    committee_trained,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    buy_tickets(member, ticket_type, 2)
    buy_tickets(student, ticket_type)
    refunded = make_person("Ray Refunded", "ray.refunded")
    [gone] = buy_tickets(refunded, ticket_type)
    Ticket.objects.filter(pk=gone.pk).update(status=Ticket.Status.CANCELLED)
    client.force_login(committee_trained)
    later = event.starts_at + datetime.timedelta(hours=1)
    form = event_form(
        title=event.title,
        description=event.description,
        starts_at=local(later),
        ends_at=local(event.ends_at),
        venue="The boathouse",
        online_url=event.online_url,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:manage-event", kwargs={"pk": event.pk}), form)

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == sorted([member.email, student.email])  # once each
    for message in mailoutbox:
        assert message.subject == "Night walk has changed"
        assert "The start time, place of Night walk (Hiking Society) has changed." in message.body
        assert "The boathouse" in message.body
    audit = AuditEvent.objects.get(action="events.event.updated")
    assert audit.data["changed"] == ["starts_at", "venue"]


def test_other_edits_email_nobody(
    client, event, ticket_type, member, committee_trained, mailoutbox, django_capture_on_commit_callbacks
):
    buy_tickets(member, ticket_type)
    client.force_login(committee_trained)
    form = event_form(
        title="Night walk (with owls)",
        description="Now with owls.",
        starts_at=local(event.starts_at),
        ends_at=local(event.ends_at),
        venue=event.venue,
        online_url=event.online_url,
        capacity="12",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:manage-event", kwargs={"pk": event.pk}), form)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.description) == ("Night walk (with owls)", "Now with owls.")
    assert mailoutbox == []


def test_a_cancelled_event_cannot_be_edited(event, committee_trained):
    services.cancel_event(event, actor=committee_trained, reason="Storm warning.")

    with pytest.raises(EventError, match="This event is cancelled"):
        edit_event(event, actor=committee_trained, title="Renamed")


# --- Who sees what -------------------------------------------------------------------------------


@pytest.fixture
def members_event(society: Any, committee_trained: Any) -> Event:
    return make_event(society, actor=committee_trained, title="Members' social", visibility=Event.Visibility.MEMBERS)


def test_members_only_event_does_not_exist_for_outsiders(
    client, members_event, student, visitor, other_committee, other_society
):
    url = members_event.get_absolute_url()
    assert client.get(url).status_code == 404
    for outsider in (student, visitor, other_committee):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider


def test_members_only_event_is_seen_by_members_committee_and_staff(
    client, members_event, member, committee_untrained, su_staff
):
    for insider in (member, committee_untrained, su_staff):
        client.force_login(insider)
        response = client.get(members_event.get_absolute_url())
        assert response.status_code == 200, insider
        assert "Members&#x27; social" in response.content.decode()


def test_a_lapsed_member_no_longer_sees_members_only_events(client, members_event, member):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    member.memberships.update(starts_on=yesterday - datetime.timedelta(days=300), ends_on=yesterday)
    client.force_login(member)

    assert client.get(members_event.get_absolute_url()).status_code == 404


def test_the_online_link_is_shown_only_to_ticket_holders(client, event, ticket_type, member, student, su_staff):
    buy_tickets(member, ticket_type)
    url = event.get_absolute_url()

    assert LINK not in client.get(url).content.decode()
    for without_ticket in (student, su_staff):
        client.force_login(without_ticket)
        page = client.get(url).content.decode()
        assert LINK not in page
        assert "The link is shown to ticket holders." in page
    client.force_login(member)
    assert LINK in client.get(url).content.decode()


def test_a_cancelled_ticket_no_longer_shows_the_link(client, event, ticket_type, member):
    [ticket] = buy_tickets(member, ticket_type)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CANCELLED)
    client.force_login(member)

    assert LINK not in client.get(event.get_absolute_url()).content.decode()


# --- Prices --------------------------------------------------------------------------------------


def test_a_price_change_after_sales_started_applies_to_later_sales_only(
    client, event, ticket_type, committee_trained, member, student
):
    early = make_person("Ed Early", "ed.early")
    buy_tickets(early, ticket_type)
    pending = order_tickets(student, ticket_type)  # placed at the old price, not yet paid
    client.force_login(committee_trained)

    response = client.post(
        reverse("events:edit-ticket-type", kwargs={"pk": event.pk, "ticket_type_id": ticket_type.pk}),
        {"price": "7.50", "on_sale": "on"},
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Saved. A new price applies to later sales only."]
    ticket_type.variant.refresh_from_db()
    assert ticket_type.variant.price_pence == 750
    pay(pending)  # the buyer pays what they were asked
    pending.refresh_from_db()
    assert (pending.status, pending.total_pence) == (Order.Status.PAID, 500)
    late = make_person("Lu Late", "lu.late")
    buy_tickets(late, ticket_type)
    prices = dict(OrderLine.objects.filter(kind="ticket").values_list("order__buyer__email", "unit_price_pence"))
    assert prices == {early.email: 500, student.email: 500, late.email: 750}
    assert AuditEvent.objects.filter(action="events.ticket_type.updated", data__price_pence=750).exists()


def test_ticket_type_edit_refuses_bad_prices(client, event, ticket_type, committee_trained):
    client.force_login(committee_trained)
    url = reverse("events:edit-ticket-type", kwargs={"pk": event.pk, "ticket_type_id": ticket_type.pk})

    response = client.post(url, {"price": "-1", "on_sale": "on"})

    assert response.status_code == 200
    assert "price" in response.context["form"].errors
    with pytest.raises(EventError, match="Prices cannot be negative"):
        services.update_ticket_type(
            ticket_type, actor=committee_trained, price_pence=-5, member_price_pence=None, on_sale=True
        )
    ticket_type.variant.refresh_from_db()
    assert ticket_type.variant.price_pence == 500


def test_taking_tickets_off_sale(client, event, ticket_type, committee_trained, student):
    client.force_login(committee_trained)
    client.post(
        reverse("events:edit-ticket-type", kwargs={"pk": event.pk, "ticket_type_id": ticket_type.pk}), {"price": "5"}
    )

    with pytest.raises(OrderError, match="is not on sale"):
        commerce.add_to_basket(student, ticket_type.variant)


def test_ticket_type_validation(event, committee_trained):
    with pytest.raises(EventError, match="member price should not be more"):
        make_ticket_type(event, actor=committee_trained, price_pence=500, member_price_pence=600)
    with pytest.raises(EventError, match="at least one ticket"):
        make_ticket_type(event, actor=committee_trained, per_person_limit=0)
    now = timezone.now()
    with pytest.raises(EventError, match="close after they open"):
        services.add_ticket_type(
            event,
            actor=committee_trained,
            name="Early bird",
            price_pence=300,
            sale_starts_at=now,
            sale_ends_at=now - datetime.timedelta(hours=1),
        )
    assert not TicketType.objects.exists()
