from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from quad.chat.services import MAX_MESSAGE_LENGTH


class GroupForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="For example: Announcements, General, Social.")
    purpose = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the group is for. People read this before they join.",
    )
    announcements_only = forms.BooleanField(required=False, label="Only moderators post (announcements)")


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_MESSAGE_LENGTH,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_MESSAGE_LENGTH}),
    )
    post_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The sender saw the warning that the message may break the guidelines, and posts it anyway.
    nudged = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reply_to = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class EditForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_MESSAGE_LENGTH, label="Your message", widget=forms.Textarea(attrs={"rows": 3})
    )


class ReadOnlyForm(forms.Form):
    DURATIONS = [("1", "1 day"), ("3", "3 days"), ("7", "a week"), ("28", "4 weeks")]

    days = forms.TypedChoiceField(choices=DURATIONS, coerce=int, label="For")
    reason = forms.CharField(max_length=300, label="Why (they see when it ends, not this)")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why (moderators and union staff see this)")


class EligibleForm(forms.Form):
    """Staff choose who may join a union rep group (guidance W9): Quad accounts of current students, by
    email address. Any address that is not one is reported, and nobody is added, so nothing is half-done."""

    emails = forms.CharField(
        max_length=50000,
        label="Students' email addresses, one a line",
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_emails(self) -> list[Any]:
        wanted = list(dict.fromkeys(line.strip().lower() for line in self.cleaned_data["emails"].splitlines()))
        wanted = [address for address in wanted if address]
        if not wanted:
            raise forms.ValidationError("Write at least one email address.")
        found = {
            user.lowered: user
            for user in get_user_model().objects.annotate(lowered=Lower("email")).filter(lowered__in=wanted)
        }
        unknown = [address for address in wanted if address not in found]
        if unknown:
            raise forms.ValidationError(
                "Nobody was added. No Quad account has these addresses: " + ", ".join(unknown) + "."
            )
        not_students = [address for address in wanted if not found[address].is_student]
        if not_students:
            raise forms.ValidationError(
                "Nobody was added. These are not current students, so they could not join: "
                + ", ".join(not_students)
                + "."
            )
        return [found[address] for address in wanted]


class ThreadForm(forms.Form):
    body = forms.CharField(max_length=MAX_MESSAGE_LENGTH, label="Message", widget=forms.Textarea(attrs={"rows": 8}))


class GroupSettingsForm(forms.Form):
    name = forms.CharField(max_length=60)
    purpose = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown before anyone joins."
    )
    announcements_only = forms.BooleanField(required=False, label="Only moderators post (announcements)")
    slow_mode_seconds = forms.IntegerField(
        min_value=0,
        max_value=3600,
        label="Slow mode (seconds between one member's messages)",
        help_text="0 for off.",
    )
    quiet_hours_start = forms.TimeField(
        required=False,
        label="Quiet hours start",
        help_text="Leave both empty to use the union's quiet hours.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    quiet_hours_end = forms.TimeField(
        required=False, label="Quiet hours end", widget=forms.TimeInput(attrs={"type": "time"})
    )
    guidelines = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Changing them makes a new version: every member reads and accepts it again before reading on.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_hours_start") is None) != (data.get("quiet_hours_end") is None):
            raise forms.ValidationError("Give quiet hours both a start and an end, or leave both empty.")
        return data


class InviteRequestForm(forms.Form):
    """A rep asks the union to let people join their rep group (guidance W9): addresses and a note."""

    prefix = "invite"

    emails = forms.CharField(
        max_length=20000,
        label="Their email addresses, one a line",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )
    note = forms.CharField(
        max_length=1000,
        required=False,
        label="A note for union staff",
        help_text="Who they are, for example: the new course reps for second year.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_emails(self) -> list[str]:
        # Pasted lists come with commas and semicolons as often as one a line.
        return [address for address in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if address]


class InviteDecisionForm(forms.Form):
    """Staff's words to the rep: optional with an approval, required with a decline (the service says so)."""

    note = forms.CharField(max_length=1000, required=False)
