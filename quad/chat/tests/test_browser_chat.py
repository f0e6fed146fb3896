"""Group chat walked in a real browser: the President opens a group from the management area, copies its
invite link and joins it; a member follows the link on a phone, reads the purpose and guidelines,
accepts them and joins; each sees the other's messages without reloading (the page asks for new ones
every 3 seconds).

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the invite page and the group on a
phone are saved to docs/img/chat-*.png for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.conftest import Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser

NAME = "Walk planning"
PURPOSE = "Sorting out lifts and kit for the weekend walks."
# Polling is every 3 s: allow a few rounds.
POLL_MS = 10_000


def president_opens_a_group(page: Page, president: Any, society: Any) -> str:
    """The new group's invite link, as the committee page shows it (the path only: the live server's)."""
    sign_in(page, president.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/manage/")
    page.get_by_role("navigation", name="Management").get_by_role("link", name="Group chats").click()
    expect(page.get_by_role("heading", level=1, name="Group chats")).to_be_visible()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Purpose").fill(PURPOSE)
    check_a11y(page, "chat-society-groups")
    page.get_by_role("button", name="Open the group").click()
    expect(page.get_by_text(f"“{NAME}” is open.")).to_be_visible()
    row = page.get_by_role("row", name=NAME)
    link = row.locator("code").inner_text()
    return "/chat/" + link.split("/chat/", 1)[1]


def joins(page: Page, invite: str, *, screenshot: bool = False) -> None:
    page.goto(invite)
    expect(page.get_by_role("heading", level=1, name=NAME)).to_be_visible()
    expect(page.get_by_text(PURPOSE)).to_be_visible()
    expect(page.get_by_role("heading", name="Guidelines")).to_be_visible()
    expect(page.get_by_text("Other members see your display name only.")).to_be_visible()
    check_a11y(page, "chat-invite", screenshot=screenshot)
    page.get_by_label("I have read the guidelines and accept them").check()
    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_role("heading", level=1, name=NAME)).to_be_visible()
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_be_visible()


def says(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("list", name="Messages")).to_contain_text(text)


def test_president_opens_a_group_and_a_member_joins_and_they_talk(
    page: Page, tabs: Tabs, committee_trained: Any, member: Any, society: Any
) -> None:
    invite = president_opens_a_group(page, committee_trained, society)
    joins(page, invite)
    check_a11y(page, "chat-group")

    phone = tabs.open(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    sign_in(phone, member.email, PASSWORD)
    joins(phone, invite, screenshot=True)
    says(phone, "I can give two people a lift on Saturday.")

    president_log = page.get_by_role("list", name="Messages")
    expect(president_log).to_contain_text("I can give two people a lift on Saturday.", timeout=POLL_MS)
    expect(president_log).to_contain_text("Mia Member")
    # The member's page has asked for news and found none (a quiet group): it keeps asking.
    with phone.expect_response(lambda response: "/messages/?after=" in response.url, timeout=POLL_MS):
        pass
    says(page, "Thank you! Meet at the station at nine.")

    member_log = phone.get_by_role("list", name="Messages")
    expect(member_log).to_contain_text("Thank you! Meet at the station at nine.", timeout=POLL_MS)
    expect(member_log).to_contain_text("Priya President")
    expect(member_log.locator("li.chat-message")).to_have_count(2)
    assert_no_horizontal_overflow(phone, "group page")
    check_a11y(phone, "chat-group-phone", screenshot=True)
    check_a11y(page, "chat-group-after")
