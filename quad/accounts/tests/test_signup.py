"""Signing up, verifying and signing in through allauth's real views."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from conftest import PASSWORD, make_person
from quad.accounts.models import User
from quad.societies import services as society_services
from quad.societies.models import Category, CommitteeTerm

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Very-long-pass-99"
COURSE_END_YEAR = str(datetime.date.today().year + 2)


def _signup(client, *, email: str, course_end_year: str = COURSE_END_YEAR, name: str = "Nia New"):
    return client.post(
        reverse("account_signup"),
        {
            "display_name": name,
            "email": email,
            "course_end_year": course_end_year,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def _confirm_url_from(message) -> str:
    match = re.search(r"https?://testserver(/auth/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _confirm(client, mailoutbox, django_capture_on_commit_callbacks):
    (message,) = mailoutbox
    url = _confirm_url_from(message)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url)


def test_student_signup_requires_a_course_end_year(client) -> None:
    response = _signup(client, email="nia.new@student.example.ac.uk", course_end_year="")

    assert response.status_code == 200
    assert "choose the summer your course is expected to end" in response.content.decode()
    assert not User.objects.filter(email="nia.new@student.example.ac.uk").exists()


def test_student_signup_sends_a_verification_email_and_is_not_yet_a_student(client, mailoutbox) -> None:
    response = _signup(client, email="nia.new@student.example.ac.uk")

    assert response.status_code == 302
    user = User.objects.get(email="nia.new@student.example.ac.uk")
    assert user.display_name == "Nia New"
    assert user.course_ends_on == datetime.date(int(COURSE_END_YEAR), 7, 31)
    assert not user.is_student
    assert [message.to for message in mailoutbox] == [["nia.new@student.example.ac.uk"]]
    assert "/auth/confirm-email/" in mailoutbox[0].body


def test_confirming_the_emailed_link_makes_a_student(client, mailoutbox, django_capture_on_commit_callbacks) -> None:
    _signup(client, email="nia.new@student.example.ac.uk")

    response = _confirm(client, mailoutbox, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get(email="nia.new@student.example.ac.uk")
    assert user.is_student
    assert EmailAddress.objects.get(user=user).verified


def test_opening_the_link_alone_does_not_verify(client, mailoutbox) -> None:
    # Mail scanners follow links; only the confirm button (a POST) verifies.
    _signup(client, email="nia.new@student.example.ac.uk")

    response = client.get(_confirm_url_from(mailoutbox[0]))

    assert response.status_code == 200
    assert not User.objects.get(email="nia.new@student.example.ac.uk").is_student


def test_unverified_student_cannot_sign_in(client, mailoutbox) -> None:
    _signup(client, email="nia.new@student.example.ac.uk")
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": "nia.new@student.example.ac.uk", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_visitor_signup_needs_no_course_and_stays_a_visitor(
    client, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    response = _signup(client, email="parent@example.com", course_end_year="", name="Pat Parent")
    assert response.status_code == 302

    _confirm(client, mailoutbox, django_capture_on_commit_callbacks)

    user = User.objects.get(email="parent@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert user.course_ends_on is None
    assert not user.is_student
    assert user.student_verified_at is None


def test_signing_up_again_with_a_taken_address_creates_no_second_account(client, student, mailoutbox) -> None:
    response = _signup(client, email=student.email.upper())

    # Allauth answers as if it worked, so nobody can probe which addresses have accounts.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=student.email).count() == 1
    assert [message.to for message in mailoutbox] == [[student.email]]
    assert "/auth/confirm-email/" not in mailoutbox[0].body


def test_founder_who_signs_up_after_approval_takes_their_seat_on_verifying(
    client, mailoutbox, django_capture_on_commit_callbacks, committee_trained, su_staff
) -> None:
    treasurer = make_person("Theo Treasurer", "theo.treasurer")
    category = Category.objects.create(name="Arts", slug="arts")
    society = society_services.apply_for_society(
        committee_trained,
        name="Film Society",
        category=category,
        purpose="Films.",
        constitution="1. Films.",
        committee=[
            (committee_trained.email, "President"),
            (treasurer.email, "Treasurer"),
            ("late.secretary@student.example.ac.uk", "Secretary"),
        ],
    )
    society_services.approve_society(society, actor=su_staff)
    assert not CommitteeTerm.objects.filter(society=society, position__name="Secretary").exists()
    mailoutbox.clear()

    _signup(client, email="late.secretary@student.example.ac.uk", name="Lee Late")
    _confirm(client, mailoutbox, django_capture_on_commit_callbacks)

    late = User.objects.get(email="late.secretary@student.example.ac.uk")
    term = CommitteeTerm.objects.get(society=society, user=late)
    assert term.position.name == "Secretary"
    proposed = society.proposed_committee.get(email=late.email)
    assert proposed.user == late
    assert proposed.seated_at is not None


def test_founder_of_a_society_still_awaiting_approval_gets_no_seat_yet(
    client, mailoutbox, django_capture_on_commit_callbacks, committee_trained
) -> None:
    treasurer = make_person("Theo Treasurer", "theo.treasurer")
    category = Category.objects.create(name="Arts", slug="arts")
    society = society_services.apply_for_society(
        committee_trained,
        name="Film Society",
        category=category,
        purpose="Films.",
        constitution="1. Films.",
        committee=[
            (committee_trained.email, "President"),
            (treasurer.email, "Treasurer"),
            ("late.secretary@student.example.ac.uk", "Secretary"),
        ],
    )
    mailoutbox.clear()

    _signup(client, email="late.secretary@student.example.ac.uk", name="Lee Late")
    _confirm(client, mailoutbox, django_capture_on_commit_callbacks)

    assert not CommitteeTerm.objects.filter(society=society).exists()
    assert society.proposed_committee.get(email="late.secretary@student.example.ac.uk").seated_at is None


def _login(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_right_password_signs_in(client, student) -> None:
    response = _login(client, student.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(student.pk)


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client, student) -> None:
    for _ in range(5):
        response = _login(client, student.email, "wrong-password")
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()

    response = _login(client, student.email, PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_against_many_accounts_from_one_address_are_refused(client, student) -> None:
    for n in range(10):
        _login(client, f"guess{n}@student.example.ac.uk", "wrong-password")

    response = _login(client, student.email, PASSWORD)

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_limit_follows_the_setting(client, student, settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/m/ip,2/5m/key"}

    for _ in range(2):
        _login(client, student.email, "wrong-password")
    response = _login(client, student.email, PASSWORD)

    assert "Too many failed login attempts. Try again later." in response.content.decode()
