from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from quad.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def pence(amount: int | None) -> str:
    """Integer pence as pounds for display: 1250 -> £12.50, 0 -> Free."""
    if not amount:
        return "Free"
    return f"£{amount // 100:,}.{amount % 100:02d}"
