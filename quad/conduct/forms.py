from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from quad.conduct import queries
from quad.conduct.models import Case, Category
from quad.conduct.services import MAX_NOTE_LENGTH


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label="What kind of behaviour is it?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of behaviour you are reporting."},
    )
    note = forms.CharField(
        label="Anything else we should know",
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_NOTE_LENGTH}),
        help_text=(
            "What happened, and anything that helps us understand it. "
            "The person you report is never told who reported them."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why (moderators and union staff see this)")


class DismissForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Note (moderators and union staff see this)")


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000})
    )


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[(s.value, s.label) for s in (Case.Status.OPEN, Case.Status.INVESTIGATING)]
    )


class CloseCaseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(o.value, o.label) for o in Case.Outcome if o != Case.Outcome.NONE],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome."},
    )
    note = forms.CharField(
        label="Outcome note (staff only)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
    )


class OfficersForm(forms.Form):
    officers = forms.ModelMultipleChoiceField(
        label="Elected officers",
        queryset=queries.officers(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one elected officer."},
    )
    note = forms.CharField(
        label="Note for them", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officers"].label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label="Why (staff only; the person is not shown it)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    until = forms.DateField(
        label="Until the end of",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to suspend until lifted.",
    )

    def clean_until(self) -> Any:
        day = self.cleaned_data.get("until")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return day
