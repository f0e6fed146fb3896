"""Reading news: what is public (published, its date come, its society's site public), the union's
news page, a society's news page, the article page, the mini site's News section and navigation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import found_society, make_person
from quad.news import queries
from quad.news.models import Article
from quad.news.tests.factories import make_article
from quad.news.views import PER_PAGE
from quad.societies import services as society_services
from quad.societies.models import Category

pytestmark = pytest.mark.django_db


def in_a_week() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=7)


@pytest.fixture
def news(society: Any, committee_trained: Any) -> dict[str, Article]:
    """One of each: published, draft, scheduled."""
    return {
        "published": make_article(society, actor=committee_trained, title="Spring walks announced"),
        "draft": make_article(society, actor=committee_trained, title="Committee minutes", published=False),
        "scheduled": make_article(society, actor=committee_trained, title="Summer camp", publish_at=in_a_week()),
    }


# --- Queries ---------------------------------------------------------------------------------------


def test_only_published_articles_whose_date_has_come_are_public(society, news):
    assert list(queries.published()) == [news["published"]]
    assert list(queries.union_news()) == [news["published"]]
    assert list(queries.society_news(society)) == [news["published"]]
    assert list(queries.drafts(society)) == [news["draft"]]
    assert set(queries.for_committee(society)) == set(news.values())


def test_a_scheduled_article_appears_when_its_time_comes(society, news):
    Article.objects.filter(pk=news["scheduled"].pk).update(publish_at=timezone.now() - datetime.timedelta(minutes=1))

    assert set(queries.union_news()) == {news["published"], news["scheduled"]}


def test_newest_first_across_societies(society, other_society, committee_trained, other_committee):
    older = make_article(society, actor=committee_trained, publish_at=timezone.now() - datetime.timedelta(days=2))
    newer = make_article(other_society, actor=other_committee, title="Blitz tournament")

    assert list(queries.union_news()) == [newer, older]
    assert list(queries.society_news(society)) == [older]


def test_a_folded_societys_news_stays_in_its_archive_but_leaves_the_union_page(
    client, society, committee_trained, su_staff, news
):
    society_services.fold_society(society, actor=su_staff, reason="No committee came forward.")
    society.refresh_from_db()

    assert list(queries.union_news()) == []
    assert list(queries.society_news(society)) == [news["published"]]
    assert client.get(news["published"].get_absolute_url()).status_code == 200


def test_mini_site_news_section_shows_the_latest_three(client, society, committee_trained):
    for n in range(5):
        make_article(
            society,
            actor=committee_trained,
            title=f"Walk report {n}",
            publish_at=timezone.now() - datetime.timedelta(days=5 - n),
        )
    make_article(society, actor=committee_trained, title="Secret plans", published=False)

    page = client.get(society.get_absolute_url()).content.decode()

    assert [f"Walk report {n}" in page for n in range(5)] == [False, False, True, True, True]
    assert "Secret plans" not in page
    assert f'href="{reverse("news:society-news", kwargs={"slug": society.slug})}">All news</a>' in page
    assert f'href="{reverse("news:society-feed", kwargs={"slug": society.slug})}">Atom feed</a>' in page


def test_mini_site_says_no_news_yet_without_published_articles(client, society, committee_trained):
    make_article(society, actor=committee_trained, title="Secret plans", published=False)

    assert "No news yet." in client.get(society.get_absolute_url()).content.decode()


def test_management_navigation_has_news(client, society, committee_trained):
    client.force_login(committee_trained)

    page = client.get(reverse("societies:manage", kwargs={"slug": society.slug})).content.decode()

    assert f'<a href="{reverse("news:manage-news", kwargs={"slug": society.slug})}">News</a>' in page


# --- Pages -----------------------------------------------------------------------------------------


def test_union_news_lists_public_articles_with_their_society_and_a_feed_link(client, news, society):
    response = client.get(reverse("news:union-news"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Spring walks announced" in page
    assert "Committee minutes" not in page
    assert "Summer camp" not in page
    assert society.name in page
    feed = reverse("news:union-feed")
    title = "Quad Students&#x27; Union: society news"
    assert f'<link rel="alternate" type="application/atom+xml" title="{title}" href="{feed}">' in page
    assert '<a href="/news/">News</a>' in page  # the main navigation


def test_society_news_page_links_its_feed_and_shows_only_its_articles(
    client, society, other_society, other_committee, news
):
    make_article(other_society, actor=other_committee, title="Blitz tournament")

    page = client.get(reverse("news:society-news", kwargs={"slug": society.slug})).content.decode()

    assert "Spring walks announced" in page
    assert "Blitz tournament" not in page
    assert "Committee minutes" not in page
    feed = reverse("news:society-feed", kwargs={"slug": society.slug})
    assert f'type="application/atom+xml" title="Hiking Society: news" href="{feed}"' in page


def test_news_of_a_society_not_yet_approved_does_not_exist(client, committee_trained):
    category, _ = Category.objects.get_or_create(slug="science", defaults={"name": "Science"})
    applied = society_services.apply_for_society(
        committee_trained,
        name="Astronomy Society",
        category=category,
        purpose="Looking up.",
        constitution="1. We look up.",
        committee=[
            (committee_trained.email, "President"),
            ("ada.astro@student.example.ac.uk", "Treasurer"),
            ("kit.kepler@student.example.ac.uk", "Secretary"),
        ],
    )
    for name in ("news:society-news", "news:society-feed", "news:manage-news"):
        client.logout()
        assert client.get(reverse(name, kwargs={"slug": applied.slug})).status_code in (302, 404)
        client.force_login(committee_trained)  # its applicant, too
        assert client.get(reverse(name, kwargs={"slug": applied.slug})).status_code == 404, name
    assert client.get("/news/societies/no-such-society/").status_code == 404


@pytest.mark.parametrize("which", ["draft", "scheduled"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 404),
        ("student", 404),
        ("member", 404),
        ("other_committee", 404),
        ("su_staff", 404),
        ("committee_untrained", 200),
        ("committee_trained", 200),
    ],
)
def test_unpublished_articles_are_found_only_by_the_committee(client, request, society, news, which, role, status):
    if role != "anonymous":
        if role == "other_committee":
            request.getfixturevalue("other_society")
        client.force_login(request.getfixturevalue(role))

    response = client.get(news[which].get_absolute_url())

    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ("<strong>Draft:</strong>" if which == "draft" else "<strong>Scheduled:</strong>") in page
        assert "Edit this article" in page


def test_article_page_shows_the_article_and_no_edit_link_to_readers(client, news, society):
    page = client.get(news["published"].get_absolute_url()).content.decode()

    assert "<h1>Spring walks announced</h1>" in page
    assert "<strong>all levels</strong>" in page
    assert "Edit this article" not in page
    assert "Feature on the front page" not in page
    assert f'href="{reverse("news:society-feed", kwargs={"slug": society.slug})}"' in page


def test_unknown_article_is_not_found(client, society):
    assert client.get(f"/news/societies/{society.slug}/no-such-article/").status_code == 404


def test_union_news_is_paginated(client, society, committee_trained):
    for n in range(PER_PAGE + 2):
        make_article(
            society,
            actor=committee_trained,
            title=f"Report {n}",
            publish_at=timezone.now() - datetime.timedelta(hours=n),
        )

    first = client.get(reverse("news:union-news")).content.decode()
    second = client.get(reverse("news:union-news"), {"page": 2}).content.decode()

    assert "Report 0<" in first and f"Report {PER_PAGE - 1}<" in first and f"Report {PER_PAGE}<" not in first
    assert f"Report {PER_PAGE}<" in second and f"Report {PER_PAGE + 1}<" in second
    assert "Page 2 of 2" in second
    assert client.get(reverse("news:union-news"), {"page": "999"}).status_code == 200


# Anonymous: the count and the page of articles with their societies. Signed in: the session and user too.
UNION_NEWS_QUERIES = {"anonymous": 2, "student": 4}


@pytest.mark.parametrize("role", UNION_NEWS_QUERIES)
def test_union_news_queries_do_not_grow_with_articles_or_societies(
    role: str,
    client: Client,
    request: pytest.FixtureRequest,
    society: Any,
    su_staff: Any,
    django_assert_num_queries: Any,
) -> None:
    founders = [make_person(f"Founder {n}", f"founder.{n}") for n in range(3)]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse("news:union-news")

    def write(n: int) -> None:
        other = found_society(f"Society Number {n}", *founders, staff=su_staff)
        make_article(other, actor=founders[0], title=f"News {n}")

    write(0)
    with django_assert_num_queries(UNION_NEWS_QUERIES[role]):
        client.get(url)
    for n in range(1, 8):
        write(n)
    with django_assert_num_queries(UNION_NEWS_QUERIES[role]):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 8
