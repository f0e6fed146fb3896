"""Society email walked in a real browser: the President opens the society's Email page, flagged as
not having emailed members for over a month, writes a news email in Markdown to all members and sees
its preview with the exact recipient count; sending asks for the password again, then the progress
shows every message sent. A member follows the unsubscribe link in their email on a phone, confirms,
and their account page shows news from the society turned off. The preview fits a phone's screen.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the key steps are saved to
docs/img/mailings-*.png for the documentation (see quad/conftest.py).
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

from conftest import PASSWORD
from quad.conftest import PHONE, Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser

SUBJECT = "Spring walks: sign-up opens Monday"
BODY = (
    "Hello walkers!\n\n"
    "Our spring programme is out: **six weekends in the hills**, from a riverside ramble to a full day "
    "on the ridges.\n\n"
    "- Sign-up opens on Monday at 9:00\n"
    "- Boots optional on the first walk: we lend kit\n\n"
    "The details are on [our page](https://quad.example.org/societies/hiking-society/)."
)
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/mailings/unsubscribe/[^/\s]+/")


def open_phone(tabs: Tabs) -> Page:
    return tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)


def last_emailed_weeks_ago(society: Any, committee: Any) -> None:
    """A news email that went to members six weeks ago, so the society is overdue for another."""
    from quad.mailings import services
    from quad.mailings.models import Mailing

    old = services.create_mailing(society, actor=committee, subject="Welcome back for the new term", body="Hello!")
    weeks_ago = timezone.now() - datetime.timedelta(weeks=6)
    Mailing.objects.filter(pk=old.pk).update(
        status=Mailing.Status.SENT, send_at=weeks_ago, started_at=weeks_ago, finished_at=weeks_ago, recipient_count=4
    )


def committee_writes_an_email(page: Page, committee: Any, society: Any, members: list[Any]) -> None:
    sign_in(page, committee.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/manage/")
    page.get_by_role("navigation", name="Management").get_by_role("link", name="Email", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Email")).to_be_visible()
    expect(page.get_by_text(re.compile("not emailed for"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Welcome back for the new term"))).to_contain_text("Sent")
    check_a11y(page, "mailings-list", screenshot=True)

    page.get_by_role("link", name="Write an email").click()
    expect(page.get_by_role("heading", level=1, name="Write an email")).to_be_visible()
    page.get_by_label("Who gets it").select_option(label="All current members")
    expect(page.get_by_label("News: members who turned off news mail do not get it")).to_be_checked()
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Body").fill(BODY)
    check_a11y(page, "mailings-compose", screenshot=True)
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_text("Draft saved. Check the preview, then send or schedule it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=SUBJECT)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(f"All current members — {len(members)} people")
    preview = page.frame_locator("iframe[title='Preview of the email']")
    expect(preview.locator("strong", has_text="six weekends in the hills")).to_be_visible()
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.get_by_role("link", name="Stop news from Hiking Society")).to_be_visible()
    for person in members:  # the count, never the addresses
        expect(page.get_by_text(person.email)).to_have_count(0)
    expect(page.get_by_text("Email to members asks you to confirm your password first.")).to_be_visible()
    check_a11y(page, "mailings-preview", screenshot=True)


def committee_sends_it(page: Page, members: list[Any]) -> None:
    everyone = f"Send to {len(members)} people"
    expect(page.get_by_label("Send now")).to_be_checked()
    page.get_by_role("button", name=everyone).click()

    # Email to every member is a dangerous action: confirm the password first, then press Send again.
    expect(page.get_by_text("Enter your password:")).to_be_visible()
    check_a11y(page, "mailings-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1, name=SUBJECT)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Draft")
    check_a11y(page, "mailings-preview-confirmed")
    page.get_by_role("button", name=everyone).click()

    expect(page.get_by_text(f"Sending to {len(members)} people.")).to_be_visible()
    expect(page.get_by_text(f"Sent: {len(members)} of {len(members)}")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Sent")
    expect(page.get_by_role("button", name=everyone)).to_have_count(0)
    check_a11y(page, "mailings-progress", screenshot=True)

    page.get_by_role("link", name="All mailings").click()
    expect(page.get_by_role("row", name=re.compile(SUBJECT))).to_contain_text("Sent")
    expect(page.get_by_text(re.compile("not emailed for"))).to_have_count(0)
    check_a11y(page, "mailings-list-after-sending")


def preview_fits_a_phone(page: Page, committee: Any, mailing_url: str) -> None:
    sign_in(page, committee.email, PASSWORD)
    page.goto(mailing_url)
    expect(page.get_by_role("heading", level=1, name=SUBJECT)).to_be_visible()
    assert_no_horizontal_overflow(page, "mailing preview")
    check_a11y(page, "mailings-preview-phone")


def member_unsubscribes_on_a_phone(page: Page, member: Any, link: str) -> None:
    page.goto(link)  # straight from the email: not signed in
    expect(page.get_by_role("heading", level=1, name="News from Hiking Society")).to_be_visible()
    assert_no_horizontal_overflow(page, "unsubscribe page")
    check_a11y(page, "mailings-unsubscribe-phone", screenshot=True)
    page.get_by_role("button", name="Stop news from Hiking Society").tap()
    expect(page.get_by_role("status")).to_contain_text("Hiking Society will not send you news email any more.")
    assert_no_horizontal_overflow(page, "unsubscribed page")
    check_a11y(page, "mailings-unsubscribed-phone")

    sign_in(page, member.email, PASSWORD)
    page.goto("/account/")
    news = page.get_by_role("region", name="News email from your societies")
    expect(news).to_contain_text("Hiking Society: news email off")
    expect(news.get_by_role("button", name="Turn on news from Hiking Society")).to_be_visible()
    assert_no_horizontal_overflow(page, "account page")
    check_a11y(page, "mailings-account-news-off-phone")


def test_committee_emails_members_and_a_member_unsubscribes(
    page: Page, tabs: Tabs, committee_trained: Any, society: Any, members: list[Any]
) -> None:
    from quad.mailings import services
    from quad.mailings.models import Mailing

    last_emailed_weeks_ago(society, committee_trained)
    committee_writes_an_email(page, committee_trained, society, members)
    committee_sends_it(page, members)

    mailing = Mailing.objects.get(subject=SUBJECT)
    assert mailing.status == Mailing.Status.SENT
    sent = [m for m in mail.outbox if m.subject == SUBJECT]
    assert sorted(address for m in sent for address in m.to) == sorted(person.email for person in members)
    member = members[0]
    [to_member] = [m for m in sent if m.to == [member.email]]
    text = str(to_member.body)
    assert "Stop news from Hiking Society" in text
    found = UNSUBSCRIBE_LINK.search(text)
    assert found, text
    link = urlsplit(found.group()).path  # SITE_URL is not the live server's address

    preview_fits_a_phone(open_phone(tabs), committee_trained, mailing.get_absolute_url())
    member_unsubscribes_on_a_phone(open_phone(tabs), member, link)
    assert not services.receives_news(member, society)
    assert all(services.receives_news(person, society) for person in members[1:])
