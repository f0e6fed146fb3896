"""Nothing a committee writes can run in a reader's browser or feed reader: every vector from
quad/core/tests/test_markdown.py, on the article page and in the feeds, and script in titles."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from quad.core.tests.test_markdown import XSS_VECTORS, assert_cannot_run
from quad.news import services
from quad.news.tests.factories import make_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PROSE = re.compile(r'<div class="prose">(.*?)</div>', re.DOTALL)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_article_body_cannot_run_on_the_page_or_in_the_feeds(client, society, committee_trained, vector):
    article = make_article(society, actor=committee_trained, title="Walk", body=f"Before.\n\n{vector}\n\nAfter.")

    page = client.get(article.get_absolute_url()).content.decode()
    [body] = PROSE.findall(page)
    assert_cannot_run(body)
    assert "After." in body

    for url in (reverse("news:union-feed"), reverse("news:society-feed", kwargs={"slug": society.slug})):
        feed = ET.fromstring(client.get(url).content)
        [summary] = [entry.findtext(f"{ATOM}summary") or "" for entry in feed.iter(f"{ATOM}entry")]
        assert_cannot_run(summary)


def test_script_in_a_title_is_shown_as_text_everywhere(client, society, committee_trained, su_staff):
    title = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    article = make_article(society, actor=committee_trained, title=title, body="<b onclick=alert(3)>hi</b>")
    services.feature_article(article, actor=su_staff)
    client.force_login(committee_trained)

    pages = {
        "article": client.get(article.get_absolute_url()),
        "union news": client.get(reverse("news:union-news")),
        "society news": client.get(reverse("news:society-news", kwargs={"slug": society.slug})),
        "mini site": client.get(society.get_absolute_url()),
        "front page": client.get(reverse("home")),
        "manage": client.get(reverse("news:manage-news", kwargs={"slug": society.slug})),
        "edit": client.get(reverse("news:edit-article", kwargs={"pk": article.pk})),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "<script>alert(1)" not in html, name
        assert "onerror=alert(2)>" not in html, name
        assert "<b onclick" not in html, name  # the edit form's textarea shows the source, escaped
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
