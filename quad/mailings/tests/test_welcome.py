"""The welcome email a new member gets: from the society, replies to the society, the committee's
words; none when the committee turned it off or the joining never happened."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

import pytest
from django.db import transaction

from conftest import join, make_person
from quad.mailings import services
from quad.memberships.models import Membership
from quad.societies.services import update_mini_site

pytestmark = pytest.mark.django_db


def welcomes(mailoutbox: list[Any], person: Any) -> list[Any]:
    """The welcome emails `person` got (joining also sends a receipt)."""
    return [m for m in mailoutbox if m.to == [person.email] and "welcome" in m.subject.lower()]


@pytest.fixture
def newcomer(db: None) -> Any:
    return make_person("Nia Newcomer", "nia.newcomer")


def test_a_new_member_is_welcomed_from_the_society_with_replies_going_to_it(
    settings: Any,
    society: Any,
    membership_type: Any,
    committee_trained: Any,
    newcomer: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    update_mini_site(
        society,
        actor=committee_trained,
        purpose=society.purpose,
        meeting_info=society.meeting_info,
        contact_email="hiking@union.example.ac.uk",
    )

    with django_capture_on_commit_callbacks(execute=True):
        join(newcomer, membership_type)

    [welcome] = welcomes(mailoutbox, newcomer)
    assert parseaddr(welcome.from_email) == ("Hiking Society", settings.MAILINGS_FROM_EMAIL)
    assert welcome.reply_to == ["hiking@union.example.ac.uk"]
    assert welcome.message()["Reply-To"] == "hiking@union.example.ac.uk"
    assert welcome.subject == "Welcome to Hiking Society"
    assert "Hello, and welcome to Hiking Society!" in welcome.body
    html = welcome.alternatives[0][0]
    assert "Hello, and welcome to Hiking Society!" in html
    assert society.get_absolute_url() in html


def test_without_a_society_address_there_is_no_reply_to(
    society: Any, membership_type: Any, newcomer: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert society.contact_email == ""

    with django_capture_on_commit_callbacks(execute=True):
        join(newcomer, membership_type)

    [welcome] = welcomes(mailoutbox, newcomer)
    assert welcome.reply_to == []
    assert "Reply-To" not in welcome.message()


def test_the_committees_own_welcome_is_what_new_members_get(
    society: Any,
    membership_type: Any,
    committee_trained: Any,
    newcomer: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.save_welcome_email(
        society,
        actor=committee_trained,
        subject="Welcome, walker!",
        body="Our first walk is on **Saturday**: bring boots.",
        enabled=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        join(newcomer, membership_type)

    [welcome] = welcomes(mailoutbox, newcomer)
    assert welcome.subject == "Welcome, walker!"
    assert "Our first walk is on **Saturday**: bring boots." in welcome.body
    assert "Our first walk is on <strong>Saturday</strong>: bring boots." in welcome.alternatives[0][0]
    assert "Hello, and welcome" not in welcome.body


def test_no_welcome_when_the_committee_turned_it_off(
    society: Any,
    membership_type: Any,
    committee_trained: Any,
    newcomer: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.save_welcome_email(society, actor=committee_trained, subject="Welcome!", body="Hello.", enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        join(newcomer, membership_type)

    assert Membership.objects.filter(user=newcomer, status=Membership.Status.ACTIVE).exists()
    assert [m for m in mailoutbox if m.to == [newcomer.email]]  # the receipt still goes
    assert welcomes(mailoutbox, newcomer) == []


def test_a_joining_that_was_rolled_back_welcomes_nobody(
    society: Any, membership_type: Any, newcomer: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    class Interrupted(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Interrupted), transaction.atomic():
        join(newcomer, membership_type)
        assert Membership.objects.filter(user=newcomer).exists()
        raise Interrupted

    assert not Membership.objects.filter(user=newcomer).exists()
    assert mailoutbox == []


def test_each_new_member_gets_their_own_welcome(
    society: Any, membership_type: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    people = [make_person(f"Joiner {n}", f"joiner.{n}") for n in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        for person in people:
            join(person, membership_type)

    for person in people:
        [welcome] = welcomes(mailoutbox, person)
        assert welcome.to == [person.email] and not welcome.cc and not welcome.bcc
