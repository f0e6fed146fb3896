"""A report walked in a real browser: a member reports a message on her phone and follows it on her reports
page; the group's moderator finds it in the review queue and sends it to union staff; staff sign in with
two-factor, open the case from the console, add a note and close it; the member sees it closed.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the report form, the review queue and
the case are saved to docs/img/conduct-*.png for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.accounts.totp import current_code
from quad.conftest import Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser


def test_a_report_goes_from_member_to_moderator_to_union_staff_and_back(
    phone_page: Page, tabs: Tabs, said: Any, member: Any, committee_trained: Any, moderator: Any, su_staff: Any
) -> None:
    # Mia reports Rex's message from her phone.
    sign_in(phone_page, member.email, PASSWORD)
    phone_page.goto(f"/conduct/messages/{said.pk}/report/")
    expect(phone_page.get_by_role("heading", level=1, name="Report a message")).to_be_visible()
    expect(phone_page.get_by_text("Nobody wants you on the walk, Mia.")).to_be_visible()
    phone_page.get_by_label("Something else").check()
    phone_page.get_by_label("Anything else we should know").fill("He keeps doing this.")
    check_a11y(phone_page, "conduct-report-message", screenshot=True)
    assert_no_horizontal_overflow(phone_page, "the report form")
    phone_page.get_by_role("button", name="Send the report").click()
    expect(phone_page.get_by_role("heading", level=1, name="Your reports")).to_be_visible()
    expect(phone_page.get_by_text("Thank you: your report has arrived.")).to_be_visible()
    expect(phone_page.get_by_text("With the group's moderators")).to_be_visible()
    check_a11y(phone_page, "conduct-my-reports")
    assert_no_horizontal_overflow(phone_page, "your reports")

    # Priya, a moderator, sends it to union staff from the group's review queue.
    priya = tabs.open(viewport={"width": 1280, "height": 800})
    sign_in(priya, committee_trained.email, PASSWORD)
    priya.goto(f"/conduct/groups/{said.group_id}/queue/")
    expect(priya.get_by_text("He keeps doing this.")).to_be_visible()
    expect(priya.get_by_text("Mia Member")).to_have_count(0)
    check_a11y(priya, "conduct-group-queue", screenshot=True)
    report = priya.get_by_role("region", name=re.compile(r"^Something else"))
    report.get_by_label("Why send it to union staff").fill("Third time this month.")
    report.get_by_role("button", name="Send to union staff").click()
    expect(priya.get_by_text("Sent to union staff.")).to_be_visible()
    expect(priya.get_by_text("No reports waiting.")).to_be_visible()

    # Jo, union staff, signs in with two-factor and works the case.
    jo = tabs.open(viewport={"width": 1280, "height": 800})
    jo.goto("/auth/login/")
    jo.get_by_label("Email").fill(su_staff.email)
    jo.get_by_label("Password", exact=True).fill(PASSWORD)
    jo.get_by_role("button", name="Sign in").click()
    jo.get_by_label("Code").fill(current_code(su_staff))
    jo.get_by_role("button", name="Sign in").click()
    jo.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    expect(jo.get_by_text("1 open case", exact=False)).to_be_visible()
    jo.get_by_role("navigation", name="Union console").get_by_role("link", name="Reports and cases").click()
    expect(jo.get_by_role("heading", level=1, name="Reports and cases")).to_be_visible()
    check_a11y(jo, "conduct-queue")
    jo.get_by_role("link", name="Case ").first.click()
    expect(jo.get_by_text("Third time this month.")).to_be_visible()
    expect(jo.get_by_text("Mia Member", exact=False).first).to_be_visible()
    check_a11y(jo, "conduct-case", screenshot=True)
    jo.get_by_label("Add a note").fill("Spoke to Rex; he apologised.")
    jo.get_by_role("button", name="Add the note").click()
    expect(jo.get_by_text("Note added.")).to_be_visible()
    jo.get_by_text("Close the case with its outcome").click()
    jo.get_by_label("Warning").check()
    jo.get_by_role("button", name="Close the case").click()
    expect(jo.get_by_text("The case is closed; everyone who reported it is told.")).to_be_visible()
    check_a11y(jo, "conduct-case-closed")

    # Mia sees it closed, and nobody's name.
    phone_page.reload()
    expect(phone_page.get_by_text("Closed", exact=True)).to_be_visible()
    expect(phone_page.get_by_text("Priya")).to_have_count(0)
