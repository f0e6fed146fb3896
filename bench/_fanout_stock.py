"""The baseline bench.fanout measures Quad against: stock Channels fan-out, as an ASGI application.

    uvicorn bench._fanout_stock:application

The same application as quad.asgi except the chat socket: every socket joins the chat group's layer group
itself (`channel_layer.group_add(group, self.channel_name)` on connect) and a saved message is sent with
`channel_layer.group_send(group, {...})`, each socket's consumer sending the frame to its browser from its
handler. That is the pattern in Channels' tutorial. Everything else is Quad's own and unchanged: the origin
check and session authentication, the permission checks on connect and on every frame
(`ChatConsumer.receive`), posting (`services.post_message`), and the frame, rendered once per message
(quad.chat.frames). Only the way the frame reaches the sockets differs.

Not a benchmark itself (bench/__main__.py skips modules starting with "_"); never imported by Quad.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quad.settings")
django_application = get_asgi_application()  # before importing anything that touches models

import asyncio  # noqa: E402

from asgiref.sync import async_to_sync  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from quad.chat import frames, realtime  # noqa: E402
from quad.chat.consumers import CLOSE_REFUSED, OUTBOX, ChatConsumer  # noqa: E402
from quad.chat.models import Message  # noqa: E402
from quad.chat.permissions import socket_access  # noqa: E402
from quad.chat.signals import message_posted  # noqa: E402


def stock_group(group_id: int) -> str:
    return f"stock.g{group_id}"


class StockChatConsumer(ChatConsumer):
    """Quad's consumer with stock Channels' fan-out: a layer channel per socket, in the layer group."""

    channel_layer_alias = "default"  # each socket gets a channel of its own on the layer

    async def connect(self) -> None:
        self.group_id = int(self.scope["url_route"]["kwargs"]["pk"])
        self.user = self.scope.get("user")
        self.closed = False
        self.bad_frames = 0
        access = await database_sync_to_async(socket_access)(self.user, self.group_id)
        if access is None:
            await self.close(code=CLOSE_REFUSED)
            return
        self.user_id = self.user.pk
        # Replies to this socket alone (acks, errors) still go through ChatConsumer.deliver's outbox.
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue(maxsize=OUTBOX)
        await self.accept()
        self.writer = asyncio.create_task(self._write())
        await self.channel_layer.group_add(stock_group(self.group_id), self.channel_name)
        self.deliver(realtime.frame("hello", last_seq=access.group.last_seq))

    async def disconnect(self, code: int) -> None:
        self.closed = True
        if hasattr(self, "outbox"):
            await self.channel_layer.group_discard(stock_group(self.group_id), self.channel_name)
            self.writer.cancel()

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """One group_send, handled by every socket's consumer: send the frame to this browser."""
        await self.send(text_data=event["frame"])


def publish_through_the_group(sender: Any, message: Message, **kwargs: Any) -> None:
    """In place of quad.chat.receivers.publish_message: the frame, rendered once, to the layer group."""
    text = frames.message_frame(message)
    layer = get_channel_layer()
    assert layer is not None
    async_to_sync(layer.group_send)(stock_group(message.group_id), {"type": "chat.frame", "frame": text})


message_posted.disconnect(sender=Message, dispatch_uid="chat.publish_message")
message_posted.connect(publish_through_the_group, sender=Message, dispatch_uid="bench.stock.publish", weak=False)

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([path("ws/chat/<int:pk>/", StockChatConsumer.as_asgi())]))
        ),
    }
)
