"""Union staff feature society news on the front page (guidance O6): published articles of active
societies only, newest featured first, at most three."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from quad.core.models import AuditEvent
from quad.news import queries, services
from quad.news.errors import NewsError
from quad.news.models import Article
from quad.news.tests.factories import make_article
from quad.societies import services as society_services

pytestmark = pytest.mark.django_db


def front_page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_front_page_links_to_the_news_and_features_none_until_staff_choose(client, society, committee_trained):
    make_article(society, actor=committee_trained)

    page = front_page(client)

    assert '<h2 id="news-heading">News</h2>' in page
    assert f'href="{reverse("news:union-news")}"' in page
    assert "Spring walks announced" not in page


def test_staff_feature_an_article_from_its_page_and_it_shows_on_the_front_page(
    staff_client, client, society, committee_trained, su_staff
):
    article = make_article(society, actor=committee_trained)
    assert "Feature on the front page" in staff_client.get(article.get_absolute_url()).content.decode()

    response = staff_client.post(reverse("news:feature-article", kwargs={"pk": article.pk}))

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    article.refresh_from_db()
    assert article.featured_by == su_staff
    assert AuditEvent.objects.filter(action="news.article.featured", target_id=str(article.pk)).exists()
    assert "Take off the front page" in staff_client.get(article.get_absolute_url()).content.decode()
    staff_client.logout()
    page = front_page(client)
    assert "Spring walks announced" in page
    assert f'href="{article.get_absolute_url()}"' in page
    manage = reverse("news:manage-news", kwargs={"slug": society.slug})
    client.force_login(committee_trained)
    assert "front page" in client.get(manage).content.decode()


def test_staff_take_an_article_off_the_front_page(staff_client, client, society, committee_trained, su_staff):
    article = make_article(society, actor=committee_trained)
    services.feature_article(article, actor=su_staff)

    response = staff_client.post(reverse("news:unfeature-article", kwargs={"pk": article.pk}))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.featured_at is None
    assert AuditEvent.objects.filter(action="news.article.unfeatured").exists()
    staff_client.logout()
    assert "Spring walks announced" not in front_page(client)


def test_front_page_shows_the_three_most_recently_featured(society, committee_trained, su_staff):
    articles = [make_article(society, actor=committee_trained, title=f"Report {n}") for n in range(4)]
    for n, article in enumerate(articles):
        services.feature_article(article, actor=su_staff)
        Article.objects.filter(pk=article.pk).update(featured_at=timezone.now() - datetime.timedelta(hours=10 - n))

    assert [a.title for a in queries.featured()] == ["Report 3", "Report 2", "Report 1"]


@pytest.mark.parametrize("which", ["draft", "scheduled"])
def test_only_a_published_article_can_be_featured(staff_client, society, committee_trained, su_staff, which):
    article = make_article(
        society,
        actor=committee_trained,
        published=which == "scheduled",
        publish_at=timezone.now() + datetime.timedelta(days=1) if which == "scheduled" else None,
    )

    with pytest.raises(NewsError, match="Only a published article"):
        services.feature_article(article, actor=su_staff)
    response = staff_client.post(reverse("news:feature-article", kwargs={"pk": article.pk}))

    assert response["Location"] == reverse("news:union-news")
    article.refresh_from_db()
    assert article.featured_at is None


def test_featuring_twice_is_refused_with_a_message(staff_client, society, committee_trained, su_staff):
    article = make_article(society, actor=committee_trained)
    services.feature_article(article, actor=su_staff)

    response = staff_client.post(reverse("news:feature-article", kwargs={"pk": article.pk}), follow=True)

    assert "That article is already on the front page." in response.content.decode()
    assert AuditEvent.objects.filter(action="news.article.featured").count() == 1


def test_a_suspended_societys_article_leaves_the_front_page(client, society, committee_trained, su_staff):
    article = make_article(society, actor=committee_trained)
    services.feature_article(article, actor=su_staff)

    society_services.suspend_society(society, actor=su_staff, reason="Under review.")

    assert "Spring walks announced" not in front_page(client)


def test_students_and_committee_cannot_feature(client, society, committee_trained, student):
    article = make_article(society, actor=committee_trained)
    for person in (student, committee_trained):
        client.force_login(person)
        assert client.post(reverse("news:feature-article", kwargs={"pk": article.pk})).status_code == 403
        assert "Feature on the front page" not in client.get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert article.featured_at is None
