"""Founding a society, walked in a real browser: sign up, verify, apply, staff approval with
two-factor sign-in, GDPR training, the mini site edited and then seen by a visitor.

Every page visited is checked with axe. With QUAD_SCREENSHOTS=1 the key steps are saved to
docs/img/ for the documentation (see quad/conftest.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from quad.conftest import assert_no_horizontal_overflow, check_a11y

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def make_logo(path: Path) -> Path:
    image = Image.new("RGB", (256, 256), "#1d6b35")
    draw = ImageDraw.Draw(image)
    draw.polygon([(128, 30), (230, 220), (26, 220)], fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def sign_up(page: Page) -> None:
    page.goto("/")
    check_a11y(page, "home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1, name="Sign up")).to_be_visible()
    page.get_by_label("Your name").fill("Ada Founder")
    page.get_by_label("Email").fill("ada.founder@student.example.ac.uk")
    page.get_by_label("When does your course end?").select_option(index=3)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    check_a11y(page, "signup", screenshot=True)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    check_a11y(page, "signup-verification-sent")


def verify_email(page: Page) -> None:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == ["ada.founder@student.example.ac.uk"]
    match = re.search(r"https?://\S+/auth/confirm-email/\S+/", str(message.body))
    assert match, message.body
    page.goto(match.group(0))
    check_a11y(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()
    # Confirming in the same browser signs them in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    expect(page.get_by_role("heading", level=1, name="Hello, Ada Founder")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Student until")
    check_a11y(page, "account-home")


def apply_for_society(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Societies").click()
    check_a11y(page, "directory-empty")
    page.get_by_role("link", name="Can't find it? Found a new society.").click()
    page.get_by_label("Society name").fill("Fell Walking Society")
    page.get_by_label("Category").select_option(label="Sport & Outdoors")
    page.get_by_label("Purpose").fill("We walk the **fells** every other weekend, at an easy pace.")
    page.get_by_label("Constitution").fill("1. The society is called the Fell Walking Society.\n2. Anyone may join.")
    page.get_by_label("Treasurer's student email").fill("tom.treasurer@student.example.ac.uk")
    page.get_by_label("Secretary's student email").fill("sue.secretary@student.example.ac.uk")
    check_a11y(page, "apply-for-society", screenshot=True)
    page.get_by_role("button", name="Send the application").click()
    expect(page.get_by_role("heading", level=1, name="Application: Fell Walking Society")).to_be_visible()
    expect(page.get_by_text("Awaiting approval", exact=False)).to_be_visible()
    check_a11y(page, "application")


def staff_approves(page: Page, su_staff: Any) -> None:
    from quad.accounts.totp import current_code

    page.goto("/auth/login/")
    check_a11y(page, "sign-in")
    page.get_by_label("Email").fill(su_staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-Factor")
    check_a11y(page, "staff-two-factor", screenshot=True)
    page.get_by_label("Code").fill(current_code(su_staff))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Jo Staff")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    expect(page.get_by_role("heading", level=1, name="Union console")).to_be_visible()
    check_a11y(page, "staff-console", screenshot=True)
    page.get_by_role("link", name="Fell Walking Society").click()
    expect(page.get_by_role("heading", level=2, name="Proposed committee")).to_be_visible()
    check_a11y(page, "staff-approval", screenshot=True)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    check_a11y(page, "staff-approved")


def open_management_area(page: Page) -> None:
    page.goto("/account/")
    roles = page.get_by_role("region", name="Your committee roles")
    roles.get_by_role("listitem").filter(has_text="President").get_by_role("link", name="Fell Walking Society").click()
    expect(page.get_by_role("navigation", name="Management")).to_be_visible()


def president_is_read_only_until_trained(page: Page) -> None:
    open_management_area(page)
    banner = page.get_by_role("status").filter(has_text="Read-only until you complete GDPR training")
    expect(banner).to_be_visible()
    check_a11y(page, "manage-untrained-banner", screenshot=True)
    banner.get_by_role("link", name="Take the training now").click()


def take_training(page: Page) -> None:
    from quad.accounts import training

    expect(page.get_by_role("heading", level=1, name="GDPR training for committee members")).to_be_visible()
    check_a11y(page, "training", screenshot=True)
    for question in training.QUESTIONS:
        group = page.get_by_role("group", name=question.text)
        group.get_by_label(dict(question.choices)[question.answer]).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You passed with 100%")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("valid")
    check_a11y(page, "training-passed")


def edit_mini_site(page: Page, logo: Path) -> None:
    open_management_area(page)
    expect(page.get_by_role("status").filter(has_text="Read-only")).to_have_count(0)
    check_a11y(page, "manage-overview")
    page.get_by_role("navigation", name="Management").get_by_role("link", name="Mini site").click()
    page.get_by_label("Purpose").fill("We walk the **fells** every other weekend. Boots provided for beginners.")
    page.get_by_label("When and where you meet").fill("Saturdays at 9:00, outside the library")
    page.get_by_label("Society contact address").fill("fellwalking@union.example.ac.uk")
    page.get_by_label("Logo (optional)").set_input_files(str(logo))
    check_a11y(page, "manage-edit-mini-site", screenshot=True)
    page.get_by_role("button", name="Save the mini site").click()
    expect(page.get_by_text("The mini site is updated.")).to_be_visible()
    check_a11y(page, "manage-mini-site-saved")

    page.get_by_role("navigation", name="Management").get_by_role("link", name="Social links").click()
    page.get_by_label("Instagram").fill("https://www.instagram.com/fellwalkers")
    check_a11y(page, "manage-social-links", screenshot=True)
    page.get_by_role("button", name="Save links").click()
    expect(page.get_by_text("Social links saved.")).to_be_visible()


def visitor_sees_mini_site(page: Page) -> None:
    page.goto("/societies/")
    page.get_by_label("Search").fill("fells")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 society matching")).to_be_visible()
    check_a11y(page, "directory-search")
    page.get_by_role("link", name="Fell Walking Society").click()
    expect(page.get_by_role("heading", level=1, name="Fell Walking Society")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Last updated \d{1,2} \w+ \d{4}"))).to_be_visible()
    expect(page.locator(".prose strong", has_text="fells")).to_be_visible()
    expect(page.get_by_text("Saturdays at 9:00, outside the library")).to_be_visible()
    expect(page.get_by_role("link", name="fellwalking@union.example.ac.uk")).to_have_attribute(
        "href", "mailto:fellwalking@union.example.ac.uk"
    )
    expect(page.get_by_role("link", name="Instagram")).to_have_attribute("href", "https://instagram.com/fellwalkers")
    committee = page.locator(".committee")
    for text in ("President — Ada Founder", "Treasurer — Tom Treasurer", "Secretary — Sue Secretary"):
        expect(committee).to_contain_text(text)
    logo = page.get_by_role("img", name="Fell Walking Society logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0"), "the uploaded logo did not load"
    expect(page.get_by_role("link", name="Manage this society")).to_have_count(0)
    check_a11y(page, "mini-site", screenshot=True)


def test_student_founds_a_society_and_a_visitor_sees_its_mini_site(
    page: Page, new_page: Any, phone_page: Page, su_staff: Any, tmp_path: Path
) -> None:
    from quad.societies.models import Category

    Category.objects.get_or_create(slug="sport-outdoors", defaults={"name": "Sport & Outdoors"})
    make_person("Tom Treasurer", "tom.treasurer")
    make_person("Sue Secretary", "sue.secretary")

    sign_up(page)
    verify_email(page)
    apply_for_society(page)

    staff_approves(new_page(), su_staff)
    subjects = [m.subject for m in mail.outbox]
    assert any("approved" in s.lower() for s in subjects), subjects

    president_is_read_only_until_trained(page)
    take_training(page)
    edit_mini_site(page, make_logo(tmp_path / "fell-logo.png"))

    visitor_sees_mini_site(new_page())

    phone_page.goto("/societies/fell-walking-society/")
    expect(phone_page.get_by_text("Saturdays at 9:00, outside the library")).to_be_visible()
    assert_no_horizontal_overflow(phone_page, "mini site")
    check_a11y(phone_page, "mini-site-phone", screenshot=True)
