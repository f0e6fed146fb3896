from __future__ import annotations

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from quad.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def markdown_summary(text: str, words: int = 22) -> SafeString:
    """The first `words` words of some Markdown as plain text, for cards: no `**` or `- ` showing.
    The source is cut short before rendering so that a long directory stays cheap to draw."""
    plain = strip_tags(render_markdown(Truncator(text or "").words(words * 2, truncate="")))
    # Still escaped: the sanitised HTML's entities (&amp;) are kept, so it is safe to mark.
    return mark_safe(Truncator(plain).words(words))  # noqa: S308


@register.filter
def pence(amount: int | None) -> str:
    """Integer pence as pounds for display: 1250 -> £12.50, 0 -> Free."""
    if not amount:
        return "Free"
    return f"£{amount // 100:,}.{amount % 100:02d}"


@register.filter
def money(amount: int | None) -> str:
    """Integer pence as an amount of money, zero included: 0 -> £0.00."""
    value = amount or 0
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}£{value // 100:,}.{value % 100:02d}"


@register.filter
def pounds(amount: int | None) -> str:
    """Integer pence as a plain decimal for form inputs: 1800 -> 18.00."""
    value = amount or 0
    return f"{value // 100}.{value % 100:02d}"
