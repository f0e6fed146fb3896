"""Running groups, in a real browser: union staff open a rep group, choose who may join it and make a rep
its moderator; a society's President changes a group's settings and guidelines, edits a notice's wording
and posts notices, which members see as from "the moderators". Every page visited is checked with axe.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from quad.accounts.totp import current_code
from quad.chat import services
from quad.chat.models import ChatGroup, GroupMember
from quad.chat.tests.conftest import enter
from quad.conftest import Tabs, check_a11y, sign_in

pytestmark = pytest.mark.browser


def staff_signs_in(page: Page, staff: Any) -> None:
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(current_code(staff))
    page.get_by_role("button", name="Sign in").click()
    # Signed in once the account page shows: going elsewhere sooner could cut the sign-in short.
    expect(page.get_by_role("heading", level=1, name=f"Hello, {staff.display_name}")).to_be_visible()


def test_staff_open_a_rep_group_choose_who_may_join_and_make_a_rep_its_moderator(
    page: Page, su_staff: Any, student: Any
) -> None:
    staff_signs_in(page, su_staff)
    page.goto("/su/")
    page.get_by_role("navigation", name="Union console").get_by_role("link", name="Rep group chats").click()
    expect(page.get_by_role("heading", level=1, name="Union group chats for student reps")).to_be_visible()
    check_a11y(page, "chat-rep-groups")
    page.get_by_label("Name").fill("Course reps: History")
    page.get_by_label("Purpose").fill("History reps and the union's education officer.")
    page.get_by_role("button", name="Open the group").click()
    expect(page.get_by_text("“Course reps: History” is open. Now choose who may join it.")).to_be_visible()
    page.get_by_label("Students' email addresses, one a line").fill(f"{student.email}\nnobody@student.example.ac.uk")
    page.get_by_role("button", name="Add them").click()
    refusal = page.locator("#id_emails_error")  # the unknown address named back; nobody added
    expect(refusal).to_contain_text("Nobody was added.")
    expect(refusal).to_contain_text("nobody@student.example.ac.uk")
    check_a11y(page, "chat-rep-eligible")
    page.get_by_label("Students' email addresses, one a line").fill(student.email)
    page.get_by_role("button", name="Add them").click()
    group = ChatGroup.objects.get(name="Course reps: History")
    assert group.eligible.filter(user=student).exists()

    rep = enter(student, group)
    page.goto(f"/chat/{group.pk}/")
    page.get_by_text("Moderate").click()
    page.get_by_role("button", name=f"Make moderator {student.display_name}").click()
    expect(page.get_by_text(f"{student.display_name} is now a moderator of the group.")).to_be_visible()
    check_a11y(page, "chat-rep-group-staff")
    rep.refresh_from_db()
    assert rep.role == GroupMember.Role.MODERATOR


def test_a_president_changes_settings_and_guidelines_and_posts_kind_notices(
    page: Page, tabs: Tabs, group: ChatGroup, chatter: GroupMember, moderator: GroupMember, committee_trained: Any
) -> None:
    social = services.create_group(
        actor=committee_trained, society=group.society, name="Socials", purpose="Pub quizzes and chat."
    )
    sign_in(page, committee_trained.email, PASSWORD)
    page.goto(f"/chat/{group.pk}/")
    page.get_by_text("Moderate").click()
    page.get_by_role("link", name="Group settings and guidelines").click()
    expect(page.get_by_role("heading", level=1, name=f"Settings of {group.name}")).to_be_visible()
    check_a11y(page, "chat-group-settings")
    page.get_by_label("Slow mode (seconds between one member's messages)").fill("30")
    guidelines = page.get_by_label("Guidelines")
    guidelines.fill(guidelines.input_value() + "\n7. Lifts are arranged here, not by phone.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    page.get_by_text("Moderate").click()
    page.get_by_role("link", name="Edit their wording").click()
    check_a11y(page, "chat-notices")
    wording = page.get_by_label("Wording").first
    wording.fill("Hi all! A quick, friendly reminder of what we agreed:")
    page.get_by_role("button", name="Save this wording").first.click()
    expect(page.get_by_text("Saved. The button posts this wording from now on.")).to_be_visible()

    page.goto(f"/chat/{group.pk}/")
    page.get_by_text("Moderate").click()
    page.get_by_role("button", name="Post the guidelines").click()
    page.get_by_text("Moderate").click()
    page.get_by_label("Off topic: suggest").select_option(label=social.name)
    page.get_by_role("button", name="Off topic").click()

    # Mia accepts the new guidelines, then sees both notices from "the moderators".
    mia = tabs.open(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(mia, chatter.user.email, PASSWORD)
    mia.goto(f"/chat/{group.pk}/")
    expect(mia.get_by_text("7. Lifts are arranged here, not by phone.")).to_be_visible()
    mia.get_by_role("button", name="I accept them").click()
    log = mia.get_by_role("list", name="Messages")
    expect(log).to_contain_text("Hi all! A quick, friendly reminder of what we agreed:")
    expect(log).to_contain_text(f"“{social.name}” is the place for it.")
    expect(log.get_by_text(committee_trained.display_name)).to_have_count(0)
    check_a11y(mia, "chat-notices-member", screenshot=True)
