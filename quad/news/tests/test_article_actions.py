"""Actions higher apps add to an article's committee page (quad/news/sections.py), shown only to
committee members who may use the action's power now."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import train
from quad.news import sections
from quad.news.tests.factories import make_article
from quad.societies.models import CommitteeTerm, Power

pytestmark = pytest.mark.django_db

LABEL = "Email this article to members"


@pytest.fixture
def email_action(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for mailings' action: any URL that takes the article's pk will do."""
    monkeypatch.setattr(sections, "_article_actions", [])
    sections.register_article_action(LABEL, "news:edit-article", Power.EMAIL)


def test_registering_the_same_action_twice_adds_it_once(email_action):
    sections.register_article_action(LABEL, "news:edit-article", Power.EMAIL)

    assert sections.article_actions() == [sections.ArticleAction(LABEL, "news:edit-article", Power.EMAIL)]


def test_the_edit_page_offers_actions_to_those_with_the_power(
    email_action, client, society, committee_trained, committee_untrained
):
    article = make_article(society, actor=committee_trained)
    url = reverse("news:edit-article", kwargs={"pk": article.pk})
    treasurer = CommitteeTerm.objects.get(society=society, position__name="Treasurer").user
    train(treasurer)

    client.force_login(committee_trained)  # President: every power, trained
    page = client.get(url).content.decode()
    assert f'<form method="post" action="{url}" class="inline">' in page
    assert f">{LABEL}</button>" in page

    client.force_login(treasurer)  # trained, may edit news, but no email power
    page = client.get(url).content.decode()
    assert "Save article" in page
    assert LABEL not in page

    client.force_login(committee_untrained)  # Secretary has the email power, but no training yet
    assert LABEL not in client.get(url).content.decode()
