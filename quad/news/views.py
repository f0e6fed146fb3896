"""News: the union-wide and society news pages, articles, Atom feeds, the committee's writing
pages, and featuring on the front page by union staff."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quad.accounts.permissions import login_required, staff_required
from quad.core.markdown import render_markdown
from quad.news import queries, services
from quad.news.errors import NewsError
from quad.news.forms import ArticleForm
from quad.news.models import Article
from quad.news.permissions import (
    get_article_for_committee,
    get_article_for_staff,
    get_society_for_news,
    get_visible_article,
)
from quad.news.sections import article_actions
from quad.societies.models import Power, Society
from quad.societies.permissions import CommitteeAccess, get_society_for_committee
from quad.societies.queries import terms_of

PER_PAGE = 20
FEED_ITEMS = 30


def _page(request: HttpRequest, articles: QuerySet[Article]) -> Page:
    return Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))


# --- Reading -----------------------------------------------------------------------------------


@require_GET
def union_news(request: HttpRequest) -> HttpResponse:
    return render(request, "news/union_news.html", {"page": _page(request, queries.union_news())})


@require_GET
def society_news(request: HttpRequest, slug: str) -> HttpResponse:
    society = get_society_for_news(request.user, slug)
    return render(
        request,
        "news/society_news.html",
        {
            "society": society,
            "page": _page(request, queries.society_news(society)),
            "is_committee": bool(terms_of(request.user, society)),  # type: ignore[arg-type]
        },
    )


@require_GET
def article(request: HttpRequest, slug: str, article_slug: str) -> HttpResponse:
    the_article = get_visible_article(request.user, slug, article_slug)
    return render(
        request,
        "news/article.html",
        {
            "article": the_article,
            "society": the_article.society,
            "body": render_markdown(the_article.body),
            "is_committee": bool(terms_of(request.user, the_article.society)),  # type: ignore[arg-type]
        },
    )


class UnionNewsFeed(Feed):
    """Atom: published articles of every active society. Links use SITE_URL, never the Host header."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return f"{settings.UNION_NAME}: society news"

    def subtitle(self) -> str:
        return f"News from the societies of {settings.UNION_NAME}."

    def link(self) -> str:
        return settings.SITE_URL + reverse("news:union-news")

    def feed_url(self) -> str:
        return settings.SITE_URL + reverse("news:union-feed")

    def author_name(self) -> str:
        return settings.UNION_NAME

    def items(self) -> list[Article]:
        return list(queries.union_news()[:FEED_ITEMS])

    def item_title(self, item: Article) -> str:
        return item.title  # plain text: the feed generator escapes it (the default would escape twice)

    def item_description(self, item: Article) -> str:
        return render_markdown(item.body)

    def item_link(self, item: Article) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def item_author_name(self, item: Article) -> str:
        return item.society.name  # never a person: the society speaks

    def item_pubdate(self, item: Article) -> Any:
        return item.publish_at

    def item_updateddate(self, item: Article) -> Any:
        return item.updated_at


class SocietyNewsFeed(UnionNewsFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Society:  # type: ignore[override]
        return get_society_for_news(request.user, kwargs["slug"])

    def title(self, obj: Society) -> str:  # type: ignore[override]
        return f"{obj.name}: news"

    def subtitle(self, obj: Society) -> str:  # type: ignore[override]
        return f"News from {obj.name}, {settings.UNION_NAME}."

    def link(self, obj: Society) -> str:  # type: ignore[override]
        return settings.SITE_URL + reverse("news:society-news", kwargs={"slug": obj.slug})

    def feed_url(self, obj: Society) -> str:  # type: ignore[override]
        return settings.SITE_URL + reverse("news:society-feed", kwargs={"slug": obj.slug})

    def author_name(self, obj: Society) -> str:  # type: ignore[override]
        return obj.name

    def items(self, obj: Society) -> list[Article]:  # type: ignore[override]
        return list(queries.society_news(obj)[:FEED_ITEMS])


@require_GET
def union_feed(request: HttpRequest) -> HttpResponse:
    return UnionNewsFeed()(request)


@require_GET
def society_feed(request: HttpRequest, slug: str) -> HttpResponse:
    return SocietyNewsFeed()(request, slug=slug)


# --- Writing (the committee) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage_news(request: HttpRequest, slug: str) -> HttpResponse:
    access = get_society_for_committee(
        request.user, slug, power=Power.MANAGE_SITE if request.method == "POST" else None
    )
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            the_article = services.create_article(
                access.society,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                status=data["status"],
                publish_at=data["publish_at"],
                image=data["image"],
                image_alt=data["image_alt"],
            )
        except NewsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _saved_message(the_article))
            return redirect("news:edit-article", pk=the_article.pk)
    return render(
        request,
        "news/manage_news.html",
        {
            "access": access,
            "society": access.society,
            "articles": queries.for_committee(access.society),
            "form": form,
            "can_write": access.can(Power.MANAGE_SITE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_article(request: HttpRequest, pk: int) -> HttpResponse:
    access, the_article = get_article_for_committee(
        request.user, pk, power=Power.MANAGE_SITE if request.method == "POST" else None
    )
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        initial=ArticleForm.initial_for(the_article),
        has_image=bool(the_article.image),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            the_article = services.update_article(
                the_article,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                status=data["status"],
                publish_at=data["publish_at"],
                image=data["image"],
                image_alt=data["image_alt"],
                remove_image=data.get("remove_image", False),
            )
        except NewsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _saved_message(the_article))
            return redirect("news:edit-article", pk=pk)
    return render(
        request,
        "news/edit_article.html",
        {
            "access": access,
            "society": access.society,
            "article": the_article,
            "form": form,
            "can_write": access.can(Power.MANAGE_SITE),
            "actions": _actions_for(access, the_article),
        },
    )


def _saved_message(the_article: Article) -> str:
    if the_article.is_scheduled:
        when = dateformat.format(timezone.localtime(the_article.publish_at), "j F Y, H:i")
        return f"Saved. “{the_article}” is scheduled: it appears on {when}."
    if the_article.is_public:
        return f"Published: “{the_article}” is on your mini site and the union's news page."
    return f"Draft saved: only your committee can see “{the_article}”."


def _actions_for(access: CommitteeAccess, the_article: Article) -> list[dict[str, str]]:
    """Higher apps' actions (see sections.py) that this committee member may use now."""
    return [
        {"label": action.label, "url": reverse(action.url_name, kwargs={"pk": the_article.pk})}
        for action in article_actions()
        if access.can(action.power)
    ]


@login_required
@require_POST
def delete_article(request: HttpRequest, pk: int) -> HttpResponse:
    access, the_article = get_article_for_committee(request.user, pk)
    try:
        services.delete_article(the_article, actor=request.user)
    except NewsError as error:
        messages.error(request, str(error))
        return redirect("news:edit-article", pk=pk)
    messages.success(request, f"“{the_article}” is deleted.")
    return redirect("news:manage-news", slug=access.society.slug)


# --- Featuring (union staff) -------------------------------------------------------------------


@require_POST  # outermost: a GET is refused (405) before anyone is asked who they are
@staff_required
def feature_article(request: HttpRequest, pk: int) -> HttpResponse:
    the_article = get_article_for_staff(request.user, pk)
    try:
        services.feature_article(the_article, actor=request.user)
    except NewsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{the_article}” is on the front page.")
    return _back_to(the_article)


@require_POST
@staff_required
def unfeature_article(request: HttpRequest, pk: int) -> HttpResponse:
    the_article = get_article_for_staff(request.user, pk)
    services.unfeature_article(the_article, actor=request.user)
    messages.success(request, f"“{the_article}” is off the front page.")
    return _back_to(the_article)


def _back_to(the_article: Article) -> HttpResponse:
    """The article's page, or, while staff cannot read it (a draft), the union's news."""
    if the_article.is_public:
        return redirect(the_article.get_absolute_url())
    return redirect("news:union-news")
