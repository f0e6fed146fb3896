"""Small helpers shared by forms in every app."""

from __future__ import annotations

from django import forms


def error_messages(form: forms.Form) -> list[str]:
    """A form's errors as sentences for messages, each led by its field's label."""
    found = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        text = " ".join(str(error) for error in errors)
        found.append(f"{label}: {text}" if label else text)
    return found
