"""Emailing the invite link and its QR code (guidance W1, W5, W9): to a society's current members not in
the group, or to the students staff chose for a rep group; once per person per link; never in quiet
hours; a fresh sign-in first. The QR code on the group page, for moderators. Staff's rep group pages."""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, join, make_person
from quad.chat import invites, services
from quad.chat.errors import ChatError
from quad.chat.models import ChatGroup, GroupMember, InviteSend, RepEligibility
from quad.chat.tests.conftest import a_working_day, begins, enter, local, says
from quad.core.emails import society_sender
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ALREADY = (
    "Everyone who may join has been emailed this invite link already. To send it again, make a new invite link first."
)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def group_url(group: ChatGroup, name: str = "chat:group") -> str:
    return reverse(name, kwargs={"pk": group.pk})


def recipients(mailoutbox: list[Any]) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.fixture
def cast(group: ChatGroup, membership_type: Any, member: Any, committee_trained: Any, student: Any) -> dict[str, Any]:
    """Hiking Society's members: Mia (already in the group), Bea (not yet), Lee (left), Rob (removed);
    and Sam, a student who is not a member."""
    people = {"mia": member, "sam": student}
    for key, name in (("bea", "Bea Member"), ("lee", "Lee Left"), ("rob", "Rob Removed")):
        people[key] = make_person(name, name.lower().replace(" ", "."))
        join(people[key], membership_type)
    enter(member, group)
    services.leave_group(enter(people["lee"], group))
    services.remove_member(enter(people["rob"], group), actor=committee_trained, reason="Spam links, twice.")
    return people


def test_the_invite_goes_to_members_not_in_the_group_with_purpose_guidelines_link_and_qr(
    group: ChatGroup,
    cast: dict[str, Any],
    committee_trained: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        count = invites.email_invite(group, actor=committee_trained)

    assert count == 1
    [email] = mailoutbox
    assert email.to == [cast["bea"].email]
    assert email.subject == "Join Hiking Society, the group chat of Hiking Society"
    assert email.from_email == society_sender("Hiking Society")
    link = invites.invite_url(group)
    assert link.startswith("http") and link.endswith(reverse("chat:invite", kwargs={"token": group.invite_token}))
    assert link in email.body
    assert "Planning our weekend walks." in email.body
    assert "Please be kind and respectful to others in the group." in email.body
    html = email.alternatives[0][0]
    assert f'href="{link}"' in html
    assert "<svg" in html and "QR code of the invite link to Hiking Society" in html
    assert InviteSend.objects.get().user == cast["bea"]
    audit = AuditEvent.objects.get(action="chat.invite.emailed")
    assert (audit.actor, audit.data) == (committee_trained, {"count": 1})


def test_pressing_twice_emails_nobody_twice_and_a_new_link_starts_afresh(
    group: ChatGroup,
    cast: dict[str, Any],
    membership_type: Any,
    committee_trained: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invites.email_invite(group, actor=committee_trained)
        with pytest.raises(ChatError, match=says(ALREADY)):
            invites.email_invite(group, actor=committee_trained)
    assert recipients(mailoutbox) == [cast["bea"].email]

    newcomer = make_person("Nia New", "nia.new")
    join(newcomer, membership_type)
    with django_capture_on_commit_callbacks(execute=True):
        assert invites.email_invite(group, actor=committee_trained) == 1
    assert recipients(mailoutbox) == sorted([cast["bea"].email, newcomer.email])

    services.rotate_invite(group, actor=committee_trained)
    with django_capture_on_commit_callbacks(execute=True):
        assert invites.email_invite(group, actor=committee_trained) == 2
    assert group.invite_token in mailoutbox[-1].body


def test_nobody_to_email_says_so(group: ChatGroup, committee_trained: Any, mailoutbox: Any) -> None:
    with pytest.raises(ChatError, match=begins("Nobody to email")):
        invites.email_invite(group, actor=committee_trained)
    assert not InviteSend.objects.exists()


def test_a_rep_groups_invite_goes_to_the_chosen_students_from_the_union(
    rep_group: ChatGroup,
    su_staff: Any,
    student: Any,
    member: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.make_eligible(rep_group, [student], actor=su_staff)

    with django_capture_on_commit_callbacks(execute=True):
        assert invites.email_invite(rep_group, actor=su_staff) == 1

    [email] = mailoutbox
    assert email.to == [student.email]
    assert email.from_email != society_sender("Hiking Society")
    assert "Reps and the union." in email.body
    assert invites.invite_url(rep_group) in email.body


def test_no_invite_email_in_quiet_hours(
    group: ChatGroup, cast: dict[str, Any], committee_trained: Any, settings: Any, clock: Any, mailoutbox: Any
) -> None:
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = datetime.time(22, 0), datetime.time(8, 0)
    clock.travel_to(local(a_working_day(), 23, 0))
    with pytest.raises(ChatError, match=begins("It is quiet hours (22:00–08:00): email the invite after 08:00")):
        invites.email_invite(group, actor=committee_trained)
    assert not InviteSend.objects.exists()


# --- The pages -------------------------------------------------------------------------------------


def test_emailing_the_invite_asks_for_a_fresh_sign_in_then_sends(
    client: Client,
    group: ChatGroup,
    cast: dict[str, Any],
    committee_trained: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(committee_trained)
    url = group_url(group, "chat:email-invite")
    response = client.post(url)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not InviteSend.objects.exists()

    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"] == group_url(group)
    assert messages_of(response) == ["Emailed the invite link and its QR code to 1 person."]
    assert recipients(mailoutbox) == [cast["bea"].email]

    client.get(response["Location"])  # the page shows (and so uses up) the message
    response = client.post(url)
    assert messages_of(response) == [ALREADY]
    assert len(mailoutbox) == 1


def test_moderators_see_the_qr_code_and_the_button_members_do_not(
    client: Client, group: ChatGroup, chatter: GroupMember, committee_trained: Any
) -> None:
    client.force_login(committee_trained)
    html = client.get(group_url(group)).content.decode()
    assert 'role="img" aria-label="QR code of the invite link to Hiking Society"' in html
    assert "<svg" in html
    assert invites.invite_url(group) in html
    assert "Email the invite to members" in html

    client.force_login(chatter.user)
    html = client.get(group_url(group)).content.decode()
    assert "<svg" not in html
    assert "Email the invite" not in html
    assert client.post(group_url(group, "chat:email-invite")).status_code == 403


# --- Staff choose who may join a rep group ---------------------------------------------------------


def test_staff_open_a_rep_group_and_are_taken_to_choose_who_may_join(staff_client: Client) -> None:
    response = staff_client.post(
        reverse("chat:rep-groups"), {"name": "Course reps: History", "purpose": "Reps and the union."}
    )
    group = ChatGroup.objects.get(name="Course reps: History")
    assert group.kind == ChatGroup.Kind.REP
    assert response["Location"] == group_url(group, "chat:rep-eligible")
    assert "Course reps: History" in staff_client.get(reverse("chat:rep-groups")).content.decode()


def test_unknown_addresses_are_reported_and_nobody_is_added(
    staff_client: Client, rep_group: ChatGroup, student: Any, visitor: Any
) -> None:
    url = group_url(rep_group, "chat:rep-eligible")
    response = staff_client.post(url, {"emails": f"{student.email}\n  nobody@student.example.ac.uk \n"})
    assert response.status_code == 200
    assert "No Quad account has these addresses: nobody@student.example.ac.uk." in response.content.decode()
    assert not RepEligibility.objects.exists()

    response = staff_client.post(url, {"emails": f"{student.email}\n{visitor.email}"})
    assert "These are not current students, so they could not join: vic.visitor@example.com." in (
        response.content.decode()
    )
    assert not RepEligibility.objects.exists()


def test_staff_add_students_by_email_once_each(
    staff_client: Client, rep_group: ChatGroup, student: Any, member: Any
) -> None:
    url = group_url(rep_group, "chat:rep-eligible")
    response = staff_client.post(url, {"emails": f"{student.email.upper()}\n\n{member.email}\n{student.email}"})
    assert response["Location"] == url
    assert messages_of(response) == ["2 added."]
    assert set(RepEligibility.objects.values_list("user", flat=True)) == {student.pk, member.pk}

    html = staff_client.get(url).content.decode()
    assert "Sam Student" in html and "Mia Member" in html
    response = staff_client.post(url, {"emails": student.email})
    assert messages_of(response) == ["0 added. 1 had been chosen already."]


def test_a_society_group_has_no_rep_list(staff_client: Client, group: ChatGroup) -> None:
    assert staff_client.get(group_url(group, "chat:rep-eligible")).status_code == 404


# --- Two moderators at once (PostgreSQL) -----------------------------------------------------------

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks need the real PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)",
)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_pressing_at_once_email_each_person_once(
    group: ChatGroup,
    cast: dict[str, Any],
    committee_trained: Any,
    su_staff: Any,
    mailoutbox: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each holds a moment between choosing whom to email and recording it, where a race would slip through.
    monkeypatch.setattr(invites, "_after_check", lambda: time.sleep(0.05))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(actor: Any) -> None:
        try:
            barrier.wait()
            outcomes.append(f"sent {invites.email_invite(group, actor=actor)}")
        except ChatError as refusal:
            outcomes.append(str(refusal))
        except Exception as error:  # a thread's failure is the test's to report
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(actor,)) for actor in (committee_trained, su_staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted([ALREADY, "sent 1"])
    # Outside a test transaction the cast's own mail (receipts, welcomes) went too: only the invites count.
    invitations = [message for message in mailoutbox if message.subject.startswith("Join Hiking Society")]
    assert recipients(invitations) == [cast["bea"].email]
    assert InviteSend.objects.count() == 1


# --- In a browser ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_the_president_shows_the_qr_code_and_emails_the_invite(
    page: Any, group: ChatGroup, cast: dict[str, Any], committee_trained: Any, mailoutbox: Any
) -> None:
    from playwright.sync_api import expect

    from quad.conftest import check_a11y, sign_in

    sign_in(page, committee_trained.email, PASSWORD)
    page.goto(group_url(group))
    page.get_by_text("Moderate", exact=True).click()
    expect(page.get_by_role("img", name="QR code of the invite link to Hiking Society")).to_be_visible()
    check_a11y(page, "chat-invite-qr")
    page.get_by_role("button", name="Email the invite to members").click()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1, name="Hiking Society")).to_be_visible()
    page.get_by_text("Moderate", exact=True).click()
    page.get_by_role("button", name="Email the invite to members").click()
    expect(page.get_by_text("Emailed the invite link and its QR code to 1 person.")).to_be_visible()
    invitations = [message for message in mailoutbox if message.subject.startswith("Join Hiking Society")]
    assert recipients(invitations) == [cast["bea"].email]


@pytest.mark.browser
def test_browser_staff_open_a_rep_group_and_choose_who_may_join(
    page: Any, su_staff: Any, student: Any, member: Any
) -> None:
    from playwright.sync_api import expect

    from quad.accounts.totp import current_code
    from quad.conftest import check_a11y

    page.goto("/auth/login/")
    page.get_by_label("Email").fill(su_staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(current_code(su_staff))
    page.get_by_role("button", name="Sign in").click()
    # Signed in once the account page shows: going elsewhere sooner could cut the sign-in short.
    expect(page.get_by_role("heading", level=1, name="Hello, Jo Staff")).to_be_visible()
    page.goto(reverse("chat:rep-groups"))
    page.get_by_label("Name").fill("Course reps: History")
    page.get_by_label("Purpose").fill("Reps and the union.")
    check_a11y(page, "chat-rep-groups")
    page.get_by_role("button", name="Open the group").click()
    expect(page.get_by_role("heading", level=1, name="Who may join “Course reps: History”")).to_be_visible()
    addresses = page.get_by_label("Students' email addresses, one a line")
    addresses.fill(f"{student.email}\nnobody@student.example.ac.uk")
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_text("No Quad account has these addresses: nobody@student.example.ac.uk.")).to_be_visible()
    check_a11y(page, "chat-rep-eligible")
    page.get_by_label("Students' email addresses, one a line").fill(f"{student.email}\n{member.email}")
    page.get_by_role("button", name="Add them").click()
    expect(page.get_by_text("2 added.")).to_be_visible()
    expect(page.get_by_role("row", name="Sam Student")).to_be_visible()
