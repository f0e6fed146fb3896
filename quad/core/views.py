from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.static import serve


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else "You do not have permission to do that."
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploads in the embedded setup (already re-encoded by Quad); at scale a web server serves them."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
