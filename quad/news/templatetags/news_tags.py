from __future__ import annotations

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from quad.core.markdown import render_markdown

register = template.Library()

# Enough of the source for any summary; cut before rendering, so a long list of articles stays cheap.
SOURCE_CHARS = 1500


@register.filter
def article_summary(body: str, words: int = 30) -> SafeString:
    """The opening words of an article as plain text for a card. Cut by characters, not words, so the
    Markdown keeps its line breaks: a list stays a list and its "- " markers never show."""
    plain = strip_tags(render_markdown((body or "")[:SOURCE_CHARS]))
    # Still escaped: the sanitised HTML's entities (&amp;) are kept, so it is safe to mark.
    return mark_safe(Truncator(" ".join(plain.split())).words(words))  # noqa: S308
