from django.conf import settings
from django.urls import include, path, re_path

from quad.core import views as core_views
from quad.su import views as su_views

handler403 = "quad.core.views.permission_denied"
handler404 = "quad.core.views.page_not_found"

urlpatterns = [
    path("", su_views.home, name="home"),
    path("auth/", include("allauth.urls")),
    path("account/", include("quad.accounts.urls")),
    path("societies/", include("quad.societies.urls")),
    path("shop/", include("quad.commerce.urls")),
    path("memberships/", include("quad.memberships.urls")),
    path("events/", include("quad.events.urls")),
    path("merch/", include("quad.shop.urls")),
    path("elections/", include("quad.elections.urls")),
    path("news/", include("quad.news.urls")),
    path("mailings/", include("quad.mailings.urls")),
    path("chat/", include("quad.chat.urls")),
    path("conduct/", include("quad.conduct.urls")),
    path("privacy/", include("quad.privacy.urls")),
    path("su/", include("quad.su.urls")),
]

if settings.SERVE_MEDIA:
    # The embedded setup serves uploads (already re-encoded by Quad); at scale a web server does.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", core_views.serve_media, name="media"),
    ]
