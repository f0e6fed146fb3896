"""The per-process hub on its own: it joins a chat group's layer group once for all its sockets, hands
each frame to every socket, and renews its memberships before the layer forgets them."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer

from quad.chat import realtime
from quad.chat.tests.sockets import run


class Listener:
    def __init__(self, group_id: int, user_id: int = 1) -> None:
        self.group_id, self.user_id = group_id, user_id
        self.frames: list[str] = []
        self.kicked: list[int] = []

    def deliver(self, frame: str) -> None:
        self.frames.append(frame)

    def kick(self, code: int, reason: str) -> None:
        self.kicked.append(code)


async def send(layer: InMemoryChannelLayer, group_id: int, text: str) -> None:
    await layer.group_send(realtime.layer_group(group_id), {"type": "chat.frame", "group": group_id, "frame": text})


def test_one_layer_message_reaches_every_socket_of_the_group_and_no_other() -> None:
    async def scene() -> None:
        layer = InMemoryChannelLayer()
        hub = realtime.Hub(layer)
        sockets = [Listener(7) for _ in range(50)]
        elsewhere = Listener(8)
        for socket in [*sockets, elsewhere]:
            await hub.attach(socket)
        assert set(layer.groups[realtime.layer_group(7)]) == {hub.channel_name}  # one member, not fifty
        await send(layer, 7, "hello")
        await asyncio.sleep(0.1)
        assert all(socket.frames == ["hello"] for socket in sockets)
        assert elsewhere.frames == []
        for socket in sockets:
            await hub.detach(socket)
        assert realtime.layer_group(7) not in layer.groups or not layer.groups[realtime.layer_group(7)]

    run(scene)


def test_a_kick_closes_only_that_persons_sockets() -> None:
    async def scene() -> None:
        layer = InMemoryChannelLayer()
        hub = realtime.Hub(layer)
        theirs, mine = Listener(7, user_id=5), Listener(7, user_id=6)
        await hub.attach(theirs)
        await hub.attach(mine)
        await layer.group_send(realtime.EVERY_HUB, {"type": "chat.kick", "user": 5, "group": None})
        await asyncio.sleep(0.1)
        assert theirs.kicked == [4403] and mine.kicked == []

    run(scene)


@pytest.mark.parametrize("renew", [True, False])
def test_the_hub_renews_its_groups_before_the_layer_forgets_them(renew: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: without renewing, the layer's group expiry drops the hub and frames stop arriving."""
    monkeypatch.setattr(realtime, "RENEW_EVERY", 0.2 if renew else 3600)

    async def scene() -> list[str]:
        layer = InMemoryChannelLayer(group_expiry=1)
        hub = realtime.Hub(layer)
        socket = Listener(7)
        await hub.attach(socket)
        await asyncio.sleep(2.6)  # the in-memory layer counts its expiry in whole seconds
        await send(layer, 7, "still there?")
        await asyncio.sleep(0.2)
        return socket.frames

    assert run(scene) == (["still there?"] if renew else [])
