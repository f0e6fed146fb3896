from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from quad.events.models import Event
from quad.societies.forms import process_logo


def pence(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


class EventForm(forms.Form):
    title = forms.CharField(max_length=150)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), max_length=10000, required=False, help_text="Markdown allowed."
    )
    starts_at = forms.DateTimeField(label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="Ends", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    venue = forms.CharField(max_length=200, required=False, label="Place")
    online_url = forms.URLField(
        required=False, label="Online link", help_text="Only people with a ticket see it.", assume_scheme="https"
    )
    visibility = forms.ChoiceField(choices=Event.Visibility.choices, label="Who can see it")
    capacity = forms.IntegerField(min_value=1, max_value=100000, help_text="Places shared by all ticket types.")
    image = forms.ImageField(required=False, help_text="PNG, JPEG, WebP or GIF, at most 2 MB.")

    def clean_image(self) -> ContentFile | None:
        upload = self.cleaned_data.get("image")
        if not upload or not isinstance(upload, UploadedFile):
            return None
        return process_logo(upload, what="image")

    def clean(self) -> dict[str, Any]:
        super().clean()
        starts, ends = self.cleaned_data.get("starts_at"), self.cleaned_data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The event must end after it starts.")
        if not self.cleaned_data.get("venue") and not self.cleaned_data.get("online_url") and not self.errors:
            self.add_error("venue", "Say where the event is: a place, an online link, or both.")
        return self.cleaned_data


class TicketTypeForm(forms.Form):
    name = forms.CharField(max_length=120, initial="Standard")
    price = forms.DecimalField(min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=2, label="Price (£)")
    member_price = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        decimal_places=2,
        required=False,
        label="Member price (£)",
        help_text="Optional: a lower price for current members.",
    )
    members_only = forms.BooleanField(required=False, label="Members only")
    per_person_limit = forms.IntegerField(min_value=1, max_value=20, initial=4, label="Most one person can buy")
    sale_starts_at = forms.DateTimeField(
        required=False, label="Sales open", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    sale_ends_at = forms.DateTimeField(
        required=False,
        label="Sales close",
        help_text="Leave empty to sell until the event ends.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        price, member = self.cleaned_data.get("price"), self.cleaned_data.get("member_price")
        if price is not None and member is not None and member > price:
            self.add_error("member_price", "The member price should not be more than the ordinary price.")
        starts, ends = self.cleaned_data.get("sale_starts_at"), self.cleaned_data.get("sale_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("sale_ends_at", "Sales must close after they open.")
        return self.cleaned_data


class EditTicketTypeForm(forms.Form):
    price = forms.DecimalField(min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=2, label="Price (£)")
    member_price = forms.DecimalField(
        min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=2, required=False, label="Member price (£)"
    )
    on_sale = forms.BooleanField(required=False, label="On sale")


class WaitingListForm(forms.Form):
    ticket_type = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, label="Why (ticket holders are told)"
    )


class ScanForm(forms.Form):
    code = forms.CharField(max_length=64, label="Ticket code", strip=True)


class CalendarFilterForm(forms.Form):
    society = forms.CharField(required=False, max_length=110)
    category = forms.CharField(required=False, max_length=60)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
