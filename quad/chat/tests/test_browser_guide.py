"""The whole WhatsApp guide, walked in real browsers on the ASGI server (sockets live):

the President emails the invite (link and QR) from Quad → Mia follows the emailed link on her phone,
reads the purpose and guidelines, accepts them and joins → Rex joins too → they chat, live → Rex turns
nasty; Mia reports the message → the President hides it, writes to Rex privately from the template,
then removes him → Rex's open page is closed at once and his old invite link refuses him → union staff
see the removal and the report as cases, with the evidence.

Every page visited is checked with axe.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, join, make_person
from quad.accounts.totp import current_code
from quad.chat.models import ChatGroup
from quad.conftest import PHONE, Tabs, check_a11y, sign_in

pytestmark = pytest.mark.browser

LIVE_MS = 3_000
NASTY = "Nobody wants you on this walk, Mia. Stay home."


def send(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Message", exact=True).fill(text)
    page.get_by_role("button", name="Send").click()


def accept_invite(page: Page, link: str, name: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    check_a11y(page, "guide-invite")
    page.get_by_label("I have read the guidelines and accept them").check()
    page.get_by_role("button", name="Join the group").click()
    expect(page.locator(".chat-log")).to_have_attribute("data-live", "1")


def test_the_whole_guide_from_invite_email_to_the_unions_case(
    asgi_tabs: Tabs,
    group: ChatGroup,
    committee_trained: Any,
    member: Any,
    membership_type: Any,
    su_staff: Any,
    mailoutbox: list[Any],
) -> None:
    rex = make_person("Rex Rude", "rex.rude")
    join(rex, membership_type)

    # W5: the President emails the invite link and its QR code to the members, from Quad.
    president = asgi_tabs.open(viewport={"width": 1280, "height": 800})
    sign_in(president, committee_trained.email, PASSWORD)
    president.goto(f"/chat/{group.pk}/")
    president.get_by_text("Moderate").click()
    expect(president.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    president.get_by_role("button", name="Email the invite to members").click()
    # Emailing every member asks for the password again first, then comes back to the group.
    expect(president.get_by_role("heading", level=1, name="Confirm Access")).to_be_visible()
    president.get_by_label("Password").fill(PASSWORD)
    president.get_by_role("button", name="Confirm").click()
    president.get_by_text("Moderate").click()
    president.get_by_role("button", name="Email the invite to members").click()
    expect(president.get_by_text(re.compile(r"Emailed the invite"))).to_be_visible()
    check_a11y(president, "guide-group-moderator")
    invites = {message.to[0]: message for message in mailoutbox}
    assert {member.email, rex.email} <= set(invites)
    mia_email = invites[member.email]
    assert "<svg" in mia_email.alternatives[0][0]  # the QR code, inline
    link = re.search(r"https?://\S+/chat/join/\S+/", mia_email.body)
    assert link is not None
    invite_path = "/chat/" + link.group(0).split("/chat/", 1)[1]
    assert rex.email not in mia_email.message().as_string()  # one email each: nobody sees another's address

    # W3, W4, W6: Mia follows the link on her phone, reads the purpose and guidelines, accepts, joins.
    mia = asgi_tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    sign_in(mia, member.email, PASSWORD)
    accept_invite(mia, invite_path, group.name)
    rex_page = asgi_tabs.open(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(rex_page, rex.email, PASSWORD)
    accept_invite(rex_page, invite_path, group.name)

    # They chat, live.
    send(mia, "Is anyone driving to the Peak on Saturday?")
    expect(rex_page.get_by_role("list", name="Messages")).to_contain_text("driving to the Peak", timeout=LIVE_MS)
    send(rex_page, NASTY)
    # The quick check asks first, kindly; Rex posts anyway.
    expect(rex_page.get_by_role("heading", level=1, name="Before you post")).to_be_visible()
    expect(rex_page.get_by_text("It might come across as bullying")).to_be_visible()
    check_a11y(rex_page, "guide-nudge", screenshot=True)
    rex_page.get_by_role("button", name="Post it anyway").click()
    mia_log = mia.get_by_role("list", name="Messages")
    expect(mia_log).to_contain_text(NASTY, timeout=LIVE_MS)

    # O7, O18: Mia reports it, with a category and a note.
    nasty_row = mia_log.locator("li.chat-message", has_text=NASTY)
    nasty_row.get_by_text("Actions").click()
    nasty_row.get_by_role("link", name="Report this message").click()
    expect(mia.get_by_role("heading", level=1, name="Report a message")).to_be_visible()
    mia.get_by_label("Bullying").check()
    mia.get_by_label("Anything else we should know").fill("He did this last week too.")
    mia.get_by_role("button", name="Send the report").click()
    expect(mia.get_by_text("Thank you: your report has arrived.")).to_be_visible()
    check_a11y(mia, "guide-my-reports")

    # O17: the President hides the message; Mia's open page shows it hidden, live.
    mia.goto(f"/chat/{group.pk}/")
    expect(mia.locator(".chat-log")).to_have_attribute("data-live", "1")
    president.reload()
    row = president.get_by_role("list", name="Messages").locator("li.chat-message", has_text=NASTY)
    row.get_by_text("Actions").click()
    row.get_by_placeholder("Why hide it").fill("Bullying a member")
    row.get_by_role("button", name="Hide").click()
    expect(president.get_by_text("Hidden. Members no longer see it; union staff can.")).to_be_visible()
    expect(mia.get_by_role("list", name="Messages")).not_to_contain_text(NASTY, timeout=LIVE_MS)
    expect(mia.get_by_role("list", name="Messages")).to_contain_text("Hidden by a moderator.")

    # W11, O16: the President writes to Rex privately, from the template that cites the code of conduct.
    president.get_by_text("Moderate").click()
    president.get_by_role("link", name="Write privately to Rex Rude").click()
    expect(president.get_by_label("Message")).to_contain_text("code of conduct")
    check_a11y(president, "guide-write-privately")
    president.get_by_role("button", name="Send privately").click()
    expect(president.get_by_text(re.compile("Sent privately to Rex Rude"))).to_be_visible()
    rex_page.reload()
    rex_page.get_by_role("link", name="The moderators wrote to you privately").click()
    expect(rex_page.get_by_text("The moderators", exact=True).first).to_be_visible()
    expect(rex_page.get_by_text(committee_trained.display_name)).to_have_count(0)
    check_a11y(rex_page, "guide-private-thread")
    rex_page.goto(f"/chat/{group.pk}/")
    expect(rex_page.locator(".chat-log")).to_have_attribute("data-live", "1")

    # W12: he carries on; the President removes him. His open page is closed at once.
    president.goto(f"/chat/{group.pk}/")
    president.get_by_text("Moderate").click()
    president.get_by_label("Why remove Rex Rude").fill("Bullying after a private warning")
    president.get_by_role("button", name="Remove Rex Rude").click()
    expect(president.get_by_text("Rex Rude is removed and cannot rejoin.")).to_be_visible()
    expect(rex_page.get_by_text("You are no longer in this group.")).to_be_visible(timeout=LIVE_MS)

    # His old invite link refuses him.
    rex_page.goto(invite_path)
    refused = "You were removed from this group, so its invite links no longer admit you."
    expect(rex_page.get_by_text(refused)).to_be_visible()
    check_a11y(rex_page, "guide-removed")

    # W13, O19: union staff see the removal and the report as cases, with the evidence.
    jo = asgi_tabs.open(viewport={"width": 1280, "height": 800})
    jo.goto("/auth/login/")
    jo.get_by_label("Email").fill(su_staff.email)
    jo.get_by_label("Password", exact=True).fill(PASSWORD)
    jo.get_by_role("button", name="Sign in").click()
    jo.get_by_label("Code").fill(current_code(su_staff))
    jo.get_by_role("button", name="Sign in").click()
    # Signed in once the account page shows: going elsewhere sooner could cut the sign-in short.
    expect(jo.get_by_role("heading", level=1, name="Hello, Jo Staff")).to_be_visible()
    jo.goto("/conduct/queue/")
    expect(jo.get_by_role("heading", level=1, name="Reports and cases")).to_be_visible()
    expect(jo.get_by_text("Rex Rude").first).to_be_visible()
    check_a11y(jo, "guide-staff-queue")
    jo.get_by_role("link", name="Case ").first.click()
    expect(jo.get_by_text(NASTY).first).to_be_visible()
    check_a11y(jo, "guide-staff-case")
