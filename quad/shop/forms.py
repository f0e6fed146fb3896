from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from quad.societies.forms import process_logo


class MerchItemForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
    variants = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Sizes or colours",
        help_text="One per line: name, price in pounds, stock. For example: “M / Navy, 18.00, 20”.",
    )
    members_only = forms.BooleanField(required=False, label="Members only")
    preorder_closes_at = forms.DateTimeField(
        required=False,
        label="Pre-order closes",
        help_text="Leave empty for stock you already have.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_variants(self) -> list[tuple[str, int, int]]:
        parsed = []
        for number, raw in enumerate(self.cleaned_data["variants"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.rsplit(",", 2)]
            if len(parts) != 3 or not parts[0]:
                raise forms.ValidationError(f"Line {number}: write name, price, stock — e.g. “M / Navy, 18.00, 20”.")
            try:
                price = Decimal(parts[1].lstrip("£"))
                stock = int(parts[2])
            except (ArithmeticError, ValueError) as exc:
                raise forms.ValidationError(
                    f"Line {number}: the price must be like 18.00 and the stock a whole number."
                ) from exc
            if not price.is_finite() or price < 0 or price > 1000 or price.as_tuple().exponent < -2:  # type: ignore[operator]
                raise forms.ValidationError(f"Line {number}: the price must be between 0.00 and 1000.00.")
            if stock < 0 or stock > 100000:
                raise forms.ValidationError(f"Line {number}: stock must be between 0 and 100000.")
            parsed.append((parts[0][:80], int(price * 100), stock))
        if not parsed:
            raise forms.ValidationError("Add at least one size or colour.")
        names = [name.lower() for name, _, _ in parsed]
        if len(set(names)) != len(names):
            raise forms.ValidationError("Each size or colour must have a different name.")
        return parsed


class VariantForm(forms.Form):
    price = forms.DecimalField(min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=2, label="Price (£)")
    stock = forms.IntegerField(min_value=0, max_value=100000)


class PhotoForm(forms.Form):
    image = forms.ImageField(help_text="PNG, JPEG, WebP or GIF, at most 2 MB.")
    alt_text = forms.CharField(max_length=200, label="Describe the photo", help_text="For people who cannot see it.")

    def clean_image(self) -> ContentFile:
        upload: Any = self.cleaned_data["image"]
        if not isinstance(upload, UploadedFile):
            raise forms.ValidationError("Choose a photo.")
        return process_logo(upload, what="photo")
