"""News: writing, publishing, deleting and featuring articles."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from quad.core import audit
from quad.news.errors import NewsError
from quad.news.models import Article
from quad.societies.models import Society
from quad.societies.services import touch_site

# Paths under /news/societies/<slug>/ that are pages, not articles: no article may take them as its slug.
RESERVED_SLUGS = frozenset({"manage", "feed"})
SLUG_ATTEMPTS = 5


def _unique_slug(society: Society, title: str) -> str:
    base = slugify(title)[:150].strip("-") or "article"
    taken = set(Article.objects.filter(society=society, slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check(*, title: str, body: str, status: str, image_alt: str, has_image: bool) -> None:
    if not title.strip():
        raise NewsError("Give the article a title.")
    if not body.strip():
        raise NewsError("Write the article before saving it.")
    if status not in Article.Status.values:
        raise NewsError("Choose whether the article is a draft or published.")
    if has_image and not image_alt.strip():
        raise NewsError("Describe the image for people who cannot see it.")


def _require_active(society: Society) -> None:
    if society.status != Society.Status.ACTIVE:
        raise NewsError("Only an active society can write news: this one's site is frozen.")


def _forget_file(name: str) -> None:
    """Remove an upload once the change that dropped it has committed (a rollback keeps it)."""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def create_article(
    society: Society,
    *,
    actor: Any,
    title: str,
    body: str,
    status: str = Article.Status.DRAFT,
    publish_at: datetime.datetime | None = None,
    image: ContentFile | None = None,
    image_alt: str = "",
) -> Article:
    """A new article with a slug from its title, unique within the society. Published with no
    `publish_at`, it appears at once; with a later one, it is scheduled."""
    _require_active(society)
    _check(title=title, body=body, status=status, image_alt=image_alt, has_image=image is not None)
    with transaction.atomic():
        article = Article(
            society=society,
            title=title.strip(),
            body=body,
            status=status,
            publish_at=publish_at or timezone.now(),
            image_alt=image_alt.strip() if image is not None else "",
            author=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for attempt in range(SLUG_ATTEMPTS):
            article.slug = _unique_slug(society, article.title)
            try:
                with transaction.atomic():  # a savepoint: someone may take the same slug at the same moment
                    article.save()
                break
            except IntegrityError:
                if attempt == SLUG_ATTEMPTS - 1:
                    raise NewsError("Another article took that title just now. Save again.") from None
        if image is not None:
            article.image.save(f"news-{society.slug}.png", image, save=False)
            article.save(update_fields=["image"])
        audit.record(
            "news.article.created",
            actor=actor,
            target=article,
            scope=society.audit_scope,
            data={"status": status},
        )
        if status == Article.Status.PUBLISHED:
            touch_site(society)
            audit.record("news.article.published", actor=actor, target=article, scope=society.audit_scope)
    return article


def update_article(
    article: Article,
    *,
    actor: Any,
    title: str,
    body: str,
    status: str,
    publish_at: datetime.datetime | None = None,
    image: ContentFile | None = None,
    image_alt: str = "",
    remove_image: bool = False,
) -> Article:
    """Edit an article, and publish or unpublish it by its `status`. The slug never changes, so links
    people have shared keep working. Without `publish_at`, an article being published appears now and
    one already published keeps its date. Unpublishing takes it off the front page too."""
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).select_related("society").get(pk=article.pk)
        _require_active(article.society)
        keeps_image = bool(article.image) and not remove_image
        _check(title=title, body=body, status=status, image_alt=image_alt, has_image=image is not None or keeps_image)
        was = article.status
        fields = ["title", "body", "status", "publish_at", "image_alt", "updated_at"]
        article.title, article.body, article.status = title.strip(), body, status
        if publish_at is not None:
            article.publish_at = publish_at
        elif status == Article.Status.PUBLISHED and was != Article.Status.PUBLISHED:
            article.publish_at = timezone.now()
        old_image = article.image.name if article.image else ""
        if image is not None:
            article.image.save(f"news-{article.society.slug}.png", image, save=False)
            fields.append("image")
            _forget_file(old_image)
        elif remove_image and old_image:
            article.image = None  # type: ignore[assignment]
            fields.append("image")
            _forget_file(old_image)
        article.image_alt = image_alt.strip() if article.image else ""
        if status == Article.Status.DRAFT and article.featured_at is not None:
            article.featured_at, article.featured_by = None, None
            fields += ["featured_at", "featured_by"]
        article.save(update_fields=fields)
        if Article.Status.PUBLISHED in (was, status):
            touch_site(article.society)
        action = "news.article.updated"
        if was != status:
            action = "news.article.published" if status == Article.Status.PUBLISHED else "news.article.unpublished"
        audit.record(action, actor=actor, target=article, scope=article.society.audit_scope)
    return article


def delete_article(article: Article, *, actor: Any) -> None:
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).select_related("society").get(pk=article.pk)
        society = article.society
        _require_active(society)
        audit.record(
            "news.article.deleted",
            actor=actor,
            target=article,
            scope=society.audit_scope,
            data={"title": article.title, "slug": article.slug, "status": article.status},
        )
        _forget_file(article.image.name if article.image else "")
        was_published = article.status == Article.Status.PUBLISHED
        article.delete()
        if was_published:
            touch_site(society)


def feature_article(article: Article, *, actor: Any) -> Article:
    """Union staff put an article on the front page (guidance O6). Only what anyone can read may go there."""
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).select_related("society").get(pk=article.pk)
        if not article.is_public or article.society.status != Society.Status.ACTIVE:
            raise NewsError("Only a published article of an active society can be featured.")
        if article.featured_at is not None:
            raise NewsError("That article is already on the front page.")
        article.featured_at, article.featured_by = timezone.now(), actor
        article.save(update_fields=["featured_at", "featured_by"])
        audit.record("news.article.featured", actor=actor, target=article, scope=article.society.audit_scope)
    return article


def unfeature_article(article: Article, *, actor: Any) -> Article:
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).select_related("society").get(pk=article.pk)
        if article.featured_at is not None:
            article.featured_at, article.featured_by = None, None
            article.save(update_fields=["featured_at", "featured_by"])
            audit.record("news.article.unfeatured", actor=actor, target=article, scope=article.society.audit_scope)
    return article
