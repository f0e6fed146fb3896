from __future__ import annotations

from django.conf import settings
from django.db import models

from quad.societies.models import Society


class FeaturedSociety(models.Model):
    """A society union staff put on the front page (guidance O6)."""

    society = models.OneToOneField(Society, on_delete=models.CASCADE, related_name="featured")
    order = models.PositiveSmallIntegerField(default=0)
    featured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    featured_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "-featured_at"]

    def __str__(self) -> str:
        return f"Featured: {self.society}"
