"""Live chat in real browsers on the ASGI server: two people in a group, each page with its socket open;
what one sends appears on the other's page at once (no polling: the script removes the poller when the
socket opens), with a reply, a mention, a reaction and an edit. A third tab whose socket is refused
(websockets blocked) still sees new messages by polling.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.chat.models import ChatGroup, GroupMember
from quad.conftest import PHONE, Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser

LIVE_MS = 3_000  # delivery over the socket; polling would need up to 3 s more


def open_group(page: Page, group: ChatGroup) -> None:
    page.goto(f"/chat/{group.pk}/")
    expect(page.locator(".chat-log")).to_have_attribute("data-live", "1")


def send(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_have_value("")


def test_two_people_chat_live_with_replies_mentions_reactions_and_edits(
    asgi_tabs: Tabs, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    president = asgi_tabs.open(viewport={"width": 1280, "height": 800})
    sign_in(president, moderator.user.email, PASSWORD)
    open_group(president, group)
    phone = asgi_tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    sign_in(phone, chatter.user.email, PASSWORD)
    open_group(phone, group)

    send(president, f"Who's coming on Saturday, @{chatter.user.display_name}?")
    phone_log = phone.get_by_role("list", name="Messages")
    expect(phone_log).to_contain_text(f"Who's coming on Saturday, @{chatter.user.display_name}?", timeout=LIVE_MS)
    expect(phone_log.locator(".mention")).to_have_text(f"@{chatter.user.display_name}")

    # Reply from the phone, through the message's actions.
    row = phone_log.locator("li.chat-message").last
    row.get_by_text("Actions").click()
    row.get_by_role("link", name="Reply").click()
    expect(phone.get_by_text(f"Replying to {moderator.user.display_name}")).to_be_visible()
    send(phone, "Me! I'll bring the map.")
    president_log = president.get_by_role("list", name="Messages")
    expect(president_log).to_contain_text("Me! I'll bring the map.", timeout=LIVE_MS)
    expect(president_log.locator("li.chat-message").last.locator(".chat-reply")).to_contain_text(
        f"Replying to {moderator.user.display_name}"
    )
    check_a11y(phone, "chat-live-phone", screenshot=True)
    assert_no_horizontal_overflow(phone, "chat-live-phone")

    # The president reacts; the phone sees the count arrive.
    last = president_log.locator("li.chat-message").last
    last.get_by_text("Actions").click()
    last.get_by_role("button", name="React 👍").click()
    reactions = phone_log.locator("li.chat-message").last.locator(".chat-reactions")
    expect(reactions).to_contain_text("👍 1", timeout=LIVE_MS)

    # The phone's own message offers edit; others' do not.
    mine = phone.locator("li.chat-message.mine").last
    mine.get_by_text("Actions").click()
    expect(mine.get_by_label("Edit your message")).to_be_visible()
    theirs = phone.locator("li.chat-message:not(.mine)").first
    expect(theirs.locator(".for-author")).to_be_hidden()
    check_a11y(president, "chat-live-desktop")


def test_a_page_whose_socket_is_refused_keeps_up_by_polling(
    asgi_tabs: Tabs, group: ChatGroup, chatter: GroupMember, moderator: GroupMember
) -> None:
    blocked = asgi_tabs.open(viewport=PHONE, is_mobile=True, has_touch=True)
    # As on a network that blocks websockets: the page has no WebSocket to open.
    blocked.add_init_script("window.WebSocket = undefined; delete window.WebSocket;")
    sign_in(blocked, chatter.user.email, PASSWORD)
    blocked.goto(f"/chat/{group.pk}/")
    president = asgi_tabs.open(viewport={"width": 1280, "height": 800})
    sign_in(president, moderator.user.email, PASSWORD)
    open_group(president, group)
    send(president, "Polling still works")
    expect(blocked.get_by_role("list", name="Messages")).to_contain_text("Polling still works", timeout=10_000)
    assert blocked.locator(".chat-log").get_attribute("data-live") is None
    check_a11y(blocked, "chat-polling")
