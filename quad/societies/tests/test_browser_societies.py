"""Societies in a real browser: the directory and a mini site on a phone, and the management
area as an untrained committee member sees it. Every page visited is checked with axe."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.conftest import assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def furnished_society(society: Any, other_society: Any, committee_trained: Any) -> Any:
    """The Hiking Society with everything a mini site can show, some of it long enough to wrap."""
    from quad.societies import services

    services.update_mini_site(
        society,
        actor=committee_trained,
        purpose="We walk **hills** and fells most weekends.\n\n- Beginners welcome\n- Boots to borrow",
        meeting_info="Saturdays 9:00, outside the Students' Union building, main entrance",
        contact_email="hiking.society.committee.mailbox@union.example.ac.uk",
    )
    services.set_social_links(
        society,
        actor=committee_trained,
        links={"instagram": "https://instagram.com/hikingsoc", "website": "https://hiking-society.example.org"},
    )
    services.add_faq_item(
        society, actor=committee_trained, question="Do I need experience?", answer="No: our first walks are gentle."
    )
    return society


def test_phone_visitor_searches_the_directory_and_reads_a_mini_site(phone_page: Page, furnished_society: Any) -> None:
    page = phone_page
    page.goto("/")
    assert_no_horizontal_overflow(page, "front page")
    check_a11y(page, "home-phone")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Societies").tap()
    expect(page.get_by_role("heading", level=1, name="Societies")).to_be_visible()
    expect(page.get_by_text("2 societies")).to_be_visible()
    assert_no_horizontal_overflow(page, "directory")
    check_a11y(page, "directory-phone")

    # Typing searches as you go (htmx swaps the results in place and updates the address).
    page.get_by_label("Search").fill("hills")
    expect(page.get_by_text("1 society matching “hills”")).to_be_visible()
    expect(page.get_by_role("link", name="Chess Club")).to_have_count(0)
    # The card's summary is the purpose as text, not its Markdown source.
    expect(page.locator(".card", has_text="Hiking Society")).to_contain_text("We walk hills and fells")
    assert "q=hills" in page.url
    assert_no_horizontal_overflow(page, "directory search results")
    check_a11y(page, "directory-search-phone", screenshot=True)

    page.get_by_role("link", name="Hiking Society").tap()
    expect(page.get_by_role("heading", level=1, name="Hiking Society")).to_be_visible()
    expect(page.get_by_text("Last updated")).to_be_visible()
    contact = page.get_by_role("link", name="hiking.society.committee.mailbox@union.example.ac.uk")
    expect(contact).to_be_visible()
    expect(page.get_by_role("link", name="Instagram")).to_have_attribute("href", "https://instagram.com/hikingsoc")
    page.get_by_text("Do I need experience?").tap()
    expect(page.get_by_text("No: our first walks are gentle.")).to_be_visible()
    assert_no_horizontal_overflow(page, "mini site")
    check_a11y(page, "mini-site-faq-phone")


def test_untrained_committee_member_sees_the_management_area_read_only(
    page: Page, society: Any, committee_untrained: Any
) -> None:
    sign_in(page, committee_untrained.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/")
    page.get_by_role("link", name="Manage this society").click()

    banner = page.get_by_role("status").filter(has_text="Read-only until you complete GDPR training")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name="Take the training now")).to_have_attribute("href", "/account/training/")
    expect(page.get_by_text("paused").first).to_be_visible()
    check_a11y(page, "manage-untrained")

    page.get_by_role("navigation", name="Management").get_by_role("link", name="Mini site").click()
    expect(banner).to_be_visible()
    expect(page.get_by_text("You can see these details but not change them.")).to_be_visible()
    expect(page.get_by_role("button", name="Save the mini site")).to_have_count(0)
    check_a11y(page, "manage-mini-site-untrained")

    page.get_by_role("navigation", name="Management").get_by_role("link", name="Committee").click()
    expect(banner).to_be_visible()
    expect(page.get_by_role("button", name="Add to committee")).to_have_count(0)
    check_a11y(page, "manage-committee-untrained")
