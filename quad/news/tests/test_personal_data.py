"""News's part of subject access and erasure: a committee member's export lists the articles they wrote
(and staff's, those they featured); erasure leaves the articles with their society, pointing at the
anonymous stub, and says so."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quad.core.personal_data import Erasure, PersonalData, registered
from quad.news import services
from quad.news.models import Article
from quad.news.tests.factories import make_article

pytestmark = pytest.mark.django_db


def news_data() -> PersonalData:
    return next(entry for entry in registered() if entry.app == "news")


def export_of(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {section.title: [dict(row) for row in section.rows] for section in news_data().export(user)}


def test_the_export_lists_what_they_wrote_and_what_staff_featured(
    society: Any, committee_trained: Any, su_staff: Any, other_society: Any, other_committee: Any
) -> None:
    mine = make_article(society, actor=committee_trained, title="Spring walks announced")
    make_article(other_society, actor=other_committee, title="Chess night")
    services.feature_article(mine, actor=su_staff)

    written = export_of(committee_trained)["Articles you wrote"]
    featured = export_of(su_staff)["Articles you featured on the front page"]

    assert [(a["society"], a["title"], a["status"]) for a in written] == [
        ("Hiking Society", "Spring walks announced", "Published")
    ]
    assert written[0]["body"] == "Six walks this term, **all levels** welcome."
    assert [a["title"] for a in featured] == ["Spring walks announced"]
    assert "Chess night" not in json.dumps(export_of(committee_trained))
    assert su_staff.email not in json.dumps(export_of(committee_trained))


def test_erasure_leaves_the_articles_with_their_society(society: Any, committee_trained: Any) -> None:
    article = make_article(society, actor=committee_trained)

    erasure = Erasure(user_id=committee_trained.pk)
    news_data().erase(committee_trained, erasure)

    article.refresh_from_db()
    assert article.author == committee_trained and article.status == Article.Status.PUBLISHED
    assert erasure.removed == {}
    assert erasure.kept == ["Articles they wrote stay on their society's pages (they never showed the author)."]


def test_an_article_naming_them_names_the_stub(society: Any, committee_trained: Any, member: Any) -> None:
    article = make_article(
        society, actor=committee_trained, title="Welcome Mia Member", body="Mia Member is our new Social Secretary."
    )

    erasure = Erasure(user_id=member.pk)
    news_data().erase(member, erasure)

    article.refresh_from_db()
    stub = f"Erased member {member.pk}"
    assert (article.title, article.body) == (f"Welcome {stub}", f"{stub} is our new Social Secretary.")
    assert erasure.removed == {"articles naming them": 1}
