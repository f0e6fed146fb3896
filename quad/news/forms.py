from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from quad.news.models import Article
from quad.societies.forms import process_logo

STATUS_CHOICES = [
    (Article.Status.DRAFT, "Draft: only the committee can see it"),
    (Article.Status.PUBLISHED, "Published: anyone can read it, from the publish date"),
]
ALT_NEEDED = "Describe the image for people who cannot see it."


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=150)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        label="Article",
        help_text="Markdown: **bold**, *italics*, [links](https://…), lists, ## headings.",
    )
    image = forms.ImageField(
        required=False,
        help_text="PNG, JPEG, WebP or GIF, at least 64×64 pixels, at most 2 MB.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    image_alt = forms.CharField(
        max_length=200,
        required=False,
        label="Image description",
        help_text="What the image shows, for people who cannot see it. Needed with an image.",
    )
    remove_image = forms.BooleanField(required=False, label="Remove the current image")
    status = forms.ChoiceField(
        choices=STATUS_CHOICES, initial=Article.Status.DRAFT, widget=forms.RadioSelect, label="Who can see it"
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish from",
        help_text="Leave empty to publish straight away; a later date and time schedules it.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, has_image: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_image = has_image
        if not has_image:
            del self.fields["remove_image"]

    @classmethod
    def initial_for(cls, article: Article) -> dict[str, Any]:
        """The form filled in from `article`. A draft's publish date is left empty: publishing it means now."""
        return {
            "title": article.title,
            "body": article.body,
            "image_alt": article.image_alt,
            "status": article.status,
            "publish_at": (
                timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M")
                if article.status == Article.Status.PUBLISHED
                else None
            ),
        }

    def clean_image(self) -> ContentFile | None:
        upload = self.cleaned_data.get("image")
        if not upload or not isinstance(upload, UploadedFile):
            return None
        return process_logo(upload, what="image")

    def clean(self) -> dict[str, Any]:
        super().clean()
        new_image = self.cleaned_data.get("image") is not None or "image" in self.errors
        kept_image = self.has_image and not self.cleaned_data.get("remove_image")
        if (new_image or kept_image) and not self.cleaned_data.get("image_alt", "").strip():
            self.add_error("image_alt", ALT_NEEDED)
        return self.cleaned_data
