"""News's personal data: who wrote an article and which staff member featured it. Articles are the
society's content and stay after an erasure (no page names their author); the author is then the
account's anonymous stub, and an article that named the person names the stub."""

from __future__ import annotations

from typing import Any

from quad.accounts.personal_data import redact_rows
from quad.core.personal_data import Erasure, ExportSection, Holding, PersonalData, iso, register
from quad.news.models import Article


def _export(user: Any) -> list[ExportSection]:
    wrote = Article.objects.filter(author=user).select_related("society").order_by("created_at", "id")
    featured = Article.objects.filter(featured_by=user).select_related("society").order_by("featured_at", "id")
    return [
        ExportSection(
            "Articles you wrote",
            [
                {
                    "society": a.society.name,
                    "title": a.title,
                    "status": a.get_status_display(),
                    "publish_at": iso(a.publish_at),
                    "written_at": iso(a.created_at),
                    "last_changed_at": iso(a.updated_at),
                    "body": a.body,
                }
                for a in wrote
            ],
            note="Articles belong to the society that published them; they do not show who wrote them.",
        ),
        ExportSection(
            "Articles you featured on the front page",
            [{"society": a.society.name, "title": a.title, "featured_at": iso(a.featured_at)} for a in featured],
        ),
    ]


def _erase(user: Any, erasure: Erasure) -> None:
    """Nothing to delete: the articles stay with their society and point at the anonymous stub. Any article
    that names the person (or gives their address) names the stub instead."""
    if Article.objects.filter(author=user).exists():
        erasure.keep("Articles they wrote stay on their society's pages (they never showed the author).")
    erasure.count("articles naming them", redact_rows(Article.objects.all(), ["title", "body", "image_alt"], user))


register(
    PersonalData(
        app="news",
        title="Society news",
        models=("news.Article",),
        holdings=(
            Holding(
                what="Which committee member wrote each article, and which union staff member featured it",
                why="So the society and the union can see who published what on their behalf",
                basis="Legitimate interests (running the society's website)",
                kept="As long as the article is published; the society deletes articles it no longer wants. "
                "If your account is erased the articles stay without your name",
            ),
        ),
        export=_export,
        erase=_erase,
    )
)
