import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from quad.accounts import queries, services, training
from quad.accounts.errors import AccountError
from quad.accounts.models import TrainingRecord
from quad.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("accounts:take-training")
RECORD_URL = reverse("su:record-training")


def _answers(wrong: int = 0) -> dict[str, str]:
    """Every question answered, the first `wrong` of them wrongly."""
    answers = {}
    for n, question in enumerate(training.QUESTIONS):
        wrong_choice = next(value for value, _ in question.choices if value != question.answer)
        answers[question.key] = wrong_choice if n < wrong else question.answer
    return answers


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_all_correct_answers_record_training_valid_for_a_year(client, student) -> None:
    client.force_login(student)

    response = client.post(URL, _answers())

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("accounts:home")
    record = TrainingRecord.objects.get(user=student)
    today = timezone.localdate()
    assert record.completed_on == today
    assert record.expires_on == today + datetime.timedelta(days=365)
    assert record.score == 100
    assert record.source == TrainingRecord.Source.QUIZ
    assert queries.valid_training(student) == record
    assert any("You passed with 100%" in message for message in _messages(response))


def test_passing_writes_an_audit_event(client, student) -> None:
    client.force_login(student)

    client.post(URL, _answers())

    event = AuditEvent.objects.get(action="accounts.training.recorded")
    assert event.actor == student
    assert event.target_id == str(student.pk)
    assert event.data["source"] == "quiz"


def test_validity_follows_the_setting(client, student, settings) -> None:
    settings.GDPR_TRAINING_VALID_DAYS = 30
    client.force_login(student)

    client.post(URL, _answers())

    record = TrainingRecord.objects.get(user=student)
    assert record.expires_on == timezone.localdate() + datetime.timedelta(days=30)


def test_one_wrong_answer_still_passes_at_the_default_mark(client, student) -> None:
    client.force_login(student)

    client.post(URL, _answers(wrong=1))

    assert TrainingRecord.objects.get(user=student).score == 83


def test_below_the_pass_mark_records_nothing_and_says_so(client, student) -> None:
    client.force_login(student)

    response = client.post(URL, _answers(wrong=2))

    assert response.status_code == 200
    assert not TrainingRecord.objects.filter(user=student).exists()
    assert not AuditEvent.objects.filter(action="accounts.training.recorded").exists()
    assert "You scored 67%; the pass mark is 80%." in response.content.decode()


def test_pass_mark_follows_the_setting(client, student, settings) -> None:
    settings.GDPR_TRAINING_PASS_MARK = 100
    client.force_login(student)

    response = client.post(URL, _answers(wrong=1))

    assert not TrainingRecord.objects.filter(user=student).exists()
    assert "the pass mark is 100%" in response.content.decode()


def test_missing_answers_are_form_errors_not_a_fail(client, student) -> None:
    client.force_login(student)
    answers = _answers()
    del answers["breach"]
    del answers["handover"]

    response = client.post(URL, answers)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"breach", "handover"}
    assert form.errors["breach"] == ["Choose an answer to this question."]
    assert "You scored" not in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_an_answer_that_is_not_a_choice_is_a_form_error(client, student) -> None:
    client.force_login(student)

    response = client.post(URL, {**_answers(), "purpose": "sell-it"})

    assert "purpose" in response.context["form"].errors
    assert not TrainingRecord.objects.exists()


def test_retaking_renews_training(client, student) -> None:
    TrainingRecord.objects.create(
        user=student,
        completed_on=timezone.localdate() - datetime.timedelta(days=300),
        expires_on=timezone.localdate() + datetime.timedelta(days=65),
        source=TrainingRecord.Source.QUIZ,
        score=100,
    )
    client.force_login(student)

    client.post(URL, _answers())

    renewed = queries.valid_training(student)
    assert renewed is not None
    assert renewed.expires_on == timezone.localdate() + datetime.timedelta(days=365)


def test_training_page_needs_sign_in(client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("account_login"))


def test_staff_record_external_training(staff_client, committee_untrained, su_staff) -> None:
    completed = timezone.localdate() - datetime.timedelta(days=10)

    response = staff_client.post(
        RECORD_URL,
        {
            "email": committee_untrained.email.upper(),
            "completed_on": completed.isoformat(),
            "note": "University course",
        },
    )

    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=committee_untrained)
    assert record.source == TrainingRecord.Source.EXTERNAL
    assert record.recorded_by == su_staff
    assert record.note == "University course"
    assert record.expires_on == completed + datetime.timedelta(days=365)
    assert AuditEvent.objects.filter(action="accounts.training.recorded", actor=su_staff).exists()


def test_staff_cannot_record_training_in_the_future(staff_client, committee_untrained) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = staff_client.post(RECORD_URL, {"email": committee_untrained.email, "completed_on": tomorrow})

    assert response.status_code == 200
    assert response.context["form"].errors["completed_on"] == ["Training cannot be completed in the future."]
    assert not TrainingRecord.objects.filter(user=committee_untrained).exists()


def test_staff_cannot_record_training_that_has_already_expired(staff_client, committee_untrained) -> None:
    long_ago = timezone.localdate() - datetime.timedelta(days=400)

    response = staff_client.post(RECORD_URL, {"email": committee_untrained.email, "completed_on": long_ago})

    assert response.status_code == 200
    assert response.context["form"].errors["completed_on"] == [
        "That training has already expired; it would not make anyone trained."
    ]
    assert not TrainingRecord.objects.filter(user=committee_untrained).exists()


def test_training_completed_exactly_a_year_ago_is_still_recorded(committee_untrained, su_staff) -> None:
    completed = timezone.localdate() - datetime.timedelta(days=365)

    record = services.record_training(
        committee_untrained, actor=su_staff, source=TrainingRecord.Source.EXTERNAL, completed_on=completed
    )

    assert record.expires_on == timezone.localdate()
    assert queries.valid_training(committee_untrained) == record


def test_training_completed_a_year_and_a_day_ago_is_refused(committee_untrained, su_staff) -> None:
    with pytest.raises(AccountError):
        services.record_training(
            committee_untrained,
            actor=su_staff,
            source=TrainingRecord.Source.EXTERNAL,
            completed_on=timezone.localdate() - datetime.timedelta(days=366),
        )


def test_staff_recording_for_an_unknown_address_is_refused(staff_client) -> None:
    response = staff_client.post(
        RECORD_URL, {"email": "nobody@student.example.ac.uk", "completed_on": timezone.localdate()}
    )

    assert response.context["form"].errors["email"] == ["Nobody with that address has a Quad account."]
    assert not TrainingRecord.objects.exists()


def test_students_cannot_record_training_for_others(client, committee_trained, committee_untrained) -> None:
    client.force_login(committee_trained)

    response = client.post(RECORD_URL, {"email": committee_untrained.email, "completed_on": timezone.localdate()})

    assert response.status_code == 403
    assert not TrainingRecord.objects.filter(user=committee_untrained).exists()
