from __future__ import annotations

from django import forms

from quad.commerce.services import MAX_QUANTITY


class AddToBasketForm(forms.Form):
    variant = forms.IntegerField(widget=forms.HiddenInput)
    # Bounds are checked again by the service against the product's own limit.
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "min_value": "Choose at least one.",
            "max_value": f"You can buy at most {MAX_QUANTITY} at a time.",
            "invalid": "Enter a whole number.",
        },
    )


class RefundRequestForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, label="Why would you like a refund?"
    )


class ApproveRefundForm(forms.Form):
    amount = forms.DecimalField(
        min_value=0.01,
        decimal_places=2,
        required=False,
        label="Amount to refund (£)",
        help_text="Leave empty to refund everything still refundable. Partial refunds are allowed.",
    )
    note = forms.CharField(max_length=500, required=False, label="Note to the member")

    def amount_pence(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return None if amount is None else int(amount * 100)


class DeclineRefundForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=500, label="Why it is declined")
