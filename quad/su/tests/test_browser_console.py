"""The union console's society health table and approvals queue, walked in a real browser by Jo Staff
(``su_staff``), who signs in with an authenticator code.

Health: Hiking Society (``society``) has one member, Chess Club (``other_society``) two, and Archery Club
a committee with no GDPR training. Approvals: a new society's application, a member's refund request
and a rep group's request to invite two more people, built through the services.

Every page visited is checked with axe; with QUAD_SCREENSHOTS=1 su-health and su-approvals are saved to
docs/img/ (see quad/conftest.py).
"""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from conftest import PASSWORD, found_society, join, make_person
from quad.conftest import assert_no_horizontal_overflow, check_a11y

pytestmark = pytest.mark.browser

CSV_HEADER = [
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
UNTRAINED = "No trained committee member"


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    settings.CONDUCT_ALERT_EMAILS = []


@pytest.fixture
def societies(society: Any, member: Any, other_society: Any, other_committee: Any, su_staff: Any) -> None:
    """Hiking Society with one member, Chess Club with two, Archery Club with nobody trained."""
    from quad.core.academic import current_academic_year
    from quad.memberships.services import create_membership_type

    chess = create_membership_type(
        other_society, actor=other_committee, year=current_academic_year(), name="Chess member", price_pence=300
    )
    join(make_person("Cal Castle", "cal.castle"), chess)
    join(make_person("Kit Knight", "kit.knight"), chess)
    found_society(
        "Archery Club",
        make_person("Ava Archer", "ava.archer"),
        make_person("Bo Bowman", "bo.bowman"),
        make_person("Cy Fletcher", "cy.fletcher"),
        staff=su_staff,
    )


def staff_signs_in(page: Page, staff: Any) -> None:
    from quad.accounts.totp import current_code

    page.goto("/auth/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-Factor")
    page.get_by_label("Code").fill(current_code(staff))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {staff.display_name}")).to_be_visible()


def console_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Union console").get_by_role("link", name=name, exact=True)


def health_table(page: Page) -> Locator:
    return page.get_by_role("region", name="Society health").get_by_role("table")


def society_order(page: Page) -> list[str]:
    return health_table(page).locator("tbody tr td:first-child").all_inner_texts()


def row_of(page: Page, name: str) -> Locator:
    return health_table(page).get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


# --- Society health ------------------------------------------------------------------------------------


def test_staff_sort_the_health_table_see_flags_download_it_and_open_a_society(
    page: Page, su_staff: Any, societies: None, tmp_path: Path
) -> None:
    staff_signs_in(page, su_staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    console_link(page, "Health").click()
    expect(page.get_by_role("heading", level=1, name="Society health")).to_be_visible()
    expect(console_link(page, "Health")).to_have_attribute("aria-current", "page")
    check_a11y(page, "su-health", screenshot=True)

    # By name at first; each society's measures and flags on its row.
    assert society_order(page) == ["Archery Club", "Chess Club", "Hiking Society"]
    expect(page.get_by_role("columnheader", name="Society")).to_have_attribute("aria-sort", "ascending")
    expect(row_of(page, "Archery Club")).to_contain_text(UNTRAINED)
    expect(row_of(page, "Archery Club")).to_contain_text("0 of 3")
    expect(row_of(page, "Hiking Society")).not_to_contain_text(UNTRAINED)
    expect(row_of(page, "Hiking Society").get_by_role("cell").nth(2)).to_have_text("1")
    expect(row_of(page, "Chess Club").get_by_role("cell").nth(2)).to_have_text("2")

    # Pressing a column's header sorts by it; pressing it again turns the order round.
    members = page.get_by_role("columnheader", name="Members this year")
    expect(members).not_to_have_attribute("aria-sort", re.compile(".*"))
    members.get_by_role("link").click()
    expect(members).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("columnheader", name="Society")).not_to_have_attribute("aria-sort", re.compile(".*"))
    assert society_order(page) == ["Archery Club", "Hiking Society", "Chess Club"]
    check_a11y(page, "su-health-by-members")
    members.get_by_role("link").click()
    expect(members).to_have_attribute("aria-sort", "descending")
    assert society_order(page) == ["Chess Club", "Hiking Society", "Archery Club"]

    # The CSV has the same rows, in the same order, with the same flags.
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download this table as CSV").click()
    download = caught.value
    assert re.fullmatch(r"society-health-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == CSV_HEADER
    assert [row[0] for row in rows[1:]] == ["Chess Club", "Hiking Society", "Archery Club"]
    archery = rows[3]
    assert archery[6] == "0 of 3"
    assert UNTRAINED in archery[10]

    # A society's name opens its page in the console.
    health_table(page).get_by_role("link", name="Chess Club").click()
    expect(page.get_by_role("heading", level=1, name="Chess Club")).to_be_visible()
    check_a11y(page, "su-society-from-health")


def test_the_health_table_scrolls_inside_its_box_on_a_phone(phone_page: Page, su_staff: Any, societies: None) -> None:
    staff_signs_in(phone_page, su_staff)
    phone_page.goto("/su/health/")
    expect(phone_page.get_by_role("heading", level=1, name="Society health")).to_be_visible()
    expect(row_of(phone_page, "Archery Club")).to_contain_text(UNTRAINED)
    assert_no_horizontal_overflow(phone_page, "society health")
    wrapper = phone_page.get_by_role("region", name="Society health")
    assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth"), "the table should scroll inside its box"
    check_a11y(phone_page, "su-health-phone")


# --- Approvals ---------------------------------------------------------------------------------------------


@pytest.fixture
def waiting(member: Any, student: Any, su_staff: Any) -> dict[str, Any]:
    """A society application, a refund request awaiting the union and a rep group's invite request."""
    from quad.chat import invite_requests
    from quad.chat import services as chat_services
    from quad.chat.permissions import current_version
    from quad.commerce import services as commerce_services
    from quad.commerce.models import OrderLine
    from quad.societies import services as society_services
    from quad.societies.models import Category

    category, _ = Category.objects.get_or_create(slug="arts", defaults={"name": "Arts"})
    founder = make_person("Fran Founder", "fran.founder")
    application = society_services.apply_for_society(
        founder,
        name="Pottery Society",
        category=category,
        purpose="Throwing pots.",
        constitution="1. Named as above.",
        committee=[
            (founder.email, "President"),
            (make_person("Gil Glaze", "gil.pots").email, "Treasurer"),
            (make_person("Hal Kiln", "hal.pots").email, "Secretary"),
        ],
    )
    refund = commerce_services.request_refund(
        OrderLine.objects.get(order__buyer=member), actor=member, reason="I joined the wrong society."
    )
    group = chat_services.create_group(actor=su_staff, name="Course reps: History", purpose="Reps and the union.")
    chat_services.make_eligible(group, [student], actor=su_staff)
    joined = chat_services.join_group(student, group, token=group.invite_token)
    rep = chat_services.accept_guidelines(joined, version=current_version(group))
    chat_services.set_role(rep, actor=su_staff, moderator=True)
    invite = invite_requests.request_invites(
        group, actor=student, emails=["new.rep@student.example.ac.uk", "ghost@student.example.ac.uk"]
    )
    return {"application": application, "refund": refund, "invite": invite}


def test_staff_approve_a_society_and_decline_an_invite_request_from_the_queue(
    page: Page, su_staff: Any, waiting: dict[str, Any]
) -> None:
    from quad.chat.models import InviteRequest
    from quad.commerce.models import RefundRequest
    from quad.societies.models import Society

    staff_signs_in(page, su_staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    expect(page.get_by_text("3 things waiting for approval")).to_be_visible()
    console_link(page, "Approvals").click()
    expect(page.get_by_role("heading", level=1, name="Waiting for approval")).to_be_visible()
    societies = page.get_by_role("region", name=re.compile(r"^New societies"))
    refunds = page.get_by_role("region", name=re.compile(r"^Refund requests"))
    invites = page.get_by_role("region", name=re.compile(r"^Rep group invite requests"))
    expect(societies.get_by_role("heading", level=2)).to_have_text("New societies (1)")
    expect(societies.get_by_role("heading", level=3, name="Pottery Society")).to_be_visible()
    expect(refunds.get_by_role("heading", level=2, name=re.compile(r"^Refund requests"))).to_have_text(
        "Refund requests (1)"
    )
    expect(refunds).to_contain_text("I joined the wrong society.")
    expect(invites.get_by_role("heading", level=2)).to_have_text("Rep group invite requests (1)")
    expect(invites.get_by_role("listitem").filter(has_text="new.rep@student.example.ac.uk")).to_be_visible()
    check_a11y(page, "su-approvals", screenshot=True)

    # Approve the application where it stands.
    societies.get_by_role("button", name="Approve Pottery Society").click()
    expect(page.get_by_role("status")).to_contain_text("Pottery Society is approved and its mini site is live.")
    expect(page.get_by_role("heading", level=1, name="Waiting for approval")).to_be_visible()
    expect(societies.get_by_role("heading", level=2)).to_have_text("New societies (0)")
    expect(societies.get_by_text("No applications waiting.")).to_be_visible()
    check_a11y(page, "su-approvals-approved")
    application = Society.objects.get(pk=waiting["application"].pk)
    assert application.status == Society.Status.ACTIVE

    # Decline the rep group's request, with the reason the rep is told.
    invites.locator("summary", has_text="Decline the request for Course reps: History").click()
    invites.get_by_label("Why it is declined (the rep is told)").fill("Ask the course leader first.")
    check_a11y(page, "su-approvals-declining")
    invites.get_by_role("button", name="Decline the request for Course reps: History").click()
    expect(page.get_by_role("status")).to_contain_text("Declined; the rep has been told why.")
    expect(invites.get_by_role("heading", level=2)).to_have_text("Rep group invite requests (0)")
    expect(invites.get_by_text("No invite requests waiting.")).to_be_visible()
    check_a11y(page, "su-approvals-declined")
    invite = InviteRequest.objects.get(pk=waiting["invite"].pk)
    assert (invite.status, invite.decision_note) == (InviteRequest.Status.DECLINED, "Ask the course leader first.")

    # The refund request nobody decided is still waiting.
    expect(refunds.get_by_role("heading", level=2, name=re.compile(r"^Refund requests"))).to_have_text(
        "Refund requests (1)"
    )
    expect(refunds).to_contain_text("I joined the wrong society.")
    refund = RefundRequest.objects.get(pk=waiting["refund"].pk)
    assert refund.status == RefundRequest.Status.REQUESTED
