"""Account pages in a real browser, most of them allauth's, drawn through Quad's element templates
(quad/templates/allauth/elements/). Every page visited is checked with axe."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.conftest import check_a11y, sign_in

pytestmark = pytest.mark.browser


def test_forgotten_password_page_is_accessible(page: Page) -> None:
    page.goto("/auth/login/")
    check_a11y(page, "sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Password Reset")
    check_a11y(page, "password-reset")


def test_student_edits_their_profile_and_sets_up_two_factor_sign_in(page: Page, student: Any) -> None:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    sign_in(page, student.email, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Hello, Sam Student")).to_be_visible()
    check_a11y(page, "account-home")

    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Your name").fill("Sam S.")
    check_a11y(page, "edit-profile")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name="Hello, Sam S.")).to_be_visible()

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_label("Current Password")).to_be_visible()
    check_a11y(page, "change-password")
    page.go_back()

    page.get_by_role("link", name="Two-factor sign-in").click()
    check_a11y(page, "two-factor")
    page.get_by_role("link", name="Activate").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Confirm Access|Activate Authenticator App"))
    if heading.inner_text().strip() == "Confirm Access":
        # allauth asks for the password again before changing how you sign in.
        check_a11y(page, "reauthenticate")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    check_a11y(page, "two-factor-activate")
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery Codes")
    check_a11y(page, "two-factor-recovery-codes")
