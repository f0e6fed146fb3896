from django.urls import path

from quad.news import views

app_name = "news"
urlpatterns = [
    path("", views.union_news, name="union-news"),
    path("feed/", views.union_feed, name="union-feed"),
    path("articles/<int:pk>/edit/", views.edit_article, name="edit-article"),
    path("articles/<int:pk>/delete/", views.delete_article, name="delete-article"),
    path("articles/<int:pk>/feature/", views.feature_article, name="feature-article"),
    path("articles/<int:pk>/unfeature/", views.unfeature_article, name="unfeature-article"),
    path("societies/<slug:slug>/", views.society_news, name="society-news"),
    # "feed" and "manage" are never article slugs (services.RESERVED_SLUGS), so these come first safely.
    path("societies/<slug:slug>/feed/", views.society_feed, name="society-feed"),
    path("societies/<slug:slug>/manage/", views.manage_news, name="manage-news"),
    path("societies/<slug:slug>/<slug:article_slug>/", views.article, name="article"),
]
