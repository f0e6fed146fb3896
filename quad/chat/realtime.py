"""Realtime delivery of chat messages: serialise once, cross the channel layer once per server process,
fan out locally.

Stock Channels puts every socket in the layer group: with Redis, `group_send` crosses Redis once per
process (channels_redis 4 groups its sends), but each process then handles a layer message per socket
(its own queue, its own handler call, its own JSON frame). Here each ASGI server process has one `Hub`
with one layer channel. The hub joins the layer group of a chat group while it has at least
one open socket in it, so a message crosses the layer once per *process*, and the hub hands the same
ready-made text frame to each of its sockets' outboxes. A socket whose outbox is full (a phone on a bad
connection) is closed rather than allowed to hold the others back; on reconnecting it catches up over
HTTP from the last sequence number it saw, so nothing is lost (messages are saved before they are
published; publishing is only ever a hint that something new exists).

`publish` and `kick` are called from synchronous code (views run in worker threads, the task worker,
management commands). Where this process runs a hub they hand the layer call to the hub's event loop
and return at once; elsewhere (a task worker) they make the layer call themselves, which reaches the
servers through Redis and goes nowhere with the in-memory layer (the pages catch up on their own).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

EVERY_HUB = "chat.hubs"  # the layer group every hub joins: kicks reach every process
# channels_redis forgets a group member `group_expiry` seconds after its group_add (CHAT_REDIS_GROUP_EXPIRY):
# made for sockets that come and go, not for a hub that joins once and stays. The hub joins its groups
# again this often, well inside the expiry.
RENEW_EVERY = 600.0  # seconds


def layer_group(group_id: int) -> str:
    return f"chat.g{group_id}"


class Socket(Protocol):
    """What the hub needs of a connected socket (ChatConsumer)."""

    user_id: int
    group_id: int

    def deliver(self, frame: str) -> None: ...

    def kick(self, code: int, reason: str) -> None: ...


class Hub:
    """This process's sockets by chat group, and its one channel on the layer."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.loop: asyncio.AbstractEventLoop | None = None
        self.channel_name = ""
        self.sockets: dict[int, set[Socket]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._joining: dict[int, asyncio.Future[None]] = {}
        self._started: asyncio.Future[None] | None = None

    async def _start(self) -> None:
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            try:
                self.loop = asyncio.get_running_loop()
                self.channel_name = await self.layer.new_channel(prefix="chat-hub")
                await self.layer.group_add(EVERY_HUB, self.channel_name)
                self._reader = asyncio.create_task(self._read(), name="chat-hub-reader")
                self._renewer = asyncio.create_task(self._renew(), name="chat-hub-renewer")
            except BaseException as error:
                self._started.set_exception(error)
                started, self._started = self._started, None
                started.exception()  # retrieved: the next attach tries again
                raise
            self._started.set_result(None)
        await self._started

    async def attach(self, socket: Socket) -> None:
        await self._start()
        sockets = self.sockets.setdefault(socket.group_id, set())
        sockets.add(socket)
        if socket.group_id in self._joining:
            await self._joining[socket.group_id]
        elif len(sockets) == 1:
            joined = asyncio.get_running_loop().create_future()
            self._joining[socket.group_id] = joined
            try:
                await self.layer.group_add(layer_group(socket.group_id), self.channel_name)
            finally:
                joined.set_result(None)
                del self._joining[socket.group_id]

    async def detach(self, socket: Socket) -> None:
        sockets = self.sockets.get(socket.group_id)
        if sockets is None or socket not in sockets:
            return
        sockets.discard(socket)
        if not sockets:
            del self.sockets[socket.group_id]
            await self.layer.group_discard(layer_group(socket.group_id), self.channel_name)

    async def _read(self) -> None:
        while True:
            try:
                event = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:  # a dropped Redis connection: log, wait a moment, read on
                log.exception("chat hub could not read from the channel layer")
                await asyncio.sleep(1)
                continue
            self.dispatch(event)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            try:
                await self.layer.group_add(EVERY_HUB, self.channel_name)
                for group_id in list(self.sockets):
                    await self.layer.group_add(layer_group(group_id), self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away for a moment: the next round joins again
                log.exception("chat hub could not renew its layer groups")

    def dispatch(self, event: dict[str, Any]) -> None:
        if event.get("type") == "chat.frame":
            for socket in list(self.sockets.get(event["group"], ())):
                socket.deliver(event["frame"])
        elif event.get("type") == "chat.kick":
            group_ids = [event["group"]] if event.get("group") else list(self.sockets)
            for group_id in group_ids:
                for socket in list(self.sockets.get(group_id, ())):
                    if socket.user_id == event["user"]:
                        socket.kick(4403, event.get("reason", ""))

    def local_count(self) -> int:
        return sum(len(sockets) for sockets in self.sockets.values())


_hubs: dict[int, Hub] = {}


def hub() -> Hub:
    """This process's hub for the default channel layer (one per layer object, so tests that swap the
    layer get a fresh hub)."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("CHANNEL_LAYERS has no default layer")
    found = _hubs.get(id(layer))
    if found is None or found.layer is not layer:
        found = _hubs[id(layer)] = Hub(layer)
    return found


def _send(coroutine_factory: Callable[[BaseChannelLayer], Coroutine[Any, Any, None]]) -> None:
    """Run a layer call from synchronous code without waiting for it."""
    current = hub()
    loop = current.loop
    if loop is not None and loop.is_running():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            task = loop.create_task(coroutine_factory(current.layer))
            task.add_done_callback(_log_failure)
        else:
            future = asyncio.run_coroutine_threadsafe(coroutine_factory(current.layer), loop)
            future.add_done_callback(_log_failure)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        # Synchronous code on a thread that runs some other event loop (a test driving a browser, say):
        # async_to_sync refuses to block it, so the layer call gets a short thread of its own.
        thread = threading.Thread(target=_publish_from_thread, args=(coroutine_factory, current.layer), daemon=True)
        thread.start()
        thread.join(5)
        return
    _publish_from_thread(coroutine_factory, current.layer)


def _publish_from_thread(
    coroutine_factory: Callable[[BaseChannelLayer], Coroutine[Any, Any, None]], layer: BaseChannelLayer
) -> None:
    try:
        async_to_sync(coroutine_factory)(layer)
    except Exception:  # publishing is a hint: the message is saved, pages catch up without it
        log.exception("could not publish to the chat channel layer")


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("could not publish to the chat channel layer", exc_info=future.exception())


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"t": kind, **fields}, separators=(",", ":"), ensure_ascii=False)


def publish(group_id: int, text: str) -> None:
    """Send a ready-made text frame to every socket open on `group_id`, in every server process."""

    async def send(layer: BaseChannelLayer) -> None:
        await layer.group_send(layer_group(group_id), {"type": "chat.frame", "group": group_id, "frame": text})

    _send(send)


def kick(*, user_id: int, group_id: int | None = None, reason: str = "") -> None:
    """Close `user_id`'s open sockets on `group_id` (or on every group), in every server process."""

    async def send(layer: BaseChannelLayer) -> None:
        await layer.group_send(EVERY_HUB, {"type": "chat.kick", "user": user_id, "group": group_id, "reason": reason})

    _send(send)
