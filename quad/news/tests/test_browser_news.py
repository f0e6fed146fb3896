"""Society news walked in a real browser: the President writes an article with a photo and its
description, saves it as a draft, previews it and publishes it; a visitor reads it on the mini site
and on the union's news page (on a phone too); union staff, signed in with two-factor, feature it and
it shows on the front page.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the key steps are saved to
docs/img/news-*.png for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.conftest import PHONE, Tabs, assert_no_horizontal_overflow, check_a11y, sign_in

pytestmark = pytest.mark.browser

TITLE = "Spring walks: six weekends in the hills"
ALT = "Three walkers on a green ridge under a blue sky"
BODY = (
    "Our spring programme is out. Six walks, from a **gentle riverside ramble** to a full day on the ridges.\n\n"
    "- Boots optional on the first walk: we lend kit\n"
    "- Meet at the main gate at 9:00\n\n"
    "Questions? Come to the Wednesday social."
)


def make_photo(path: Path) -> Path:
    """A ridge under a sky, with three walkers on it."""
    image = Image.new("RGB", (640, 400), "#bfe0f5")
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 400), (0, 260), (200, 150), (380, 230), (640, 120), (640, 400)], fill="#2f7d3b")
    for x in (300, 330, 360):
        draw.rectangle([(x, 180), (x + 10, 215)], fill="#3b2a8f")
        draw.ellipse([(x - 2, 166), (x + 12, 180)], fill="#3b2a8f")
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def committee_writes_a_draft(page: Page, committee: Any, society: Any, photo: Path) -> None:
    sign_in(page, committee.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/manage/")
    page.get_by_role("navigation", name="Management").get_by_role("link", name="News", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="News")).to_be_visible()
    expect(page.get_by_text("No articles yet.")).to_be_visible()

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Article", exact=True).fill(BODY)
    page.get_by_label("Image (optional)", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="Save article").click()
    # The photo needs its description: the form says so, and nothing is saved.
    expect(page.get_by_text("Describe the image for people who cannot see it.")).to_be_visible()
    expect(page.get_by_text("No articles yet.")).to_be_visible()
    check_a11y(page, "news-form-errors")

    page.get_by_role("navigation", name="Management").get_by_role("link", name="News", exact=True).click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Article", exact=True).fill(BODY)
    page.get_by_label("Image (optional)", exact=True).set_input_files(str(photo))
    page.get_by_label("Image description (optional)", exact=True).fill(ALT)
    expect(page.get_by_label("Draft: only the committee can see it")).to_be_checked()
    check_a11y(page, "news-manage", screenshot=True)
    page.get_by_role("button", name="Save article").click()

    expect(page.get_by_text(f"Draft saved: only your committee can see “{TITLE}”.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    check_a11y(page, "news-edit-draft")

    page.get_by_role("link", name="Preview the article").click()
    expect(
        page.get_by_role("status").filter(has_text="Draft: only your committee can see this article.")
    ).to_be_visible()
    check_a11y(page, "news-preview")
    page.get_by_role("link", name="Edit this article").click()


def committee_publishes(page: Page) -> None:
    page.get_by_label("Published: anyone can read it").check()
    check_a11y(page, "news-edit-article", screenshot=True)
    page.get_by_role("button", name="Save article").click()
    expect(page.get_by_text(f"Published: “{TITLE}” is on your mini site and the union's news page.")).to_be_visible()
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    check_a11y(page, "news-edit-published")

    page.get_by_role("navigation", name="Management").get_by_role("link", name="News", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("Published")
    check_a11y(page, "news-manage-list")


def visitor_reads_it(page: Page, society: Any) -> None:
    page.goto(society.get_absolute_url())
    news = page.get_by_role("region", name="News")
    expect(news.get_by_role("link", name=TITLE)).to_be_visible()
    expect(news.get_by_role("link", name="Atom feed")).to_be_visible()
    check_a11y(page, "news-mini-site", screenshot=True)
    news.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    photo = page.get_by_role("img", name=ALT)
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the uploaded photo did not load"
    expect(page.locator(".prose strong", has_text="gentle riverside ramble")).to_be_visible()
    expect(page.locator(".prose li")).to_have_count(2)
    expect(page.get_by_role("link", name="Edit this article")).to_have_count(0)
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    expect(feed).to_have_attribute("href", f"/news/societies/{society.slug}/feed/")
    check_a11y(page, "news-article", screenshot=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="News").click()
    expect(page.get_by_role("heading", level=1, name="News")).to_be_visible()
    card = page.get_by_role("listitem").filter(has_text=TITLE)
    expect(card).to_contain_text(society.name)
    expect(card).to_contain_text("gentle riverside ramble to a full day on the ridges. Boots optional")  # no "- "
    check_a11y(page, "news-union", screenshot=True)

    response = page.request.get("/news/feed/")
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert TITLE in response.text()


def visitor_reads_on_a_phone(page: Page, society: Any) -> None:
    page.goto("/news/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_no_horizontal_overflow(page, "union news")
    check_a11y(page, "news-union-phone")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("img", name=ALT)).to_be_visible()
    assert_no_horizontal_overflow(page, "article")
    check_a11y(page, "news-article-phone", screenshot=True)


def staff_feature_it(page: Page, su_staff: Any, society: Any) -> None:
    from quad.accounts.totp import current_code

    page.goto("/auth/login/")
    page.get_by_label("Email").fill(su_staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(current_code(su_staff))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Jo Staff")).to_be_visible()

    page.goto("/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    page.get_by_role("link", name="All the news from our societies").click()
    page.get_by_role("link", name=TITLE).click()
    check_a11y(page, "news-feature", screenshot=True)
    page.get_by_role("button", name="Feature on the front page").click()
    expect(page.get_by_text(f"“{TITLE}” is on the front page.")).to_be_visible()
    expect(page.get_by_role("button", name="Take off the front page")).to_be_visible()
    check_a11y(page, "news-featured")

    page.get_by_role("link", name="Quad Students' Union").first.click()
    news = page.get_by_role("region", name="News")
    expect(news.get_by_role("link", name=TITLE)).to_be_visible()
    expect(news).to_contain_text(society.name)
    check_a11y(page, "news-front-page", screenshot=True)


def test_committee_publishes_news_and_staff_feature_it(
    page: Page,
    new_page: Any,
    tabs: Tabs,
    committee_trained: Any,
    society: Any,
    su_staff: Any,
    tmp_path: Path,
) -> None:
    committee_writes_a_draft(page, committee_trained, society, make_photo(tmp_path / "ridge.png"))
    committee_publishes(page)
    visitor_reads_it(new_page(), society)
    visitor_reads_on_a_phone(tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True), society)
    staff_feature_it(new_page(), su_staff, society)
