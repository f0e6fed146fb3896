"""Privacy walked in a real browser: a member sees who viewed their data and downloads it on a phone; a
member erases their own account; union staff handle requests made on someone's behalf (a refusal, an
export, an erasure), read the access log for one person, the graduate off-boarding report and retention.

Mia Member (``member``) is on Hiking Society's member list, which Priya President (``committee_trained``)
opens. Jo Staff (``su_staff``) signs in with an authenticator code; exporting and erasing ask for a fresh
one. Every page visited is checked with axe; with QUAD_SCREENSHOTS=1 privacy-notice-phone, privacy-my-data,
privacy-erase, privacy-person, privacy-access-log, privacy-departures and privacy-retention are saved to
docs/img/ (see quad/conftest.py).
"""

from __future__ import annotations

import datetime
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Download, Locator, Page, expect

from conftest import PASSWORD, join, make_person
from quad.conftest import assert_no_horizontal_overflow, check_a11y, fresh_code, sign_in

pytestmark = pytest.mark.browser

STAFF_REASON = "Erasure request by email, 12 November"


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    settings.CONDUCT_ALERT_EMAILS = []


# --- Helpers ----------------------------------------------------------------------------------------


def staff_signs_in(page: Page, staff: Any, used: set[str]) -> None:
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Two-Factor")
    page.get_by_label("Code").fill(fresh_code(staff, used))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=f"Hello, {staff.display_name}")).to_be_visible()


def console_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Union console").get_by_role("link", name=name, exact=True)


def unzip(download: Download) -> dict[str, str]:
    with zipfile.ZipFile(download.path()) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def download_by_pressing(page: Page, button: str) -> Download:
    with page.expect_download() as caught:
        page.get_by_role("button", name=button).click()
    return caught.value


def staff_colleague_holding_a_case(*, society: Any, committee_trained: Any, membership_type: Any, su_staff: Any) -> Any:
    """Kim Colleague, union staff, who has been handed an open conduct case: Bea reported a threat Rex
    posted in Hiking Society's group chat."""
    from allauth.mfa.totp.internal.auth import TOTP

    from quad.chat import services as chat_services
    from quad.chat.permissions import current_version
    from quad.conduct import services as conduct
    from quad.conduct.models import Category

    colleague = make_person("Kim Colleague", "kim.colleague", student=False)
    colleague.is_union_staff = True
    colleague.save(update_fields=["is_union_staff"])
    TOTP.activate(colleague, "JBSWY3DPEHPK3PXPQUADKIMC")

    group = chat_services.create_group(
        actor=committee_trained, society=society, name="Hiking chat", purpose="Planning our weekend walks."
    )
    members = {}
    for name, local in (("Rex Rude", "rex.rude"), ("Bea Bystander", "bea.bystander")):
        person = make_person(name, local)
        join(person, membership_type)
        joined = chat_services.join_group(person, group, token=group.invite_token)
        members[local] = chat_services.accept_guidelines(joined, version=current_version(group))
    said = chat_services.post_message(members["rex.rude"], "Watch yourself on Saturday.", in_quiet_hours=True)
    report = conduct.report_message(said, reporter=members["bea.bystander"].user, category=Category.THREATS)
    assert report.case is not None
    conduct.assign_case(report.case, actor=su_staff, to=colleague)
    return colleague


# --- A member's own data ----------------------------------------------------------------------------


def test_a_member_sees_who_viewed_their_data_and_downloads_it_on_a_phone(
    phone_page: Page, new_page: Callable[[], Page], member: Any, committee_trained: Any, society: Any
) -> None:
    from quad.core.models import AuditEvent

    # Priya, on Hiking Society's committee, opens its member list, with Mia on it.
    priya = new_page()
    sign_in(priya, committee_trained.email, PASSWORD)
    priya.goto(f"/memberships/{society.slug}/members/")
    expect(priya.get_by_role("heading", level=1, name="Members")).to_be_visible()
    expect(priya.get_by_role("cell", name=member.email)).to_be_visible()
    check_a11y(priya, "privacy-member-list")

    # Mia reads the privacy notice on her phone, from the link at the foot of every page.
    phone_page.goto("/")
    phone_page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    expect(phone_page.get_by_role("heading", level=1, name="Privacy notice")).to_be_visible()
    expect(phone_page.get_by_role("heading", level=2, name="Cookies")).to_be_visible()
    expect(phone_page.get_by_role("heading", level=2, name="Your rights")).to_be_visible()
    assert_no_horizontal_overflow(phone_page, "the privacy notice")
    check_a11y(phone_page, "privacy-notice-phone", screenshot=True, full_page=False)  # the first screen: it is long

    # She signs in and opens Account → Your data: Priya's look at the member list is there.
    sign_in(phone_page, member.email, PASSWORD)
    expect(phone_page.get_by_role("heading", level=1, name="Hello, Mia Member")).to_be_visible()
    phone_page.get_by_role("region", name="Your data").get_by_role("link", name="Your data").click()
    expect(phone_page.get_by_role("heading", level=1, name="Your data")).to_be_visible()
    viewed = phone_page.get_by_role("region", name="Who has viewed your data")
    priya_row = viewed.get_by_role("row").filter(has_text="Priya President")
    expect(priya_row).to_have_count(1)
    expect(priya_row).to_contain_text("Member list of Hiking Society")
    expect(viewed.get_by_text("Nobody has viewed your data yet.")).to_have_count(0)
    assert_no_horizontal_overflow(phone_page, "your data")
    check_a11y(phone_page, "privacy-my-data-phone")

    # Downloading asks for her password first, then brings her back to press the button again.
    phone_page.get_by_role("button", name="Download my data").click()
    expect(phone_page.get_by_role("heading", level=1, name="Confirm Access")).to_be_visible()
    check_a11y(phone_page, "privacy-reauthenticate")
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Confirm").click()
    expect(phone_page.get_by_role("heading", level=1, name="Your data")).to_be_visible()
    expect(phone_page.get_by_text("then brought back here: press “Download my data” again")).to_be_visible()
    assert not AuditEvent.objects.filter(action="privacy.export.downloaded").exists()
    download = download_by_pressing(phone_page, "Download my data")

    assert re.fullmatch(r"quad-my-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    files = unzip(download)
    assert set(files) == {"data.json", "index.html"}
    assert member.email in files["index.html"]
    assert "Member list of Hiking Society" in files["index.html"]
    document = json.loads(files["data.json"])
    assert document["account_id"] == member.pk
    assert member.email in files["data.json"]
    assert AuditEvent.objects.filter(action="privacy.export.downloaded", actor=member).count() == 1

    # The same page at a desktop, for the documentation.
    desk = new_page()
    sign_in(desk, member.email, PASSWORD)
    desk.goto("/privacy/my-data/")
    expect(desk.get_by_role("region", name="Who has viewed your data")).to_contain_text("Priya President")
    check_a11y(desk, "privacy-my-data", screenshot=True)


def test_a_member_erases_their_own_account_and_cannot_sign_in_again(page: Page, member: Any) -> None:
    email = member.email
    sign_in(page, email, PASSWORD)
    page.goto("/privacy/my-data/")
    page.get_by_role("link", name="What erasing does, and erase").click()
    expect(page.get_by_role("heading", level=1, name="Erase your account")).to_be_visible()
    expect(page.get_by_text("orders, payments and refunds (the law requires financial records)")).to_be_visible()
    check_a11y(page, "privacy-erase", screenshot=True)

    # Erasing asks for her password first; she comes back to the page and confirms again.
    field = page.get_by_label("Type your email address to confirm")
    field.fill(email)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_role("heading", level=1, name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1, name="Erase your account")).to_be_visible()
    expect(page.get_by_text("then brought back here to type your address again")).to_be_visible()
    expect(field).to_have_value("")
    member.refresh_from_db()
    assert member.erased_at is None

    # A mistyped address erases nothing.
    field.fill("mia.other@student.example.ac.uk")
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("That is not your account's email address.")).to_be_visible()
    check_a11y(page, "privacy-erase-wrong-email")
    member.refresh_from_db()
    assert (member.erased_at, member.email) == (None, email)

    field.fill(email)
    page.get_by_role("button", name="Erase my account").click()
    expect(page.get_by_text("Your account and your personal data have been erased")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()
    check_a11y(page, "privacy-erased")
    member.refresh_from_db()
    assert member.erased_at is not None
    assert member.email != email

    # The old address and password open nothing.
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Account")).to_have_count(0)


# --- Union staff --------------------------------------------------------------------------------------


def test_staff_refuse_export_and_erase_on_request_and_read_who_saw_the_data(
    page: Page,
    su_staff: Any,
    member: Any,
    society: Any,
    committee_trained: Any,
    membership_type: Any,
) -> None:
    from quad.accounts.models import User
    from quad.memberships.services import log_member_data_access
    from quad.privacy.models import ErasureRecord

    colleague = staff_colleague_holding_a_case(
        society=society, committee_trained=committee_trained, membership_type=membership_type, su_staff=su_staff
    )
    log_member_data_access(
        society,
        actor=committee_trained,
        action="viewed",
        what="Member list of Hiking Society",
        subjects=[member.pk],
    )
    used: set[str] = set()
    staff_signs_in(page, su_staff, used)

    # Privacy requests, from the console.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    console_link(page, "Privacy requests").click()
    expect(page.get_by_role("heading", level=1, name="Privacy requests")).to_be_visible()
    check_a11y(page, "privacy-people")

    # Kim holds an open case, so her account cannot be erased until it is handed on.
    page.get_by_label("Email address or name").fill("Kim")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Kim Colleague").click()
    expect(page.get_by_role("heading", level=1, name="Kim Colleague")).to_be_visible()
    refusal = page.get_by_role("region", name="Erase the account").get_by_role("alert")
    expect(refusal).to_contain_text("This account cannot be erased yet")
    expect(refusal).to_contain_text("1 open conduct case is assigned to this account: reassign it first.")
    expect(page.get_by_role("button", name="Erase the account")).to_have_count(0)
    check_a11y(page, "privacy-person", screenshot=True)

    # Mia asked by email for a copy of her data: Jo finds her and produces the export.
    console_link(page, "Privacy requests").click()
    page.get_by_label("Email address or name").fill("mia.member")
    page.get_by_role("button", name="Find").click()
    found = page.get_by_role("main").get_by_role("listitem").filter(has_text=member.email)
    expect(found).to_have_count(1)
    check_a11y(page, "privacy-people-found")
    found.get_by_role("link", name="Mia Member").click()
    expect(page.get_by_role("heading", level=1, name="Mia Member")).to_be_visible()
    holds = page.get_by_role("region", name="What Quad holds")
    expect(holds.get_by_role("listitem").filter(has_text="Memberships: 1 record")).to_have_count(1)
    expect(holds.get_by_role("listitem").filter(has_text="Orders and payments")).to_have_count(1)
    expect(page.get_by_role("button", name="Erase the account")).to_be_visible()
    check_a11y(page, "privacy-person-mia")

    page.get_by_role("button", name="Produce their subject access export").click()
    expect(page.get_by_role("heading", level=1, name="Confirm Access")).to_be_visible()
    check_a11y(page, "privacy-staff-reauthenticate")
    page.get_by_label("Code").fill(fresh_code(su_staff, used))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1, name="Mia Member")).to_be_visible()
    expect(page.get_by_text("then brought back here: press the button again")).to_be_visible()
    download = download_by_pressing(page, "Produce their subject access export")
    assert download.suggested_filename.startswith(f"quad-subject-access-{member.pk}-")
    files = unzip(download)
    assert member.email in files["data.json"]
    assert member.email in files["index.html"]

    # Who has seen Mia's data: Priya's member list, and each of Jo's steps just now.
    page.get_by_role("link", name="Who has viewed this person's data").click()
    expect(page.get_by_role("heading", level=1, name="Access log: Mia Member")).to_be_visible()
    expect(page.get_by_label("Person (account number)")).to_have_value(str(member.pk))
    seen = page.get_by_role("table", name="Who has seen their data")
    by_jo = seen.get_by_role("row").filter(has_text="Jo Staff")
    expect(by_jo.filter(has_text="People search “mia.member”")).to_have_count(1)
    # Her page was opened twice: before and after Jo confirmed it was her.
    expect(by_jo.filter(has_text="Account page in the console")).to_have_count(2)
    expect(by_jo.filter(has_text="Subject access export")).to_have_count(1)
    expect(seen.get_by_role("row").filter(has_text="Priya President")).to_contain_text("Member list of Hiking Society")
    expect(page.get_by_role("table", name="Whose data they have seen")).to_contain_text(
        "They have not viewed anyone else's data."
    )
    check_a11y(page, "privacy-access-log", screenshot=True)

    # Filtered to Hiking Society as well, only what its committee looked at is left.
    page.get_by_label("Society").select_option(label="Hiking Society")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"society={society.slug}"))
    expect(seen.get_by_role("row").filter(has_text="Priya President")).to_have_count(1)
    expect(seen.get_by_role("row").filter(has_text="Jo Staff")).to_have_count(0)
    check_a11y(page, "privacy-access-log-society")

    # Then Mia asks to be erased. The fresh sign-in still holds; Jo gives the reason.
    page.get_by_role("link", name="their account").click()
    erase = page.get_by_role("region", name="Erase the account")
    erase.get_by_label("Reason").fill(STAFF_REASON)
    page.once("dialog", lambda dialog: dialog.accept())
    erase.get_by_role("button", name="Erase the account").click()
    expect(page.get_by_text("The account is erased. What was kept, and why, is listed below.")).to_be_visible()
    erased = page.get_by_role("region", name=re.compile(r"^Erased "))
    expect(erased).to_contain_text(f"By Jo Staff: {STAFF_REASON}")
    expect(erased.get_by_role("heading", level=3, name="Removed or anonymised")).to_be_visible()
    expect(erased.get_by_role("heading", level=3, name="Kept, and why")).to_be_visible()
    expect(page.get_by_role("region", name="Erase the account")).to_have_count(0)
    check_a11y(page, "privacy-person-erased")

    mia = User.objects.get(pk=member.pk)
    assert mia.erased_at is not None
    assert mia.email != member.email
    record = ErasureRecord.objects.get(user=mia)
    assert (record.erased_by, record.reason, record.by_themselves) == (su_staff, STAFF_REASON, False)
    assert record.removed and record.kept
    for what, n in record.removed.items():
        expect(erased.get_by_role("listitem").filter(has_text=f"{what}: {n}").first).to_be_visible()
    for why in record.kept:
        expect(erased.get_by_role("listitem").filter(has_text=why).first).to_be_visible()
    assert not User.objects.filter(email=member.email).exists()
    assert User.objects.get(pk=colleague.pk).erased_at is None


def test_staff_read_the_graduate_off_boarding_report_and_the_retention_sweeps(
    page: Page, su_staff: Any, membership_type: Any
) -> None:
    from quad.core.access_log import record_access
    from quad.core.models import DataAccess
    from quad.memberships.services import graduate_sweep
    from quad.privacy.models import RetentionRun
    from quad.privacy.services import apply_retention, erase_account

    today = timezone.localdate()
    gus = make_person("Gus Graduate", "gus.graduate")
    join(gus, membership_type)
    gus.course_ends_on = today - datetime.timedelta(days=1)
    gus.save(update_fields=["course_ends_on"])
    make_person("Wes Warned", "wes.warned", course_ends_on=today + datetime.timedelta(days=5))
    assert graduate_sweep(today=today - datetime.timedelta(days=3)) == []  # Gus and Wes are warned
    [departure] = graduate_sweep(today=today)
    assert (departure.user, departure.memberships_ended) == (gus, 1)

    # An access-log entry older than its retention period, for the sweep to remove.
    old = record_access(su_staff, "privacy.person.viewed", what="Old look", scope="union", subjects=[gus.pk])
    DataAccess.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3 * 365))
    run = apply_retention()
    assert run.total >= 1
    assert not DataAccess.objects.filter(pk=old.pk).exists()
    erased = make_person("Ed Erased", "ed.erased")
    erase_account(erased, actor=su_staff, reason=STAFF_REASON)

    staff_signs_in(page, su_staff, set())
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Console").click()
    console_link(page, "Off-boarding").click()
    expect(page.get_by_role("heading", level=1, name="Graduate off-boarding")).to_be_visible()
    expect(console_link(page, "Off-boarding")).to_have_attribute("aria-current", "page")
    removed = page.get_by_role("table", name="Removed (1)")
    gus_row = removed.get_by_role("row").filter(has_text="Gus Graduate")
    expect(gus_row).to_contain_text("Member of Hiking Society")
    expect(gus_row).to_contain_text("Told when removed")
    expect(gus_row).to_contain_text("Warned ")
    expect(gus_row).not_to_contain_text("Not warned first")
    warned = page.get_by_role("table", name="Warned, not yet removed (1)")
    expect(warned.get_by_role("row").filter(has_text="Wes Warned")).to_have_count(1)
    check_a11y(page, "privacy-departures", screenshot=True)
    assert DataAccess.objects.filter(action="privacy.departures.viewed", actor=su_staff).count() == 1

    console_link(page, "Retention").click()
    expect(page.get_by_role("heading", level=1, name="Retention")).to_be_visible()
    expect(page.get_by_role("cell", name="RETENTION_ACCESS_LOG_DAYS")).to_be_visible()
    sweeps = page.locator("h2:text-is('Sweeps in the last 60 days') + .table-wrap table")
    expect(sweeps.get_by_role("row")).to_have_count(2)  # the header and the one sweep
    expect(sweeps.get_by_role("row").nth(1)).to_contain_text("Access log: 1")
    assert RetentionRun.objects.get().removed["access_log"] == 1
    erasures = page.locator("h2:text-is('Erasures') + .table-wrap table")
    erasure_row = erasures.get_by_role("row").filter(has=page.get_by_role("link", name=f"Account {erased.pk}"))
    expect(erasure_row).to_contain_text("Jo Staff")
    check_a11y(page, "privacy-retention", screenshot=True)

    erasure_row.get_by_role("link", name=f"Account {erased.pk}").click()
    expect(page.get_by_role("region", name=re.compile(r"^Erased "))).to_contain_text(f"By Jo Staff: {STAFF_REASON}")
    check_a11y(page, "privacy-person-erased-stub")
