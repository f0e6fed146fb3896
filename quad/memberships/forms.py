from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms


class MembershipTypeForm(forms.Form):
    name = forms.CharField(max_length=120, initial="Full member")
    price = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        decimal_places=2,
        label="Price (£)",
        help_text="0 for a free membership.",
        error_messages={"max_decimal_places": "Use pounds and pence, e.g. 5.00."},
    )
    limit = forms.IntegerField(
        min_value=1, max_value=100000, required=False, label="Limit on numbers", help_text="Leave empty for no limit."
    )
    sale_starts_at = forms.DateTimeField(
        required=False, label="Sales open", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    sale_ends_at = forms.DateTimeField(
        required=False, label="Sales close", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        starts, ends = self.cleaned_data.get("sale_starts_at"), self.cleaned_data.get("sale_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("sale_ends_at", "Sales must close after they open.")
        return self.cleaned_data

    def price_pence(self) -> int:
        return int(self.cleaned_data["price"] * 100)


class EditMembershipTypeForm(MembershipTypeForm):
    on_sale = forms.BooleanField(required=False, initial=True, label="On sale")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["name"]


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label="Reason (the member is told)"
    )
