"""Writing news: drafts, publishing and scheduling, slugs, images with their descriptions, editing,
deleting, the audit trail and the mini site's "last updated".

`committee_trained` is the President of `society` (every power, trained); `committee_untrained` its
Secretary without training.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from quad.core.models import AuditEvent
from quad.news import services
from quad.news.errors import NewsError
from quad.news.models import Article
from quad.news.tests.factories import make_article, png_upload
from quad.societies import services as society_services

pytestmark = pytest.mark.django_db


def message_of(response: Any) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def manage_url(society: Any) -> str:
    return reverse("news:manage-news", kwargs={"slug": society.slug})


def edit_url(article: Article) -> str:
    return reverse("news:edit-article", kwargs={"pk": article.pk})


def article_form(**changes: Any) -> dict[str, Any]:
    return {"title": "Spring walks announced", "body": "Six walks, **all levels**.", "status": "draft"} | changes


def actions(article: Article) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="news.article", target_id=str(article.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- Slugs ---------------------------------------------------------------------------------------


def test_slug_comes_from_the_title_and_is_unique_within_the_society(
    society, other_society, committee_trained, other_committee
):
    first = make_article(society, actor=committee_trained, title="Spring walks!")
    second = make_article(society, actor=committee_trained, title="Spring walks")
    elsewhere = make_article(other_society, actor=other_committee, title="Spring walks")

    assert (first.slug, second.slug, elsewhere.slug) == ("spring-walks", "spring-walks-2", "spring-walks")
    assert first.get_absolute_url() == f"/news/societies/{society.slug}/spring-walks/"


@pytest.mark.parametrize(("title", "slug"), [("Feed", "feed-2"), ("Manage", "manage-2"), ("!!!", "article")])
def test_an_article_never_takes_the_slug_of_a_news_page(client, society, committee_trained, title, slug):
    article = make_article(society, actor=committee_trained, title=title)

    assert article.slug == slug
    assert client.get(article.get_absolute_url()).status_code == 200


def test_editing_the_title_keeps_the_slug_so_shared_links_keep_working(society, committee_trained):
    article = make_article(society, actor=committee_trained, title="Spring walks")

    services.update_article(
        article, actor=committee_trained, title="Spring walks: dates fixed", body=article.body, status="published"
    )

    article.refresh_from_db()
    assert article.title == "Spring walks: dates fixed"
    assert article.slug == "spring-walks"


# --- Publishing ------------------------------------------------------------------------------------


def test_a_draft_is_audited_but_leaves_the_mini_site_alone(society, committee_trained):
    before = society.site_updated_at

    article = make_article(society, actor=committee_trained, published=False)

    society.refresh_from_db()
    assert society.site_updated_at == before
    assert article.author == committee_trained
    assert actions(article) == ["news.article.created"]
    assert AuditEvent.objects.get(action="news.article.created").scope == society.audit_scope


def test_publishing_a_draft_dates_it_now_touches_the_mini_site_and_is_audited(society, committee_trained):
    article = make_article(society, actor=committee_trained, published=False)
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - datetime.timedelta(days=9))

    services.update_article(
        article, actor=committee_trained, title=article.title, body=article.body, status="published"
    )

    article.refresh_from_db()
    society.refresh_from_db()
    assert article.is_public
    assert timezone.now() - article.publish_at < datetime.timedelta(minutes=1)
    assert society.site_updated_at is not None
    assert timezone.now() - society.site_updated_at < datetime.timedelta(minutes=1)
    assert actions(article) == ["news.article.created", "news.article.published"]


def test_editing_a_published_article_touches_the_mini_site_and_keeps_its_date(society, committee_trained):
    article = make_article(society, actor=committee_trained)
    published_at = article.publish_at
    type(society).objects.filter(pk=society.pk).update(site_updated_at=None)

    services.update_article(article, actor=committee_trained, title="New title", body="New body.", status="published")

    article.refresh_from_db()
    society.refresh_from_db()
    assert article.publish_at == published_at
    assert society.site_updated_at is not None
    assert actions(article)[-1] == "news.article.updated"


def test_unpublishing_is_audited_and_takes_the_article_off_the_front_page(society, committee_trained, su_staff):
    article = make_article(society, actor=committee_trained)
    services.feature_article(article, actor=su_staff)

    services.update_article(article, actor=committee_trained, title=article.title, body=article.body, status="draft")

    article.refresh_from_db()
    assert not article.is_public
    assert article.featured_at is None and article.featured_by is None
    assert actions(article)[-1] == "news.article.unpublished"


def test_a_later_publish_date_schedules_the_article(client, society, committee_trained):
    client.force_login(committee_trained)
    later = timezone.localtime() + datetime.timedelta(days=3)

    response = client.post(
        manage_url(society), article_form(status="published", publish_at=later.strftime("%Y-%m-%dT%H:%M"))
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert article.is_scheduled and not article.is_public
    assert "is scheduled: it appears on" in message_of(response)


@pytest.mark.parametrize("status", ["suspended", "folded"])
def test_a_society_that_is_not_active_cannot_write_news(society, committee_trained, su_staff, status):
    article = make_article(society, actor=committee_trained)
    if status == "suspended":
        society_services.suspend_society(society, actor=su_staff, reason="Unpaid hall hire.")
    else:
        society_services.fold_society(society, actor=su_staff, reason="No committee.")
    society.refresh_from_db()

    with pytest.raises(NewsError):
        make_article(society, actor=committee_trained, title="Still here")
    with pytest.raises(NewsError):
        services.update_article(article, actor=committee_trained, title="Changed", body="x", status="published")
    with pytest.raises(NewsError):
        services.delete_article(article, actor=committee_trained)
    assert Article.objects.get().title == article.title


# --- Through the committee's pages --------------------------------------------------------------------


def test_committee_saves_a_draft_and_is_taken_to_edit_it(client, society, committee_trained):
    client.force_login(committee_trained)

    response = client.post(manage_url(society), article_form())

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(article)
    assert article.status == Article.Status.DRAFT
    assert message_of(response) == "Draft saved: only your committee can see “Spring walks announced”."
    page = client.get(manage_url(society)).content.decode()
    assert "Spring walks announced" in page
    assert "Draft" in page


def test_committee_publishes_an_article_with_an_image_and_its_description(client, society, committee_trained):
    client.force_login(committee_trained)

    response = client.post(
        manage_url(society),
        article_form(status="published", image=png_upload(), image_alt="Walkers on a ridge in the sun"),
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.is_public
    assert article.image.name.endswith(".png")
    with default_storage.open(article.image.name) as stored:
        assert Image.open(stored).format == "PNG"  # re-encoded, whatever was uploaded
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'src="{article.image.url}" alt="Walkers on a ridge in the sun"' in page
    assert "<strong>all levels</strong>" in page


def _not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("walk.png", b"<?php system($_GET['c']); ?>", content_type="image/png")


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "   "}, "title", "This field is required."),
        ({"body": ""}, "body", "This field is required."),
        ({"body": "x" * 20001}, "body", "Ensure this value has at most 20000 characters (it has 20001)."),
        ({"title": "T" * 151}, "title", "Ensure this value has at most 150 characters (it has 151)."),
        ({"image": "png"}, "image_alt", "Describe the image for people who cannot see it."),
        ({"image": "bad", "image_alt": "A walk"}, "image", "Upload a valid image."),
        ({"image": "tiny", "image_alt": "A walk"}, "image", "The image is too small: at least 64×64 pixels please."),
        ({"status": "secret"}, "status", "Select a valid choice. secret is not one of the available choices."),
        ({"publish_at": "next tuesday"}, "publish_at", "Enter a valid date/time."),
    ],
)
def test_bad_input_gives_form_errors_and_saves_nothing(client, society, committee_trained, changes, field, error):
    uploads: dict[str, Callable[[], SimpleUploadedFile]] = {
        "png": png_upload,
        "bad": _not_an_image,
        "tiny": lambda: png_upload(side=20),
    }
    if "image" in changes:
        changes = changes | {"image": uploads[changes["image"]]()}
    client.force_login(committee_trained)

    response = client.post(manage_url(society), article_form(**changes))

    assert response.status_code == 200
    assert any(message.startswith(error) for message in response.context["form"].errors[field])
    assert not Article.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="news.").exists()


def test_service_refuses_an_image_without_a_description(society, committee_trained):
    with pytest.raises(NewsError, match="Describe the image"):
        services.create_article(
            society,
            actor=committee_trained,
            title="Walk",
            body="A walk.",
            image=png_upload(),  # type: ignore[arg-type]
            image_alt=" ",
        )
    assert not Article.objects.exists()


def test_editing_shows_the_article_and_saves_changes(client, society, committee_trained):
    article = make_article(society, actor=committee_trained, published=False)
    client.force_login(committee_trained)

    page = client.get(edit_url(article))
    assert page.status_code == 200
    assert page.context["form"].initial["publish_at"] is None  # a draft: publishing it means now
    response = client.post(edit_url(article), article_form(title="Spring walks: the dates", status="published"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Spring walks: the dates"
    assert article.is_public
    assert message_of(response).startswith("Published:")


def test_an_image_is_replaced_and_removed_and_the_old_files_go(
    client, society, committee_trained, django_capture_on_commit_callbacks
):
    client.force_login(committee_trained)
    client.post(manage_url(society), article_form(image=png_upload(), image_alt="First picture"))
    article = Article.objects.get()
    first = article.image.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(article), article_form(image=png_upload(colour="#3b2a8f"), image_alt="Second picture"))
    article.refresh_from_db()
    second = article.image.name
    assert second and second != first
    assert not default_storage.exists(first)
    assert article.image_alt == "Second picture"

    # Keeping the image means keeping its description.
    response = client.post(edit_url(article), article_form(image_alt=""))
    assert response.status_code == 200
    assert "Describe the image for people who cannot see it." in response.context["form"].errors["image_alt"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(article), article_form(remove_image="on"))
    article.refresh_from_db()
    assert not article.image
    assert article.image_alt == ""
    assert not default_storage.exists(second)


def test_untrained_committee_may_read_but_not_write(client, society, committee_trained, committee_untrained):
    article = make_article(society, actor=committee_trained, published=False)
    client.force_login(committee_untrained)

    listing = client.get(manage_url(society))
    editing = client.get(edit_url(article))

    assert listing.status_code == editing.status_code == 200
    assert "Save article" not in listing.content.decode()
    assert "Save article" not in editing.content.decode()
    assert "Read-only until you complete GDPR training." in editing.content.decode()
    assert client.post(manage_url(society), article_form()).status_code == 403
    assert client.post(edit_url(article), article_form(title="Hijacked")).status_code == 403
    assert client.post(reverse("news:delete-article", kwargs={"pk": article.pk})).status_code == 403
    article.refresh_from_db()
    assert article.title == "Spring walks announced"


def test_another_societys_committee_cannot_touch_the_article(client, society, committee_trained, other_committee):
    article = make_article(society, actor=committee_trained, published=False)
    client.force_login(other_committee)

    assert client.get(edit_url(article)).status_code == 403
    assert client.post(edit_url(article), article_form(title="Hijacked")).status_code == 403
    assert client.post(reverse("news:delete-article", kwargs={"pk": article.pk})).status_code == 403
    assert Article.objects.get().title == "Spring walks announced"


def test_committee_deletes_an_article_and_its_image(
    client, society, committee_trained, django_capture_on_commit_callbacks
):
    client.force_login(committee_trained)
    client.post(manage_url(society), article_form(status="published", image=png_upload(), image_alt="A ridge"))
    article = Article.objects.get()
    image = article.image.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("news:delete-article", kwargs={"pk": article.pk}))

    assert response.status_code == 302
    assert response["Location"] == manage_url(society)
    assert not Article.objects.exists()
    assert not default_storage.exists(image)
    deleted = AuditEvent.objects.get(action="news.article.deleted")
    assert deleted.data["title"] == "Spring walks announced"
    assert deleted.actor == committee_trained
    assert client.get(f"/news/societies/{society.slug}/spring-walks-announced/").status_code == 404
