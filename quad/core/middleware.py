"""Middleware of Quad's own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SyncChainMiddleware:
    """Last in MIDDLEWARE: runs the whole middleware chain in one thread per request under ASGI.

    Quad's views are synchronous. Under ASGI, Django calls each hook of each middleware that can
    run either way (sessions, CSRF, auth, messages…) through its own `sync_to_async` hand-off to a
    worker thread: about a dozen thread hand-offs a request, which the checkout benchmark
    (bench/checkout.py) measured at around half of the web process's CPU. A sync-only middleware
    innermost makes Django adapt once, below it, and run every middleware above it synchronously.
    Nothing else changes: an async view is still awaited on the event loop.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
