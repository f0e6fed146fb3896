from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

from quad.accounts.models import User
from quad.core.academic import current_academic_year
from quad.societies.models import Category, Position, Power, SocialLink, Society

LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
LOGO_MIN_SIDE = 64
LOGO_MAX_SIDE = 6000
LOGO_OUTPUT_SIDE = 512

# Hosts each platform's links may point at, and the path shape a profile has there.
PLATFORM_RULES: dict[str, tuple[tuple[str, ...], str, str]] = {
    SocialLink.Platform.INSTAGRAM: (
        ("instagram.com",),
        r"^/[A-Za-z0-9_.]{1,30}/?$",
        "https://instagram.com/yoursociety",
    ),
    SocialLink.Platform.FACEBOOK: (("facebook.com", "fb.com"), r"^/[^\s]+$", "https://facebook.com/yoursociety"),
    SocialLink.Platform.TIKTOK: (("tiktok.com",), r"^/@[A-Za-z0-9_.]{1,24}/?$", "https://tiktok.com/@yoursociety"),
    SocialLink.Platform.X: (("x.com", "twitter.com"), r"^/[A-Za-z0-9_]{1,15}/?$", "https://x.com/yoursociety"),
    SocialLink.Platform.YOUTUBE: (
        ("youtube.com", "youtu.be"),
        r"^/(@[\w.-]+|c/[\w.-]+|channel/[\w-]+|user/[\w.-]+)/?$",
        "https://youtube.com/@yoursociety",
    ),
    SocialLink.Platform.DISCORD: (
        ("discord.gg", "discord.com"),
        r"^/(invite/)?[A-Za-z0-9-]{2,32}/?$",
        "https://discord.gg/yourinvite",
    ),
    SocialLink.Platform.LINKEDIN: (
        ("linkedin.com",),
        r"^/(company|school|groups|showcase)/[\w-]+/?$",
        "https://linkedin.com/company/yoursociety",
    ),
}


def validate_platform_url(platform: str, url: str) -> str:
    """The URL, normalised, if it is a link to `platform`; otherwise a ValidationError that says what to enter."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https":
        raise forms.ValidationError("Use a full https:// link.")
    if platform == SocialLink.Platform.WEBSITE:
        if not parts.netloc or "." not in parts.netloc:
            raise forms.ValidationError("Enter a full website address, like https://example.org.")
        return url.strip()
    hosts, path_pattern, example = PLATFORM_RULES[platform]
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    label = SocialLink.Platform(platform).label
    if host not in hosts:
        raise forms.ValidationError(f"That is not a {label} link. It should look like {example}.")
    if not re.match(path_pattern, parts.path or ""):
        raise forms.ValidationError(f"That does not look like a {label} profile. It should look like {example}.")
    return f"https://{host}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def process_logo(upload: UploadedFile, *, what: str = "logo") -> ContentFile:
    """Check an uploaded image's size, type and dimensions, then re-encode it as a square-bounded PNG.

    Re-encoding drops anything hidden in the original (metadata, trailing payloads).
    """
    if upload.size is not None and upload.size > settings.LOGO_MAX_BYTES:
        raise forms.ValidationError(f"The {what} must be at most {filesizeformat(settings.LOGO_MAX_BYTES)}.")
    try:
        upload.seek(0)
        image = Image.open(upload)
        image_format = image.format or ""
        width, height = image.size
        if image_format not in LOGO_FORMATS:
            raise forms.ValidationError(f"Upload the {what} as a PNG, JPEG, WebP or GIF image.")
        if min(width, height) < LOGO_MIN_SIDE:
            raise forms.ValidationError(
                f"The {what} is too small: at least {LOGO_MIN_SIDE}×{LOGO_MIN_SIDE} pixels please."
            )
        if max(width, height) > LOGO_MAX_SIDE:
            raise forms.ValidationError(f"The {what} is too large: at most {LOGO_MAX_SIDE} pixels on a side.")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise forms.ValidationError("That file is not an image we can read. Upload a PNG, JPEG, WebP or GIF.") from exc
    converted = image.convert("RGBA")
    converted.thumbnail((LOGO_OUTPUT_SIDE, LOGO_OUTPUT_SIDE))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue())


class SocietyApplicationForm(forms.Form):
    name = forms.CharField(max_length=100, label="Society name")
    category = forms.ModelChoiceField(queryset=Category.objects.all(), empty_label="Choose a category")
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="What the society is for and who it is for. Markdown allowed.",
    )
    constitution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=50000,
        help_text="Your society's constitution: aims, membership, committee, meetings.",
    )
    treasurer_email = forms.EmailField(label="Treasurer's student email")
    secretary_email = forms.EmailField(label="Secretary's student email")

    def __init__(self, *args: Any, applicant: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applicant = applicant

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Society.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A society with that name already exists or has applied.")
        return name

    def _student_address(self, field: str) -> str:
        address = self.cleaned_data[field].strip().lower()
        if address.rsplit("@", 1)[-1] not in settings.STUDENT_EMAIL_DOMAINS:
            domains = ", ".join(settings.STUDENT_EMAIL_DOMAINS)
            raise forms.ValidationError(f"Use their student email address (ending {domains}).")
        if address == self.applicant.email.lower():
            raise forms.ValidationError("You are the President: name two other students.")
        return address

    def clean_treasurer_email(self) -> str:
        return self._student_address("treasurer_email")

    def clean_secretary_email(self) -> str:
        return self._student_address("secretary_email")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("treasurer_email") and cleaned.get("treasurer_email") == cleaned.get("secretary_email"):
            self.add_error("secretary_email", "The Treasurer and Secretary must be different students.")
        return cleaned

    def committee(self) -> list[tuple[str, str]]:
        return [
            (self.applicant.email, "President"),
            (self.cleaned_data["treasurer_email"], "Treasurer"),
            (self.cleaned_data["secretary_email"], "Secretary"),
        ]


class MiniSiteForm(forms.Form):
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=5000, help_text="Markdown allowed.")
    meeting_info = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        label="When and where you meet",
    )
    contact_email = forms.EmailField(
        required=False, label="Society contact address", help_text="A society address, never a personal one."
    )
    logo = forms.ImageField(
        required=False,
        help_text="PNG, JPEG, WebP or GIF, at least 64×64 pixels, at most 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")

    def __init__(self, *args: Any, has_logo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_logo:
            del self.fields["remove_logo"]

    def clean_logo(self) -> ContentFile | None:
        upload = self.cleaned_data.get("logo")
        if not upload or not isinstance(upload, UploadedFile):
            return None
        return process_logo(upload)

    def clean_contact_email(self) -> str:
        address: str = self.cleaned_data.get("contact_email", "").strip().lower()
        if address and address.rsplit("@", 1)[-1] in settings.STUDENT_EMAIL_DOMAINS:
            raise forms.ValidationError("That is a personal student address. Use a society address instead.")
        return address


class SocialLinksForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for platform, label in SocialLink.Platform.choices:
            example = PLATFORM_RULES[platform][2] if platform in PLATFORM_RULES else "https://yoursociety.org"
            self.fields[platform] = forms.CharField(
                label=label,
                required=False,
                max_length=300,
                widget=forms.URLInput(attrs={"placeholder": example}),
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for platform in SocialLink.Platform.values:
            value = (cleaned.get(platform) or "").strip()
            if value:
                try:
                    cleaned[platform] = validate_platform_url(platform, value)
                except forms.ValidationError as error:
                    self.add_error(platform, error)
        return cleaned


class FAQItemForm(forms.Form):
    question = forms.CharField(max_length=200)
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, help_text="Markdown allowed.")


class PowersField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Power.choices, widget=forms.CheckboxSelectMultiple, required=False, **kwargs)


class PositionForm(forms.Form):
    name = forms.CharField(max_length=60, label="Position name")
    powers = PowersField(label="What this position may do")


class PositionPowersForm(forms.Form):
    powers = PowersField(label="What this position may do")


class CommitteeTermForm(forms.Form):
    email = forms.EmailField(label="Student's email address")
    position = forms.ModelChoiceField(queryset=Position.objects.none(), empty_label="Choose a position")
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Term starts")
    ends_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Term ends",
        required=False,
        help_text="Leave empty for the end of that academic year.",
    )

    def __init__(self, *args: Any, society: Society, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = society.positions.all()  # type: ignore[attr-defined]
        self.fields["starts_on"].initial = current_academic_year().start

    def clean_email(self) -> User:
        address = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email=address).first()
        if user is None:
            raise forms.ValidationError("Nobody with that address has a Quad account yet. Ask them to sign up first.")
        if not user.is_student:
            raise forms.ValidationError("That person is not a current, verified student.")
        return user

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The term cannot end before it starts.")
        return cleaned


class HandoverForm(forms.Form):
    work_in_flight = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        label="Work in flight",
        help_text="Bookings, orders, promises and deadlines the new committee must pick up.",
    )
    external_accounts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        label="Accounts outside Quad",
        help_text="Instagram, Facebook, the society email… and who should own each. Never write passwords.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
