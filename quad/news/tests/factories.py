"""Short-hands for news tests: articles through the services, images as uploads."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from quad.news import services
from quad.news.models import Article


def make_article(
    society: Any,
    *,
    actor: Any,
    title: str = "Spring walks announced",
    body: str = "Six walks this term, **all levels** welcome.",
    published: bool = True,
    publish_at: datetime.datetime | None = None,
) -> Article:
    """Published by default (at once, or at `publish_at`); `published=False` leaves a draft."""
    return services.create_article(
        society,
        actor=actor,
        title=title,
        body=body,
        status=Article.Status.PUBLISHED if published else Article.Status.DRAFT,
        publish_at=publish_at,
    )


def png_upload(name: str = "walk.png", *, side: int = 200, colour: str = "#1d6b35") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
