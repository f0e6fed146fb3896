"""Two ASGI server processes sharing Redis: a message posted through one reaches a socket on the other,
and a removal on one closes the member's socket on the other.

Real processes, real sockets: two `uvicorn quad.asgi:application` servers on one database (a SQLite
file, or PostgreSQL in the PostgreSQL pass), websocket clients with the members' session cookies. The
scene runs in a process of its own (two_servers_scene.py says why and how) and is played once for
this module. The control is the same two servers without REDIS_URL: each has its own in-memory layer,
so a frame never crosses to the other server, yet the page there still finds the message when it
catches up over HTTP: publishing is only a hint, no message is ever lost.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import pytest

from quad.core.tests.sqlite_file import run_scene_module

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_reachable(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="module")
def played() -> dict[str, Any]:
    """The scene, played once: the control pair of servers, then (with Redis) the shared pair."""
    shared = REDIS_URL if redis_reachable(REDIS_URL) else "none"
    return run_scene_module("quad.chat.tests.two_servers_scene", shared, timeout=120)


@pytest.fixture
def across(played: dict[str, Any]) -> dict[str, Any]:
    """What the pair of servers sharing Redis did."""
    if "redis" not in played:
        pytest.skip(
            f"Redis is not reachable at {urlsplit(REDIS_URL).netloc} (set TEST_REDIS_URL): two servers share "
            "sockets' traffic only through Redis"
        )
    return dict(played["redis"])


def test_a_message_posted_through_one_server_reaches_a_socket_on_the_other(across: dict[str, Any]) -> None:
    assert across["posted_seq"] is not None, "the post on server A was not acknowledged"
    assert across["delivered_seq"] == across["posted_seq"]
    assert across["delivered_has_body"]


def test_a_removal_on_one_server_closes_the_members_socket_on_the_other_and_it_cannot_reopen(
    across: dict[str, Any],
) -> None:
    assert across["removal_status"] == 302  # the moderator's form on server A, redirected back
    assert across["frames_before_close"] == [{"t": "closed", "reason": "removed"}]
    assert across["close_code"] == 4403
    assert across["reconnect_status"] == 403  # server B refuses the handshake


def test_control_without_redis_a_frame_stays_on_its_server_but_the_other_catches_up_over_http(
    played: dict[str, Any],
) -> None:
    control = played["control"]

    assert control["posted_seq"] is not None
    assert control["same_server_seq"] == control["posted_seq"]  # published: a socket on server A has it
    assert control["other_server_frame"] is None  # in-memory layers: server B never hears of it
    assert control["catch_up_status"] == 200
    assert control["catch_up_has_message"]  # the page on server B finds it when it catches up


def test_neither_scene_made_a_server_log_a_traceback(played: dict[str, Any]) -> None:
    assert set(played["server_tracebacks"].values()) == {0}, played.get("first_traceback", "")
