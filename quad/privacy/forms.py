from __future__ import annotations

from typing import Any

from django import forms


class EraseMyAccountForm(forms.Form):
    email = forms.EmailField(
        label="Type your email address to confirm",
        help_text="This cannot be undone: you will be signed out and your account will not work again.",
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if email.strip().lower() != self.person.email.lower():
            raise forms.ValidationError("That is not your account's email address.")
        return email


class EraseAccountForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="For the record, for example: “Erasure request by email, 12 November”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Email address or name", max_length=200, min_length=2)
