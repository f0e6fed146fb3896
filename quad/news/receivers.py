"""News's part of the mini site and of the management navigation."""

from __future__ import annotations

from typing import Any

from quad.news import queries
from quad.societies import sections
from quad.societies.models import Society


def news_section(society: Society, viewer: Any) -> sections.Section | None:
    articles = queries.latest_for_society(society)
    if not articles:
        return None
    return sections.Section("news/site_section.html", {"articles": articles, "society": society})


sections.register("news", news_section)
sections.register_manage_link("News", "news:manage-news")
