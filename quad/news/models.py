"""Society news: articles on the mini site, the union-wide news page and Atom feeds.

The body is Markdown, sanitised with nh3 whenever it is shown (quad.core.markdown). An article is
public once it is published and its publish date has come; until then only the committee sees it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from quad.societies.models import Society


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    society = models.ForeignKey(Society, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160)
    body = models.TextField(max_length=20000, help_text="Markdown: **bold**, *italics*, [links](https://…), lists.")
    image = models.ImageField(upload_to="news/", blank=True)
    image_alt = models.CharField("Image description", max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    publish_at = models.DateTimeField(default=timezone.now, help_text="Published articles appear from this moment.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Union staff may feature an article on the front page (guidance O6).
    featured_at = models.DateTimeField(null=True, blank=True)
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-publish_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["society", "slug"], name="article_slug_once_per_society")]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:article", kwargs={"slug": self.society.slug, "article_slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        """Published, but its publish date has not come yet."""
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def is_featured(self) -> bool:
        return self.featured_at is not None
