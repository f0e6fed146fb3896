from __future__ import annotations

import datetime
from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings

from quad.accounts import training
from quad.accounts.models import User
from quad.core.academic import academic_year_for


def course_end_choices() -> list[tuple[str, str]]:
    """Summers from this year to seven years ahead: courses end with an academic year."""
    this_year = datetime.date.today().year
    return [("", "Not a student / not sure")] + [(str(y), f"Summer {y}") for y in range(this_year, this_year + 8)]


def course_end_from_year(value: str) -> datetime.date | None:
    if not value:
        return None
    start_month, start_day = settings.ACADEMIC_YEAR_START
    # The academic year that *ends* in that summer.
    return academic_year_for(datetime.date(int(value), start_month, start_day) - datetime.timedelta(days=1)).end


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        max_length=80, label="Your name", help_text="How other students will see you. No phone number needed, ever."
    )
    course_end_year = forms.ChoiceField(
        choices=course_end_choices,
        required=False,
        label="When does your course end?",
        help_text="Students only: you stay a student of the union until then.",
    )

    field_order = ["display_name", "email", "course_end_year", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Required for student addresses only (checked in clean), so not marked "(optional)".
        self.fields["course_end_year"].hide_optional = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        email = (cleaned.get("email") or "").lower()
        domain = email.rsplit("@", 1)[-1] if "@" in email else ""
        if domain in settings.STUDENT_EMAIL_DOMAINS and not cleaned.get("course_end_year"):
            self.add_error("course_end_year", "Students: choose the summer your course is expected to end.")
        return cleaned

    def save(self, request: Any) -> User:
        user: User = super().save(request)
        return user


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, label="Your name")
    course_end_year = forms.ChoiceField(choices=course_end_choices, required=False, label="When does your course end?")


class TrainingQuizForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in training.QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                choices=question.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer to this question."},
            )


class ExternalTrainingForm(forms.Form):
    email = forms.EmailField(label="Student's email address")
    completed_on = forms.DateField(label="Date training was completed", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=200, required=False, label="Where (e.g. 'University data protection course')")

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].lower()
        try:
            return User.objects.get(email=email)
        except User.DoesNotExist as exc:
            raise forms.ValidationError("Nobody with that address has a Quad account.") from exc
