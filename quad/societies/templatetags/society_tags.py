from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from quad.societies.sections import manage_links

register = template.Library()


@register.simple_tag(takes_context=True)
def extra_manage_links(context: dict[str, Any], society: Any) -> list[dict[str, Any]]:
    """The management navigation entries higher apps registered, resolved for this society."""
    request = context.get("request")
    current = request.resolver_match.view_name if request and request.resolver_match else ""
    return [
        {
            "label": link.label,
            "url": reverse(link.url_name, kwargs={"slug": society.slug}),
            "current": current == link.url_name,
        }
        for link in manage_links()
    ]
