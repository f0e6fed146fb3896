"""Events walked in a real browser: the committee creates an event and its tickets in the management
area; a member finds it on the calendar, buys a ticket through the basket, checkout and the TEST MODE
payment page, and sees the ticket's QR code and their tickets on the account page; on a phone, the
committee checks the ticket in with the scanner (valid, then already checked in) and the attendance
count follows. A sold-out event offers its waiting list.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the key steps are saved to
docs/img/ for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from quad.conftest import PHONE, Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser

TITLE = "Full-moon walk on the Malverns"
GREEN = "rgb(29, 107, 53)"  # --ok
RED = "rgb(163, 25, 31)"  # --bad


def local_input(moment: datetime.datetime) -> str:
    """The value a person types into a datetime-local field."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def event_times() -> tuple[datetime.datetime, datetime.datetime]:
    day = timezone.localdate() + datetime.timedelta(days=3)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 30)))
    return starts, starts + datetime.timedelta(hours=3)


def open_phone(tabs: Tabs) -> Page:
    return tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


def committee_creates_the_event(page: Page, committee: Any, society: Any) -> Any:
    from quad.events.models import Event

    sign_in(page, committee.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/manage/")
    manage = page.get_by_role("navigation", name="Management")
    manage.get_by_role("link", name="Events", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Events")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Beginners' boots clinic"))).to_be_visible()

    starts, ends = event_times()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill(
        "A gentle **night walk** up to the Worcestershire Beacon.\n\n- Bring a head torch\n- Hot chocolate at the top"
    )
    page.get_by_label("Starts").fill(local_input(starts))
    page.get_by_label("Ends").fill(local_input(ends))
    page.get_by_label("Place").fill("Great Malvern station")
    page.get_by_label("Who can see it").select_option(label="Anyone")
    page.get_by_label("Capacity").fill("30")
    check_a11y(page, "manage-events-new")
    page.get_by_role("button", name="Create event").click()

    expect(page.get_by_text("Event created. Now add its tickets.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("0 of 30")
    check_a11y(page, "manage-event-created")

    page.locator("summary", has_text="Add a ticket type").click()
    page.get_by_label("Name", exact=True).fill("Walker")
    page.get_by_label("Price (£)", exact=True).fill("6.00")
    page.get_by_label("Member price (£)").fill("3.00")
    page.get_by_role("button", name="Add tickets").click()
    expect(page.get_by_text("“Walker” tickets are on sale.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Walker — £6.00 (members £3.00)")).to_be_visible()
    check_a11y(page, "manage-event", screenshot=True)

    event = Event.objects.get(title=TITLE)
    assert event.society == society
    assert timezone.localtime(event.starts_at) == timezone.localtime(starts)
    return event


def member_buys_a_ticket(page: Page, member: Any, society: Any, event: Any) -> str:
    """Returns the ticket's code."""
    sign_in(page, member.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(page.get_by_role("heading", level=1, name="Events")).to_be_visible()
    check_a11y(page, "calendar-all")
    page.get_by_label("Society").select_option(label=society.name)  # htmx refreshes the results
    expect(page).to_have_url(re.compile(rf"society={society.slug}"))
    results = page.locator("#results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.get_by_role("link", name="Beginners' boots clinic")).to_be_visible()
    expect(results.get_by_role("link", name="Opening gambits")).to_have_count(0)  # Chess Club's
    check_a11y(page, "calendar", screenshot=True)

    results.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator(".prose strong", has_text="night walk")).to_be_visible()
    expect(page.locator(".prose li", has_text="Bring a head torch")).to_be_visible()
    tickets = page.get_by_role("region", name="Tickets", exact=True)
    expect(tickets).to_contain_text("30 places left")
    expect(tickets).to_contain_text("Walker — £6.00 (members £3.00)")
    check_a11y(page, "event", screenshot=True)

    tickets.get_by_role("button", name=re.compile(r"^Add to basket\W+Walker$")).click()
    expect(page.get_by_role("heading", level=1, name="Your basket")).to_be_visible()
    expect(page.get_by_text("Walker is in your basket.")).to_be_visible()
    check_a11y(page, "event-basket")
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_text("TEST MODE", exact=True)).to_be_visible()
    check_a11y(page, "event-test-payment")
    page.get_by_role("button", name="Pay £3.00 (test)").click()  # the member price
    expect(page.get_by_text("Payment received. A receipt is on its way by email.")).to_be_visible()
    check_a11y(page, "event-order")

    page.goto(event.get_absolute_url())
    mine = page.get_by_role("region", name="Your tickets")
    expect(mine).to_be_visible()
    expect(page.get_by_role("region", name="Tickets", exact=True)).to_contain_text("29 places left")
    check_a11y(page, "event-with-ticket")
    mine.get_by_role("link", name="Ticket 1").click()

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    qr = page.get_by_role("img", name="QR code of your ticket, to show at the door")
    expect(qr).to_be_visible()
    expect(qr.locator("svg")).to_be_visible()
    code = page.locator("code").inner_text().strip()
    assert len(code) >= 20, code
    expect(page.get_by_text("Walker · Mia Member")).to_be_visible()
    check_a11y(page, "ticket-qr", screenshot=True)

    page.goto("/account/")
    yours = page.get_by_role("region", name="Your tickets")
    expect(yours.get_by_role("link", name=TITLE)).to_be_visible()
    feed = yours.get_by_role("link", name="iCal feed")
    expect(feed).to_be_visible()
    check_a11y(page, "account-tickets")
    href = feed.get_attribute("href")
    assert href
    ical = page.request.get(urlsplit(href).path)  # the link is absolute, on SITE_URL
    assert ical.ok
    assert ical.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in ical.text()
    assert TITLE in ical.text()
    return code


def member_shows_the_ticket_on_a_phone(page: Page, member: Any) -> None:
    sign_in(page, member.email, PASSWORD)
    page.goto("/account/")
    page.get_by_role("region", name="Your tickets").get_by_role("link", name=TITLE).tap()
    expect(page.get_by_role("img", name="QR code of your ticket, to show at the door").locator("svg")).to_be_visible()
    assert_no_horizontal_overflow(page, "ticket page")
    check_a11y(page, "ticket-qr-phone")
    page.get_by_role("link", name="About the event").tap()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert_no_horizontal_overflow(page, "event page")
    check_a11y(page, "event-phone")
    page.goto("/events/")
    assert_no_horizontal_overflow(page, "calendar")
    check_a11y(page, "calendar-phone")


def committee_checks_in_on_a_phone(page: Page, committee: Any, event: Any, code: str) -> None:
    from quad.events.models import Ticket

    sign_in(page, committee.email, PASSWORD)
    page.goto(f"/events/{event.pk}/manage/")
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert_no_horizontal_overflow(page, "manage event")
    check_a11y(page, "manage-event-phone")
    page.get_by_role("link", name="Check-in scanner").tap()
    expect(page.get_by_role("heading", level=1, name="Check-in")).to_be_visible()
    attendance = page.locator("#attendance")
    expect(attendance).to_have_text("0 checked in of 1 ticket")
    assert_no_horizontal_overflow(page, "scanner")
    check_a11y(page, "scanner-phone")

    # Without BarcodeDetector (desktop Linux, Firefox, Safari) the camera button stays hidden: type the code.
    has_detector = page.evaluate("() => 'BarcodeDetector' in window")
    expect(page.get_by_role("button", name="Scan with the camera")).to_have_count(1 if has_detector else 0)

    page.get_by_label("Ticket code").fill(code)
    page.get_by_label("Ticket code").press("Enter")  # the phone keyboard's Go
    result = page.locator("#scan-result .scan")
    expect(result).to_contain_text("Valid")
    expect(result).to_contain_text("Mia Member · Walker")
    expect(result).to_have_css("background-color", GREEN)
    expect(attendance).to_have_text("1 checked in of 1 ticket")
    expect(page.get_by_label("Ticket code")).to_have_value("")  # ready for the next person
    assert_no_horizontal_overflow(page, "scanner after a valid scan")
    check_a11y(page, "scanner-valid-phone", screenshot=True, full_page=False)

    ticket = Ticket.objects.get(code=code)
    assert ticket.checked_in_at is not None
    at = timezone.localtime(ticket.checked_in_at).strftime("%H:%M")

    page.get_by_label("Ticket code").fill(code)
    page.get_by_label("Ticket code").press("Enter")
    expect(result).to_contain_text("Already checked in")
    expect(result).to_contain_text(f"at {at} by Priya President")
    expect(result).to_have_css("background-color", RED)
    expect(attendance).to_have_text("1 checked in of 1 ticket")
    assert_no_horizontal_overflow(page, "scanner after a second scan")
    check_a11y(page, "scanner-already-phone", screenshot=True, full_page=False)

    page.get_by_label("Ticket code").fill("not-a-real-ticket-code")
    page.get_by_role("button", name="Check in").tap()
    expect(result).to_contain_text("Not a ticket")
    expect(result).to_have_css("background-color", RED)
    check_a11y(page, "scanner-unknown-phone")

    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    assert timezone.localtime(ticket.checked_in_at).strftime("%H:%M") == at  # the second scan changed nothing


def test_committee_creates_an_event_a_member_buys_a_ticket_and_is_checked_in(
    page: Page,
    phone_page: Page,
    new_page: Any,
    tabs: Tabs,
    committee_trained: Any,
    society: Any,
    other_society: Any,
    other_committee: Any,
    member: Any,
) -> None:
    from quad.events import services

    starts, _ = event_times()
    services.create_event(
        society,
        actor=committee_trained,
        title="Beginners' boots clinic",
        starts_at=starts + datetime.timedelta(days=1),
        ends_at=starts + datetime.timedelta(days=1, hours=2),
        venue="Students' Union, room 2",
        capacity=20,
    )
    services.create_event(
        other_society,
        actor=other_committee,
        title="Opening gambits",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        online_url="https://meet.example.com/chess",
        capacity=40,
    )

    event = committee_creates_the_event(page, committee_trained, society)
    code = member_buys_a_ticket(new_page(), member, society, event)
    subjects = [m.subject for m in mail.outbox if m.to == [member.email]]
    assert any(TITLE in s for s in subjects), subjects

    member_shows_the_ticket_on_a_phone(open_phone(tabs), member)
    committee_checks_in_on_a_phone(phone_page, committee_trained, event, code)

    page.reload()
    expect(page.locator("dl.facts")).to_contain_text("1 of 30")
    expect(page.locator("dl.facts")).to_contain_text("1 of 1")
    check_a11y(page, "manage-event-after-check-in")
    page.get_by_role("link", name="Attendees").click()
    expect(page.get_by_role("row", name=re.compile("Mia Member"))).to_contain_text("by Priya President")
    check_a11y(page, "attendees")


def test_a_sold_out_event_offers_its_waiting_list(
    page: Page, committee_trained: Any, society: Any, student: Any
) -> None:
    from quad.commerce import services as commerce
    from quad.events import services
    from quad.events.models import WaitingListEntry

    starts, ends = event_times()
    event = services.create_event(
        society,
        actor=committee_trained,
        title="Summit sunrise",
        starts_at=starts,
        ends_at=ends,
        venue="Worcestershire Beacon",
        capacity=1,
    )
    ticket_type = services.add_ticket_type(event, actor=committee_trained, name="Free place", price_pence=0)
    first = make_person("Fay First", "fay.first")
    commerce.place_order(first, items=[(ticket_type.variant, 1)])  # free: paid at once

    sign_in(page, student.email, PASSWORD)
    page.goto(event.get_absolute_url())
    tickets = page.get_by_role("region", name="Tickets", exact=True)
    expect(tickets).to_contain_text("Sold out")
    expect(tickets.get_by_role("button", name=re.compile("^Add to basket"))).to_have_count(0)
    check_a11y(page, "event-sold-out")

    tickets.get_by_role("button", name="Join the waiting list for Free place").click()
    expect(
        page.get_by_text("You are on the waiting list. If a place comes free we will email you an offer.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Join the waiting list"))).to_have_count(0)
    expect(page.get_by_role("button", name="Leave the waiting list")).to_be_visible()
    check_a11y(page, "event-waiting-list")
    assert WaitingListEntry.objects.get(event=event).user == student
