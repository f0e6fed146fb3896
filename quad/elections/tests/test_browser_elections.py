"""A committee election walked in a real browser, from calling it to checking a receipt.

The committee calls an election with one post; a member stands with a manifesto and a photo; two members
vote, one with the keyboard alone (Tab, arrow keys, Enter) and one on a phone; the returning officer
signs in with a password and an authenticator code, confirms it is them again with a fresh code, counts,
and sees the result sheet and the chart; a voter finds their receipt code among the counted ballots.

The clock is moved by rewriting the election's windows in the database (phases.move_to): the live server
reads the real time. Every page visited is checked with axe; with QUAD_SCREENSHOTS=1 election.png,
vote-phone.png and results.png are saved to docs/img/.
"""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from conftest import PASSWORD, join, make_person
from quad.conftest import DESKTOP, PHONE, Tabs, assert_no_horizontal_overflow, check_a11y, fresh_code, sign_in
from quad.elections import services
from quad.elections.models import Ballot, Election, VoteRecord
from quad.elections.tests.phases import move_to

pytestmark = pytest.mark.browser

TITLE = "Committee elections 2026"
MANIFESTO = "I will run **more walks** for beginners.\n\n- A monthly social\n- Cheaper minibus hire"


def local_input(moment: datetime.datetime) -> str:
    """The value a person types into a datetime-local field."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def make_photo(path: Path) -> Path:
    image = Image.new("RGB", (240, 240), "#3b2a8f")
    draw = ImageDraw.Draw(image)
    draw.ellipse([(60, 30), (180, 150)], fill="#f4f5f8")
    draw.rectangle([(40, 160), (200, 240)], fill="#f4f5f8")
    out = io.BytesIO()
    image.save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def focused_name(page: Page) -> str:
    """What a screen reader would call the focused control: its label, or a button's text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el) return "";
            if (el.labels && el.labels.length) return el.labels[0].textContent.replace(/\\s+/g, " ").trim();
            return el.textContent.replace(/\\s+/g, " ").trim();
        }"""
    )


def tab_to(page: Page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the control called `name` has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_name(page) == name:
            return
    pytest.fail(f"Tab never reached {name!r} (last: {focused_name(page)!r})")


def staff_signs_in(page: Page, staff: Any, used: set[str]) -> None:
    page.goto("/auth/login/")
    check_a11y(page, "election-staff-sign-in")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-Factor")
    check_a11y(page, "election-staff-two-factor")
    page.get_by_label("Code").fill(fresh_code(staff, used))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {staff.display_name}")).to_be_visible()


def committee_calls_the_election(page: Page, committee: Any, society: Any, staff: Any) -> Election:
    sign_in(page, committee.email, PASSWORD)
    page.goto(f"/societies/{society.slug}/manage/")
    page.get_by_role("navigation", name="Management").get_by_role("link", name="Elections", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Elections")).to_be_visible()
    expect(page.get_by_text("No elections yet.")).to_be_visible()

    now = timezone.now()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Nominations open").fill(local_input(now - datetime.timedelta(minutes=10)))
    page.get_by_label("Nominations close").fill(local_input(now + datetime.timedelta(days=2)))
    page.get_by_label("Voting opens").fill(local_input(now + datetime.timedelta(days=2)))
    page.get_by_label("Voting closes").fill(local_input(now + datetime.timedelta(days=3)))
    page.get_by_label("Eligibility cut-off").fill(local_input(now + datetime.timedelta(days=2)))
    page.get_by_label("New committee takes office on").fill((now + datetime.timedelta(days=30)).date().isoformat())
    expect(page.get_by_label("Returning officer")).to_have_value(str(staff.pk))  # union staff, the first
    expect(page.get_by_label("RON is an ordinary candidate", exact=False)).to_be_checked()
    check_a11y(page, "society-elections")
    page.get_by_role("button", name="Call the election").click()

    expect(page.get_by_text("Election called, and eligible members emailed.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text("Nominations are open")).to_be_visible()
    page.get_by_label("Post", exact=True).fill("President")
    page.get_by_label("Seats").fill("1")
    check_a11y(page, "manage-election")
    page.get_by_role("button", name="Add the post").click()
    expect(page.get_by_text("President added. RON is on its ballot.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("President 1"))).to_contain_text("0 and RON")
    check_a11y(page, "manage-election-post-added")
    return Election.objects.get(title=TITLE)


def member_stands(page: Page, member: Any, society: Any, photo: Path) -> None:
    sign_in(page, member.email, PASSWORD)
    page.goto(society.get_absolute_url())
    page.get_by_role("region", name="Elections").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    check_a11y(page, "election-nominations")
    page.get_by_role("link", name="Nominate yourself for President").click()
    expect(page.get_by_role("heading", level=1, name="Stand for President")).to_be_visible()
    page.get_by_label("Manifesto").fill(MANIFESTO)
    page.get_by_label("Photo").set_input_files(str(photo))
    check_a11y(page, "nominate")
    page.get_by_role("button", name="Stand for President").click()
    expect(page.get_by_text("You are standing for President.")).to_be_visible()
    mine = page.locator(".candidate").filter(has=page.get_by_role("heading", name=member.display_name))
    expect(mine.locator("strong")).to_have_text("more walks")  # the manifesto's Markdown, rendered
    expect(mine.get_by_role("button", name="Withdraw from President")).to_be_visible()
    expect(mine.locator("img.candidate-photo")).to_be_visible()
    check_a11y(page, "election-standing")


def votes_by_keyboard(page: Page, voter: Any, election: Election) -> str:
    """Only the keyboard: Tab to each ranking, arrow keys to choose, Enter on the button. A gap in the
    ranking is refused first, with nothing stored."""
    sign_in(page, voter.email, PASSWORD)
    page.goto(election.get_absolute_url())
    expect(page.get_by_text("Voting is open")).to_be_visible()
    check_a11y(page, "election", screenshot=True)
    page.get_by_role("link", name="Vote for President").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Vote: President")).to_be_visible()
    check_a11y(page, "vote")

    tab_to(page, "Your ranking for Ben Bright")
    page.keyboard.press("ArrowDown")  # Not ranked → 1st
    tab_to(page, "Your ranking for Mia Member")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # → 3rd: a gap, as nobody is 2nd
    expect(page.get_by_label("Your ranking for Ben Bright")).to_have_value("1")
    expect(page.get_by_label("Your ranking for Mia Member")).to_have_value("3")
    summary = page.locator("[data-ballot-summary]")
    expect(summary).to_have_text(re.compile(r"1st Ben Bright, 3rd Mia Member\. Check: Nobody is ranked 2nd\."))
    tab_to(page, "Cast your vote for President")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Your vote has not been cast.")
    expect(page.get_by_role("alert")).to_contain_text("Your rankings skip 2nd")
    assert not VoteRecord.objects.filter(voter=voter).exists()
    assert Ballot.objects.count() == 3  # the three cast before: nothing stored for the refused ballot
    check_a11y(page, "vote-refused")

    expect(page.get_by_label("Your ranking for Mia Member")).to_have_value("3")  # kept, to correct
    tab_to(page, "Your ranking for Mia Member")
    page.keyboard.press("ArrowUp")  # 3rd → 2nd
    expect(summary).to_have_text("Your ballot so far: 1st Ben Bright, 2nd Mia Member.")
    tab_to(page, "Cast your vote for President")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Your vote for President is cast")).to_be_visible()
    code = page.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    expect(page.get_by_text("This is the only time it is shown")).to_be_visible()
    check_a11y(page, "vote-cast")

    page.get_by_role("link", name="Back to the election").click()
    expect(page.get_by_text("You have voted for President")).to_be_visible()
    check_a11y(page, "election-voted")
    return code


def votes_on_a_phone(page: Page, voter: Any, election: Election) -> str:
    sign_in(page, voter.email, PASSWORD)
    page.goto(election.get_absolute_url())
    assert_no_horizontal_overflow(page, "election page")
    check_a11y(page, "election-phone")
    page.get_by_role("link", name="Vote for President").tap()
    expect(page.get_by_role("heading", level=1, name="Vote: President")).to_be_visible()
    page.get_by_label("Your ranking for Ada Aldous").select_option(label="1st")
    page.get_by_label("Your ranking for Mia Member").select_option(label="2nd")
    expect(page.locator("[data-ballot-summary]")).to_have_text("Your ballot so far: 1st Ada Aldous, 2nd Mia Member.")
    assert_no_horizontal_overflow(page, "ballot")
    check_a11y(page, "vote-phone", screenshot=True)
    page.get_by_role("button", name="Cast your vote for President").tap()
    expect(page.get_by_role("heading", level=1, name="Your vote for President is cast")).to_be_visible()
    assert_no_horizontal_overflow(page, "receipt")
    check_a11y(page, "vote-cast-phone")
    return page.locator("[data-receipt-code]").inner_text().strip()


def returning_officer_counts(page: Page, staff: Any, election: Election, used: set[str]) -> None:
    page.goto(election.get_absolute_url())
    page.get_by_role("link", name="Returning officer").click()
    expect(page.get_by_role("heading", level=1, name=f"Returning officer: {TITLE}")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("President"))).to_contain_text("5 of 6")
    check_a11y(page, "returning-officer")
    page.get_by_role("link", name="Count the votes").click()

    # A fresh sign-in: allauth asks for a new authenticator code, then comes back to the count.
    expect(page.get_by_role("heading", level=1, name="Confirm Access")).to_be_visible()
    check_a11y(page, "count-reauthenticate")
    page.get_by_label("Code").fill(fresh_code(staff, used))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1, name="Count the votes")).to_be_visible()
    expect(page.get_by_text("President: 5 ballots, 1 seat")).to_be_visible()
    check_a11y(page, "count")
    page.get_by_role("button", name="Count the votes and publish the results").click()

    expect(page.get_by_text("Counted. The results are published")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=f"Results: {TITLE}")).to_be_visible()
    result = page.get_by_role("region", name="President · 1 seat")
    expect(result.locator(".winner-list")).to_have_text("Mia Member")
    expect(result.get_by_text("5 of 6 eligible members (83%)")).to_be_visible()
    sheet = result.get_by_role("table")
    expect(sheet.get_by_role("columnheader", name=re.compile("Stage 1 First preferences"))).to_be_visible()
    expect(sheet.get_by_role("row", name=re.compile("^Mia Member"))).to_contain_text("Elected at stage")
    expect(sheet.get_by_role("row", name=re.compile("^Quota"))).to_contain_text("2.50")
    chart = result.get_by_role("figure")
    expect(chart.get_by_role("heading", name="Stage 1: First preferences")).to_be_visible()
    expect(chart.locator(".bar-row", has_text="Ada Aldous").first).to_contain_text("Ada Aldous: 1.00")
    check_a11y(page, "results", screenshot=True)


def voter_checks_the_receipt(page: Page, election: Election, code: str) -> None:
    page.goto(election.get_absolute_url())
    page.get_by_role("link", name="See the results").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the ballots for President (BLT file)").click()
    blt = Path(download.value.path()).read_text()
    assert blt.startswith("4 1\n"), blt  # four candidates (RON among them), one seat
    assert '"Mia Member"' in blt and TITLE in blt, blt
    page.get_by_label("Receipt code").fill(code.lower().replace("-", " "))  # as someone might type it
    page.get_by_role("button", name="Check my receipt").click()
    expect(page.get_by_role("status")).to_contain_text(f"Counted. The ballot with receipt code {code}")
    check_a11y(page, "check-receipt")
    page.get_by_label("Receipt code").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Check my receipt").click()
    expect(page.get_by_role("status")).to_contain_text("Not found.")
    check_a11y(page, "check-receipt-not-found")


def test_committee_election_from_call_to_receipt_check(
    tabs: Tabs,
    tmp_path: Path,
    society: Any,
    committee_trained: Any,
    su_staff: Any,
    member: Any,
    membership_type: Any,
    ada: Any,
    ben: Any,
    cal: Any,
) -> None:
    dee = join(make_person("Dee Dawson", "dee.dawson"), membership_type).user
    join(make_person("Nia Nonvoter", "nia.nonvoter"), membership_type)
    used_codes: set[str] = set()
    staff_page = tabs.open(viewport=DESKTOP)
    staff_signs_in(staff_page, su_staff, used_codes)  # early: the count needs a later code than this one

    election = committee_calls_the_election(tabs.open(viewport=DESKTOP), committee_trained, society, su_staff)
    member_stands(tabs.open(viewport=DESKTOP), member, society, make_photo(tmp_path / "me.png"))
    post = election.posts.get()
    for person in (ada, ben):
        services.nominate(post, user=person, manifesto=f"{person.display_name} for President.")

    move_to(election, "voting")
    candidate = {c.name: c.pk for c in services.standing(post)}
    services.cast_ballot(post, voter=member, ranking=[candidate["Mia Member"]])
    services.cast_ballot(post, voter=ben, ranking=[candidate["Ben Bright"], candidate["Ada Aldous"]])
    services.cast_ballot(post, voter=dee, ranking=[candidate["Mia Member"], candidate["Ben Bright"]])
    keyboard_page = tabs.open(viewport=DESKTOP)
    code = votes_by_keyboard(keyboard_page, cal, election)
    votes_on_a_phone(tabs.open(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True), ada, election)
    assert Ballot.objects.filter(post=post).count() == 5

    move_to(election, "closed")
    returning_officer_counts(staff_page, su_staff, election, used_codes)
    voter_checks_the_receipt(keyboard_page, election, code)
