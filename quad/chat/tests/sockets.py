"""Opening chat sockets in tests: the real ASGI application (origin check, session cookie, routing,
ChatConsumer) driven by Channels' WebsocketCommunicator, on a fresh in-memory layer per test.

Each scene is an `async def` run with `run(scene)`; database work inside a scene goes through
`db(function, ...)` (a thread, as Django requires), and the tests that use these are
`django_db(transaction=True)` so that thread sees what the test wrote.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from quad.chat import realtime


@pytest.fixture(autouse=True)
def fresh_layer() -> Iterator[None]:
    """A new in-memory layer and hub for each test (they belong to one event loop)."""
    channel_layers.backends.clear()
    realtime._hubs.clear()
    yield
    channel_layers.backends.clear()
    realtime._hubs.clear()


def session_cookie(user: Any) -> str:
    """A signed-in session for `user`, as the login view would make it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def run(scene: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run `scene` to the end on an event loop of its own, in a thread of its own: the test's thread may
    already have a loop running (Playwright's, once a browser test has run in this process)."""
    outcome: dict[str, Any] = {}

    def thread() -> None:
        try:
            outcome["value"] = asyncio.run(asyncio.wait_for(scene(), timeout=20))
        except BaseException as error:  # handed back to the test's thread
            outcome["error"] = error

    runner = threading.Thread(target=thread, name="socket-scene")
    runner.start()
    runner.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


async def db(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await database_sync_to_async(function)(*args, **kwargs)


class Socket:
    """One browser's socket on a group: open it, send frames, read frames. (Channels' own
    WebsocketCommunicator lives in a module that needs Daphne; this is the same few lines over asgiref.)"""

    def __init__(self, cookie: str | None, group_id: int, *, origin: str = "http://testserver") -> None:
        from quad.asgi import application

        headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        scope = {
            "type": "websocket",
            "path": f"/ws/chat/{group_id}/",
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
        }
        self.communicator = ApplicationCommunicator(application, scope)
        self.open = False

    async def connect(self) -> bool:
        await self.communicator.send_input({"type": "websocket.connect"})
        output = await self.communicator.receive_output(5)
        self.open = output["type"] == "websocket.accept"
        return self.open

    async def send(self, event: Any) -> None:
        text = event if isinstance(event, str) else json.dumps(event)
        await self.communicator.send_input({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self.communicator.send_input({"type": "websocket.receive", "bytes": data})

    async def frame(self, timeout: float = 3) -> dict[str, Any]:
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.send", output
        return json.loads(output["text"])

    async def frame_of(self, kind: str, timeout: float = 3) -> dict[str, Any]:
        """The next frame of `kind`, skipping others (hello, pong, updates)."""
        while True:
            found = await self.frame(timeout)
            if found["t"] == kind:
                return found

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def closed_with(self, timeout: float = 3) -> int:
        """Read until the server closes the socket; its close code."""
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))

    async def close(self) -> None:
        await self.communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.communicator.wait(1)
