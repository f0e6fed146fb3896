"""The group chat socket: /ws/chat/<group id>/.

Opening it needs what reading the group needs (permissions.socket_access); every frame a client sends
is checked again (permissions.authorize_event) with the member row read afresh. Frames out are the rows
the hub hands over (realtime.Hub), written in order by one writer task per socket; a socket that falls
more than OUTBOX frames behind is closed and catches up over HTTP when it reconnects.

Frames in are JSON objects with a "type": post, edit, delete, react, read, ping. Anything else
(binary frames, bad JSON, unknown types, oversized frames) gets an error frame back to that socket
alone; a client that keeps sending them is closed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from quad.chat import realtime, services
from quad.chat.errors import ChatError
from quad.chat.models import Message
from quad.chat.permissions import SocketRefused, authorize_event, socket_access
from quad.chat.scoring import nudge

log = logging.getLogger(__name__)
# On PostgreSQL each socket's database work runs in the thread pool rather than Channels' one thread per
# process, so one socket's post does not queue behind another's connect. SQLite takes one writer at a time
# anyway, and its shared in-memory test databases refuse concurrent writers ("table is locked").
in_a_thread = functools.partial(
    database_sync_to_async, thread_sensitive=settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
)

MAX_FRAME = 16_000  # characters: a 4,000-character message and its JSON, with room to spare
OUTBOX = 256  # frames a socket may fall behind before it is closed (it catches up when it reconnects)
MAX_BAD_FRAMES = 20

CLOSE_REFUSED = 4403
CLOSE_TOO_SLOW = 4008
CLOSE_BAD_CLIENT = 4400


class ChatConsumer(AsyncWebsocketConsumer):
    # Sockets hold no channel of their own on the layer: the process's hub holds one for all of them.
    channel_layer_alias = "chat-sockets-use-the-hub"

    user_id: int
    group_id: int

    async def connect(self) -> None:
        self.group_id = int(self.scope["url_route"]["kwargs"]["pk"])
        self.user = self.scope.get("user")
        self.closed = False
        self.bad_frames = 0
        access = await in_a_thread(socket_access)(self.user, self.group_id)
        if access is None:
            await self.close(code=CLOSE_REFUSED)  # before accept: the handshake is refused (HTTP 403)
            return
        self.user_id = self.user.pk
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue(maxsize=OUTBOX)
        await self.accept()
        self.writer = asyncio.create_task(self._write())
        await realtime.hub().attach(self)
        # The page catches up over HTTP from its last sequence number; this says where the group is.
        self.deliver(realtime.frame("hello", last_seq=access.group.last_seq))

    async def disconnect(self, code: int) -> None:
        self.closed = True
        if hasattr(self, "outbox"):
            await realtime.hub().detach(self)
            self.writer.cancel()

    # --- out ---------------------------------------------------------------------------------------

    def deliver(self, frame: str) -> None:
        if self.closed:
            return
        try:
            self.outbox.put_nowait(frame)
        except asyncio.QueueFull:
            self.kick(CLOSE_TOO_SLOW, "too slow")

    def kick(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        asyncio.get_running_loop().create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        await realtime.hub().detach(self)
        try:
            if reason:
                await self.send(text_data=realtime.frame("closed", reason=reason))
            await self.close(code=code)
        except Exception:  # the client went first (uvicorn's ClientDisconnected, a reset connection)
            log.debug("chat socket was already gone when closing it", exc_info=True)

    async def _write(self) -> None:
        try:
            while (frame := await self.outbox.get()) is not None:
                await self.send(text_data=frame)
        except asyncio.CancelledError:
            raise
        except Exception:  # the client went away mid-write: its disconnect tidies up; nothing to tell
            self.closed = True
            log.debug("chat socket closed while writing to it", exc_info=True)

    # --- in ----------------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed:
            return
        try:
            event = self._parse(text_data, bytes_data)
            access = await in_a_thread(authorize_event)(self.user, self.group_id, event["type"])
        except SocketRefused as refused:
            if refused.close:
                self.kick(CLOSE_REFUSED, "removed")
                return
            await self._refuse(str(refused), ref=_ref(locals().get("event")))
            return
        if access is None:  # ping
            self.deliver(realtime.frame("pong"))
            return
        try:
            reply = await in_a_thread(_handle)(access, event)
        except ChatError as error:
            reply = realtime.frame("error", ref=_ref(event), message=str(error))
        if reply:
            self.deliver(reply)

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
        if text_data is None:
            raise SocketRefused("Send text frames of JSON.")
        if len(text_data) > MAX_FRAME:
            raise SocketRefused(f"Frames are at most {MAX_FRAME} characters.")
        try:
            event = json.loads(text_data)
        except ValueError:
            raise SocketRefused("That frame is not JSON.") from None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise SocketRefused('A frame is a JSON object with a "type".')
        return event

    async def _refuse(self, message: str, *, ref: str) -> None:
        self.bad_frames += 1
        if self.bad_frames > MAX_BAD_FRAMES:
            self.kick(CLOSE_BAD_CLIENT, "too many refused frames")
            return
        self.deliver(realtime.frame("error", ref=ref, message=message))


def _ref(event: Any) -> str:
    """The client's reference for a frame, echoed in the reply (a short string, or "")."""
    ref = event.get("ref") if isinstance(event, dict) else None
    return ref[:40] if isinstance(ref, str) else ""


def _seq(event: dict[str, Any]) -> int:
    seq = event.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ChatError('Say which message by its "seq".')
    return seq


def _message(member: Any, event: dict[str, Any]) -> Message:
    found = Message.objects.filter(group_id=member.group_id, seq=_seq(event)).first()
    if found is None:
        raise ChatError("There is no such message in this group.")
    return found


def _text(event: dict[str, Any], key: str = "body") -> str:
    value = event.get(key)
    if not isinstance(value, str):
        raise ChatError(f'"{key}" must be text.')
    return value


def _handle(access: Any, event: dict[str, Any]) -> str:
    """One event from a client whose right to send it was just checked (`access`, read for this frame);
    the frame to answer with."""
    member = access.member
    kind, ref = event["type"], _ref(event)
    if kind == "post":
        reply_to = _message(member, {"seq": event["reply_to"]}) if event.get("reply_to") is not None else None
        body = _text(event)
        confirmed = event.get("confirmed") is True
        if not confirmed and (warning := nudge(body)):
            return realtime.frame("nudge", ref=ref, message=warning)
        try:
            message = services.post_message(member, body, reply_to=reply_to, in_quiet_hours=confirmed, access=access)
        except services.QuietHours as quiet:
            return realtime.frame("quiet", ref=ref, message=str(quiet), until=quiet.until.isoformat())
        return realtime.frame("ack", ref=ref, seq=message.seq)
    message = _message(member, event)
    if kind == "edit":
        services.edit_message(message, actor=member.user, body=_text(event))
    elif kind == "delete":
        services.delete_message(message, actor=member.user)
    elif kind == "react":
        services.react(message, user=member.user, emoji=_text(event, "emoji"))
    elif kind == "read":
        services.mark_read(member, seq=message.seq)
        return ""
    return realtime.frame("ack", ref=ref, seq=message.seq)
