"""SyncChainMiddleware: under ASGI the middleware chain runs in one thread, not a hand-off per hook."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from asgiref import sync
from django.conf import settings
from django.test import AsyncClient


def test_sync_chain_middleware_is_last() -> None:
    assert settings.MIDDLEWARE[-1] == "quad.core.middleware.SyncChainMiddleware"


@pytest.mark.django_db(transaction=True)
def test_an_asgi_request_hands_off_to_a_thread_only_a_few_times(monkeypatch: pytest.MonkeyPatch) -> None:
    made = []
    original = sync.SyncToAsync.__init__

    def counting(self: Any, func: Any, *args: Any, **kwargs: Any) -> None:
        made.append(getattr(func, "__qualname__", repr(func)))
        original(self, func, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__init__", counting)

    # In a thread of its own: the browser tests' Playwright keeps an event loop in the main thread.
    answers: list[Any] = []
    worker = threading.Thread(target=lambda: answers.append(sync.async_to_sync(AsyncClient().get)("/")))
    worker.start()
    worker.join(timeout=60)
    response = answers[0]

    assert response.status_code == 200
    # Six today; without SyncChainMiddleware each hook of each middleware is a hand-off of its own (sixteen).
    assert len(made) <= 8, made
