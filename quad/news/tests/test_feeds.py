"""The Atom feeds: the union's and each society's. Valid Atom, public articles only, links from
SITE_URL, the society as author (never a person), and titles and bodies escaped."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from quad.news.tests.factories import make_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def union_feed(client: Any) -> ET.Element:
    response = client.get(reverse("news:union-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def society_feed(client: Any, society: Any) -> ET.Element:
    response = client.get(reverse("news:society-feed", kwargs={"slug": society.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") or "" for entry in feed.iter(f"{ATOM}entry")]


def test_union_feed_is_atom_with_an_entry_per_public_article(client, society, committee_trained, settings):
    settings.SITE_URL = "https://quad.example.ac.uk"
    article = make_article(society, actor=committee_trained)

    feed = union_feed(client)

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Quad Students' Union: society news"
    assert feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}updated") is not None
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": "https://quad.example.ac.uk/news/", "self": "https://quad.example.ac.uk/news/feed/"}
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Spring walks announced"
    url = f"https://quad.example.ac.uk{article.get_absolute_url()}"
    assert entry.find(f"{ATOM}link").get("href") == url  # type: ignore[union-attr]
    assert entry.findtext(f"{ATOM}id") == url
    assert entry.find(f"{ATOM}published") is not None and entry.find(f"{ATOM}updated") is not None
    summary = entry.find(f"{ATOM}summary")
    assert summary is not None and summary.get("type") == "html"
    assert summary.text == "<p>Six walks this term, <strong>all levels</strong> welcome.</p>"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Hiking Society"


def test_feeds_never_name_a_person_or_an_email_address(client, society, committee_trained):
    make_article(society, actor=committee_trained)

    for response in (
        client.get(reverse("news:union-feed")),
        client.get(reverse("news:society-feed", kwargs={"slug": society.slug})),
    ):
        body = response.content.decode()
        assert "<email>" not in body
        assert "@" not in body
        assert committee_trained.display_name not in body


def test_feeds_leave_out_drafts_and_scheduled_articles(client, society, committee_trained):
    make_article(society, actor=committee_trained, title="Spring walks announced")
    make_article(society, actor=committee_trained, title="Committee minutes", published=False)
    make_article(
        society, actor=committee_trained, title="Summer camp", publish_at=timezone.now() + datetime.timedelta(days=2)
    )

    assert titles(union_feed(client)) == ["Spring walks announced"]
    assert titles(society_feed(client, society)) == ["Spring walks announced"]


def test_society_feed_has_only_that_societys_news(client, society, other_society, committee_trained, other_committee):
    make_article(society, actor=committee_trained, title="Spring walks announced")
    make_article(other_society, actor=other_committee, title="Blitz tournament")

    feed = society_feed(client, society)

    assert feed.findtext(f"{ATOM}title") == "Hiking Society: news"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Hiking Society"
    assert titles(feed) == ["Spring walks announced"]
    assert sorted(titles(union_feed(client))) == ["Blitz tournament", "Spring walks announced"]


def test_society_feed_of_a_society_nobody_may_see_is_not_found(client):
    assert client.get(reverse("news:society-feed", kwargs={"slug": "no-such-society"})).status_code == 404


def test_titles_are_escaped_in_the_feed(client, society, committee_trained):
    title = '<script>alert("walks")</script> & “quotes”'
    make_article(society, actor=committee_trained, title=title)

    response = client.get(reverse("news:society-feed", kwargs={"slug": society.slug}))

    assert b"<script>" not in response.content
    assert titles(ET.fromstring(response.content)) == [title]  # escaped once: a reader shows it as written
