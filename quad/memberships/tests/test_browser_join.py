"""Joining a society and getting a refund, walked in a real browser: the mini site's Join section,
the basket, the TEST MODE payment page, the order and account pages; then a refund asked for on a
phone and approved by the trained treasurer in the management area, who also sees the member list
and the money page.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the key steps are saved to
docs/img/ for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from conftest import PASSWORD, train
from quad.conftest import assert_no_horizontal_overflow, check_a11y, sign_in
from quad.core.academic import current_academic_year

pytestmark = pytest.mark.browser


def until() -> str:
    end = current_academic_year().end
    return f"{end.day} {end:%B %Y}"


def student_joins(page: Page, student: Any, society: Any) -> str:
    """Returns the order reference."""
    sign_in(page, student.email, PASSWORD)
    page.goto(society.get_absolute_url())
    join = page.get_by_role("region", name="Join")
    expect(join).to_contain_text("Full member — £5.00")
    expect(join).to_contain_text(f"until {until()}")
    check_a11y(page, "join-mini-site", screenshot=True)

    join.get_by_role("button", name="Join as Full member of Hiking Society").click()
    expect(page.get_by_role("heading", level=1, name="Your basket")).to_be_visible()
    expect(page.get_by_text("Full member is in your basket.")).to_be_visible()
    expect(page.get_by_role("row", name="Full member Hiking Society 1 £5.00")).to_be_visible()
    check_a11y(page, "join-basket", screenshot=True)

    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_text("TEST MODE", exact=True)).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Test payment for order Q-")
    reference = heading.inner_text().rsplit(" ", 1)[-1]
    check_a11y(page, "test-payment", screenshot=True)

    page.get_by_role("button", name="Pay £5.00 (test)").click()
    expect(page.get_by_role("heading", level=1, name=f"Order {reference}")).to_be_visible()
    expect(page.get_by_text("Payment received. A receipt is on its way by email.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Paid")
    expect(page.locator("dl.facts")).to_contain_text("£5.00")
    check_a11y(page, "join-order", screenshot=True)

    page.goto(society.get_absolute_url())
    expect(page.get_by_role("region", name="Join")).to_contain_text(f"You are a member until {until()}.")
    check_a11y(page, "join-member-mini-site")

    page.goto("/account/")
    memberships = page.get_by_role("region", name="Your memberships")
    expect(memberships).to_contain_text(f"Hiking Society — Full member, member until {until()}")
    expect(page.get_by_role("region", name="Your orders")).to_contain_text(reference)
    check_a11y(page, "join-account", screenshot=True)
    return reference


def member_asks_for_a_refund_on_a_phone(page: Page, student: Any, reference: str) -> None:
    sign_in(page, student.email, PASSWORD)
    page.goto("/account/")
    assert_no_horizontal_overflow(page, "account page")
    check_a11y(page, "join-account-phone")
    page.get_by_role("region", name="Your orders").get_by_role("link", name=reference).tap()
    expect(page.get_by_role("heading", level=1, name=f"Order {reference}")).to_be_visible()
    page.locator("summary", has_text="Ask for a refund").tap()
    page.get_by_label("Why would you like a refund?").fill("I've changed course and can't make the weekend walks.")
    assert_no_horizontal_overflow(page, "order page")
    check_a11y(page, "join-refund-request-phone", screenshot=True)
    page.get_by_role("button", name="Ask for a refund").tap()
    expect(page.get_by_text("Your request has gone to the committee. You will hear by email.")).to_be_visible()
    expect(page.get_by_text("Refund request: Awaiting a decision")).to_be_visible()
    assert_no_horizontal_overflow(page, "order page after the request")
    check_a11y(page, "join-refund-requested-phone")


def treasurer_approves(page: Page, treasurer: Any, society: Any, reference: str) -> None:
    sign_in(page, treasurer.email, PASSWORD)
    check_a11y(page, "sign-in-landing")
    page.goto(f"/societies/{society.slug}/manage/")
    manage = page.get_by_role("navigation", name="Management")
    check_a11y(page, "manage-overview-treasurer")

    manage.get_by_role("link", name="Members", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Members")).to_be_visible()
    expect(page.get_by_role("row", name="Sam Student")).to_contain_text("Full member")
    check_a11y(page, "member-list", screenshot=True)

    manage.get_by_role("link", name="Refunds").click()
    expect(page.get_by_role("heading", level=1, name="Refund requests")).to_be_visible()
    request = page.locator(".panel", has_text=f"order {reference}")
    expect(request).to_contain_text("I've changed course")
    check_a11y(page, "refund-requests", screenshot=True)
    request.get_by_label("Note to the member").fill("Sorry to see you go. Good luck with the new course!")
    request.get_by_role("button", name="Approve and refund").click()
    expect(page.get_by_text("Refunded £5.00; the member has been emailed.")).to_be_visible()
    expect(page.locator(".panel", has_text=f"order {reference}")).to_contain_text("Refunded by Theo Treasurer")
    check_a11y(page, "refund-requests-decided")

    manage.get_by_role("link", name="Money").click()
    expect(page.get_by_role("heading", level=1, name="Money")).to_be_visible()
    expect(page.get_by_role("row", name="Full member")).to_contain_text("£5.00")
    expect(page.locator("tfoot")).to_contain_text("£0.00")
    check_a11y(page, "ledger", screenshot=True)


def test_student_joins_pays_asks_for_a_refund_and_the_treasurer_approves(
    page: Page, phone_page: Page, new_page: Any, student: Any, society: Any, membership_type: Any
) -> None:
    from quad.societies.models import CommitteeTerm

    treasurer = CommitteeTerm.objects.get(society=society, position__name="Treasurer").user
    train(treasurer)

    reference = student_joins(page, student, society)
    to_student = sorted(m.subject for m in mail.outbox if m.to == [student.email])
    assert to_student == [f"Receipt for order {reference}", f"Welcome to {society.name}"]

    member_asks_for_a_refund_on_a_phone(phone_page, student, reference)
    treasurer_approves(new_page(), treasurer, society, reference)

    page.goto("/account/")
    memberships = page.get_by_role("region", name="Your memberships")
    expect(memberships).to_contain_text("Hiking Society — Full member, refunded")
    check_a11y(page, "join-account-refunded")
    page.get_by_role("region", name="Your orders").get_by_role("link", name=reference).click()
    expect(page.get_by_text("£5.00 refunded")).to_be_visible()
    expect(page.get_by_text("Refund request: Refunded — “Sorry to see you go.", exact=False)).to_be_visible()
    check_a11y(page, "join-order-refunded")
    assert any(m.to == [student.email] and "refund" in m.subject.lower() for m in mail.outbox)
