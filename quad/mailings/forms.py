from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from quad.events.models import Event
from quad.mailings.models import Mailing
from quad.memberships.models import MembershipType
from quad.societies.models import Society


def _one_line(value: str, what: str) -> str:
    if any(not ch.isprintable() for ch in value):
        raise forms.ValidationError(f"The {what} must be one line of ordinary text.")
    return value


class MailingForm(forms.Form):
    audience = forms.ChoiceField(choices=Mailing.Audience.choices, label="Who gets it")
    membership_type = forms.ModelChoiceField(
        queryset=MembershipType.objects.none(),
        required=False,
        empty_label="Choose a membership type",
        label="Membership type",
        help_text="For “Members of one membership type”.",
    )
    event = forms.ModelChoiceField(
        queryset=Event.objects.none(),
        required=False,
        empty_label="Choose an event",
        label="Event",
        help_text="For ticket holders or a waiting list.",
    )
    kind = forms.ChoiceField(
        choices=Mailing.Kind.choices,
        widget=forms.RadioSelect,
        initial=Mailing.Kind.NEWS,
        label="What kind of email is it?",
    )
    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown: **bold**, *italics*, [links](https://…), lists. No images or scripts.",
    )

    def __init__(self, *args: Any, society: Society, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership_types = MembershipType.objects.filter(society=society).select_related("product")
        self.fields["membership_type"].queryset = membership_types  # type: ignore[attr-defined]
        self.fields["event"].queryset = Event.objects.filter(society=society).order_by("-starts_at")  # type: ignore[attr-defined]

    def clean_subject(self) -> str:
        return _one_line(self.cleaned_data["subject"], "subject")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        audience = data.get("audience")
        if audience == Mailing.Audience.MEMBERSHIP_TYPE and not data.get("membership_type"):
            self.add_error("membership_type", "Choose which membership type to write to.")
        if audience in {Mailing.Audience.TICKET_HOLDERS, Mailing.Audience.WAITING_LIST} and not data.get("event"):
            self.add_error("event", "Choose which event this is about.")
        if data.get("kind") == Mailing.Kind.ESSENTIAL and audience in {
            Mailing.Audience.MEMBERS,
            Mailing.Audience.MEMBERSHIP_TYPE,
        }:
            self.add_error(
                "kind",
                "Mail to members is news, which members may turn off. Essential mail is for an event's "
                "ticket holders or waiting list, or the committee.",
            )
        return data


class SendForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", "Send now"), ("later", "Schedule it")], widget=forms.RadioSelect, initial="now"
    )
    send_at = forms.DateTimeField(
        required=False,
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Only for “Schedule it”: your local time.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "later":
            send_at = data.get("send_at")
            if send_at is None:
                self.add_error("send_at", "Choose when to send it.")
            elif send_at < timezone.now() - datetime.timedelta(minutes=1):
                self.add_error("send_at", "That time has passed.")
        return data


class WelcomeEmailForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Send this to every new member")
    subject = forms.CharField(max_length=150)
    body = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 10}), help_text="Markdown.")

    def clean_subject(self) -> str:
        return _one_line(self.cleaned_data["subject"], "subject")
