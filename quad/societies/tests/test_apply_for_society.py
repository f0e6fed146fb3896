import pytest
from django.urls import reverse

from conftest import make_person
from quad.core.models import AuditEvent
from quad.societies import emails, services
from quad.societies.errors import SocietyError
from quad.societies.models import Category, Position, ProposedCommitteeMember, Society

pytestmark = pytest.mark.django_db

URL = reverse("societies:apply-for-society")


@pytest.fixture
def category():
    return Category.objects.create(name="Arts", slug="arts")


@pytest.fixture
def treasurer():
    return make_person("Theo Treasurer", "theo.treasurer")


def _form(category, **overrides):
    data = {
        "name": "Film Society",
        "category": category.pk,
        "purpose": "Watching *films* together.",
        "constitution": "1. The society is called the Film Society.",
        "treasurer_email": "theo.treasurer@student.example.ac.uk",
        "secretary_email": "sue.secretary@student.example.ac.uk",
    }
    data.update(overrides)
    return data


def _nothing_saved() -> None:
    assert not Society.objects.exists()
    assert not Position.objects.exists()
    assert not ProposedCommitteeMember.objects.exists()
    assert not AuditEvent.objects.filter(action="societies.society.applied").exists()


def test_student_applies_with_two_other_students(
    client, student, treasurer, category, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(student)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _form(category))

    society = Society.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("societies:application", kwargs={"slug": society.slug})
    assert society.status == Society.Status.APPLIED
    assert society.slug == "film-society"
    assert society.applied_by == student
    assert sorted(society.proposed_committee.values_list("position_name", "email")) == [
        ("President", student.email),
        ("Secretary", "sue.secretary@student.example.ac.uk"),
        ("Treasurer", "theo.treasurer@student.example.ac.uk"),
    ]
    assert list(society.positions.values_list("name", flat=True)) == ["President", "Treasurer", "Secretary"]
    assert AuditEvent.objects.filter(action="societies.society.applied", actor=student).count() == 1


def test_every_founder_is_emailed_separately(
    client, student, treasurer, category, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client.force_login(student)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(category))

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [student.email, "sue.secretary@student.example.ac.uk", "theo.treasurer@student.example.ac.uk"]
    )
    assert all(len(message.to) == 1 for message in mailoutbox)
    assert all("Film Society" in message.subject for message in mailoutbox)


def test_application_is_not_public_before_approval(client, student, category) -> None:
    client.force_login(student)
    client.post(URL, _form(category))
    society = Society.objects.get()
    client.logout()

    assert client.get(society.get_absolute_url()).status_code == 404


def test_visitor_cannot_apply(client, visitor, category) -> None:
    client.force_login(visitor)

    response = client.post(URL, _form(category))

    assert response.status_code == 403
    assert "Only current students can found a society" in response.content.decode()
    _nothing_saved()


def test_graduate_cannot_apply(client, graduate, category) -> None:
    client.force_login(graduate)

    response = client.post(URL, _form(category))

    assert response.status_code == 403
    assert "Graduates can no longer" in response.content.decode()
    _nothing_saved()


def test_non_student_committee_address_is_refused(client, student, category) -> None:
    client.force_login(student)

    response = client.post(URL, _form(category, treasurer_email="theo@gmail.com"))

    assert response.status_code == 200
    assert response.context["form"].errors["treasurer_email"] == [
        "Use their student email address (ending student.example.ac.uk)."
    ]
    _nothing_saved()


def test_applicant_cannot_name_themself_twice(client, student, category) -> None:
    client.force_login(student)

    response = client.post(URL, _form(category, secretary_email=student.email.upper()))

    assert response.context["form"].errors["secretary_email"] == ["You are the President: name two other students."]
    _nothing_saved()


def test_treasurer_and_secretary_must_be_different_students(client, student, category) -> None:
    client.force_login(student)

    response = client.post(
        URL,
        _form(
            category,
            treasurer_email="theo.treasurer@student.example.ac.uk",
            secretary_email="Theo.Treasurer@student.example.ac.uk",
        ),
    )

    assert response.context["form"].errors["secretary_email"] == [
        "The Treasurer and Secretary must be different students."
    ]
    _nothing_saved()


def test_duplicate_name_is_refused_whatever_its_case(client, student, society, category) -> None:
    client.force_login(student)
    before = Society.objects.count()

    response = client.post(URL, _form(category, name="  hIKING society "))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A society with that name already exists or has applied."]
    assert Society.objects.count() == before


def test_service_refuses_a_duplicate_name_that_slipped_past_the_form(student, society, category) -> None:
    positions_before = Position.objects.count()

    with pytest.raises(SocietyError, match="already exists"):
        services.apply_for_society(
            student,
            name="HIKING SOCIETY",
            category=category,
            purpose="x",
            constitution="x",
            committee=[
                (student.email, "President"),
                ("a@student.example.ac.uk", "Treasurer"),
                ("b@student.example.ac.uk", "Secretary"),
            ],
        )

    assert Society.objects.count() == 1
    assert Position.objects.count() == positions_before
    assert not ProposedCommitteeMember.objects.filter(email="a@student.example.ac.uk").exists()


@pytest.mark.parametrize(
    ("committee", "message"),
    [
        (
            [("{me}", "President"), ("a@student.example.ac.uk", "Treasurer")],
            "at least 3 students",
        ),
        (
            [("{me}", "President"), ("a@student.example.ac.uk", "Treasurer"), ("A@Student.example.ac.uk", "Secretary")],
            "named twice",
        ),
        (
            [
                ("a@student.example.ac.uk", "President"),
                ("b@student.example.ac.uk", "Treasurer"),
                ("c@student.example.ac.uk", "Secretary"),
            ],
            "on the proposed committee yourself",
        ),
        (
            [("{me}", "President"), ("a@student.example.ac.uk", "Treasurer"), ("c@example.com", "Secretary")],
            "c@example.com is not a student email address",
        ),
        (
            [("{me}", "President"), ("a@student.example.ac.uk", "Treasurer"), ("c@student.example.ac.uk.evil", "S")],
            "not a student email address",
        ),
    ],
)
def test_service_refuses_a_committee_that_breaks_the_founding_rules(student, category, committee, message) -> None:
    seats = [(email.format(me=student.email), position) for email, position in committee]

    with pytest.raises(SocietyError, match=message):
        services.apply_for_society(
            student, name="Film Society", category=category, purpose="x", constitution="x", committee=seats
        )

    _nothing_saved()


def test_service_refuses_an_applicant_who_is_not_a_student(visitor, category) -> None:
    with pytest.raises(SocietyError, match="Only current students"):
        services.apply_for_society(
            visitor,
            name="Film Society",
            category=category,
            purpose="x",
            constitution="x",
            committee=[
                (visitor.email, "President"),
                ("a@student.example.ac.uk", "Treasurer"),
                ("b@student.example.ac.uk", "Secretary"),
            ],
        )

    _nothing_saved()


def test_nothing_is_half_saved_when_a_late_step_fails(
    student, category, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    def broken(society):
        raise RuntimeError("mail template missing")

    monkeypatch.setattr(emails, "application_received", broken)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.apply_for_society(
            student,
            name="Film Society",
            category=category,
            purpose="x",
            constitution="x",
            committee=[
                (student.email, "President"),
                ("a@student.example.ac.uk", "Treasurer"),
                ("b@student.example.ac.uk", "Secretary"),
            ],
        )

    _nothing_saved()
    assert mailoutbox == []


def test_founders_need_not_have_accounts_yet(student, category) -> None:
    society = services.apply_for_society(
        student,
        name="Film Society",
        category=category,
        purpose="x",
        constitution="x",
        committee=[
            (student.email, "President"),
            ("Not.Yet@student.example.ac.uk ", "Treasurer"),
            ("b@student.example.ac.uk", "Secretary"),
        ],
    )

    assert society.proposed_committee.filter(email="not.yet@student.example.ac.uk", user=None).exists()


def test_slug_is_unique_even_when_names_differ_only_in_punctuation(student, category) -> None:
    common = {"category": category, "purpose": "x", "constitution": "x"}
    first = services.apply_for_society(
        student,
        name="Film Society",
        committee=[
            (student.email, "President"),
            ("a@student.example.ac.uk", "T"),
            ("b@student.example.ac.uk", "S"),
        ],
        **common,
    )
    second = services.apply_for_society(
        student,
        name="Film Society!",
        committee=[
            (student.email, "President"),
            ("a@student.example.ac.uk", "T"),
            ("b@student.example.ac.uk", "S"),
        ],
        **common,
    )

    assert first.slug == "film-society"
    assert second.slug == "film-society-2"
