"""Two real ASGI server processes on one database: the scene behind test_two_servers.py.

Run as a module, in a process of its own that owns its database (a SQLite file in the embedded setup's
mode, or a fresh PostgreSQL database when DATABASE_URL points at a PostgreSQL server; see
quad/mailings/tests/worker_scene.py): a society's group chat with two members who accepted its
guidelines (the President, who moderates it, and a member), then pairs of `uvicorn quad.asgi:application`
processes on free loopback ports, and real websocket clients (the `websockets` library) with the
members' session cookies. It prints one JSON object on its last line:

    python -m quad.chat.tests.two_servers_scene REDIS_URL|none

- `control` (always played): the two servers *without* REDIS_URL, each with its in-memory layer. The
  President posts on server A; the member's socket on A gets it, their socket on B does not, and the
  member's page on B catches up over HTTP (GET /chat/<pk>/messages/?after=N).
- `redis` (when a Redis URL is given): the two servers with REDIS_URL and a CHAT_REDIS_PREFIX of this
  run's own (so runs side by side do not hear each other). The President posts on A and the member's
  socket on B gets the frame; then the President removes the member on A (the page's POST), which must
  close the member's socket on B with 4403, and B must refuse the member's socket from then on.

The control is played first: the redis scene ends with the member removed.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
SECRET_KEY = f"two-servers-{secrets.token_hex(16)}"  # the same in this process and both servers
START_TIMEOUT = 30.0  # seconds for a server to answer
FRAME_TIMEOUT = 5.0  # seconds to wait for a frame that should come
SILENCE = 1.5  # seconds to wait for a frame that should not come


# --- Servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback") if self.log.exists() else 0


def start_server(
    name: str, env: dict[str, str], log_dir: Path, *, app: str = "quad.asgi:application", port: int | None = None
) -> Server:
    """`uvicorn APP` in one process on a free loopback port (as `manage.py serve` runs it). Returns at
    once; `wait_serving` waits for it to answer."""
    port = port or free_port()
    log = log_dir / f"uvicorn-{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ws-max-size",
        "65536",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, port, process, log)


def wait_serving(server: Server, *, path: str = "/", timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"uvicorn {server.name} exited:\n{server.log.read_text(errors='replace')[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uvicorn {server.name} did not answer in {timeout:.0f} s")


def stop_server(server: Server, *, grace: float = 10) -> None:
    """SIGTERM, and SIGKILL if it has not stopped after `grace` seconds."""
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=5)


def server_env(db_env: dict[str, str], *, redis_url: str | None, prefix: str) -> dict[str, str]:
    """The servers' environment: this scene's database, its secret key, no quiet hours."""
    dropped = {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "CHAT_REDIS_PREFIX"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({k: v for k, v in db_env.items() if not k.startswith("QUAD_SCENE_")})
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "quad.settings",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "QUIET_HOURS_START": "00:00",
            "QUIET_HOURS_END": "00:00",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CHAT_REDIS_PREFIX"] = prefix
    return env


# --- The group ---------------------------------------------------------------------------------------


@dataclass
class Cast:
    group_id: int
    poster_cookie: str  # the President: member and moderator
    reader_cookie: str  # a member
    reader_member_id: int
    reader_name: str


def build_cast() -> Cast:
    """Hiking Society's group chat; its President and a member who bought a (free) membership, both
    joined by the invite link and with the guidelines accepted, through the services."""
    from conftest import found_society, join, make_person, train
    from quad.chat import services
    from quad.chat.tests.conftest import enter
    from quad.chat.tests.sockets import session_cookie
    from quad.core.academic import current_academic_year
    from quad.memberships.services import create_membership_type

    staff = make_person("Jo Staff", "jo.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Priya President", "priya.president")
    train(president)
    society = found_society(
        "Hiking Society",
        president,
        make_person("Theo Treasurer", "theo.treasurer"),
        make_person("Uma Untrained", "uma.untrained"),
        staff=staff,
    )
    membership_type = create_membership_type(
        society, actor=president, year=current_academic_year(), name="Member", price_pence=0
    )
    reader = make_person("Mia Member", "mia.member")
    join(reader, membership_type)
    group = services.create_group(
        actor=president, society=society, name="Hiking Society", purpose="Planning our weekend walks."
    )
    enter(president, group)
    member = enter(reader, group)
    return Cast(group.pk, session_cookie(president), session_cookie(reader), member.pk, reader.display_name)


# --- Clients -----------------------------------------------------------------------------------------


async def open_socket(server: Server, cookie: str, group_id: int) -> Any:
    """A browser's socket on `server`, past its hello frame (by then the server's hub has joined the
    group on the layer)."""
    from websockets.asyncio.client import connect

    sock = await connect(
        f"ws://127.0.0.1:{server.port}/ws/chat/{group_id}/",
        origin=server.origin,  # type: ignore[arg-type]
        proxy=None,
        additional_headers={"Cookie": cookie},
        open_timeout=FRAME_TIMEOUT,
    )
    hello = json.loads(await asyncio.wait_for(sock.recv(), FRAME_TIMEOUT))
    assert hello["t"] == "hello", hello
    return sock


async def frame_of(sock: Any, kind: str, timeout: float) -> dict[str, Any] | None:
    """The next frame of `kind`, skipping others; None if none comes within `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            found = json.loads(await asyncio.wait_for(sock.recv(), left))
        except TimeoutError:
            return None
        if found["t"] == kind:
            return dict(found)
    return None


async def close_code(sock: Any, timeout: float) -> tuple[int | None, list[dict[str, Any]]]:
    """Read until the server closes the socket: (its close code or None, the frames read first)."""
    from websockets.exceptions import ConnectionClosed

    frames: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                frames.append(json.loads(await sock.recv()))
    except ConnectionClosed as closed:
        return (closed.rcvd.code if closed.rcvd else None), frames
    except TimeoutError:
        return None, frames


async def handshake_status(server: Server, cookie: str, group_id: int) -> int:
    """101 if the server opens the socket, else the HTTP status it refused the handshake with."""
    from websockets.exceptions import InvalidStatus

    try:
        sock = await open_socket(server, cookie, group_id)
    except InvalidStatus as refused:
        return int(refused.response.status_code)
    await sock.close()
    return 101


def http_request(server: Server, method: str, path: str, cookie: str, form: str = "") -> tuple[int, str]:
    """One request as the signed-in page makes it (with a CSRF cookie and token for a POST)."""
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf}
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=FRAME_TIMEOUT)
    connection.request(method, path, body=form or None, headers=headers)
    response = connection.getresponse()
    return response.status, response.read().decode()


# --- The scenes --------------------------------------------------------------------------------------


async def control(a: Server, b: Server, cast: Cast) -> dict[str, Any]:
    """In-memory layers: a frame stays in the process that published it; the page catches up over HTTP."""
    poster = await open_socket(a, cast.poster_cookie, cast.group_id)
    reader_on_a = await open_socket(a, cast.reader_cookie, cast.group_id)
    reader_on_b = await open_socket(b, cast.reader_cookie, cast.group_id)
    body = f"Control: posted on A at {time.time():.0f}"
    await poster.send(json.dumps({"type": "post", "body": body, "ref": "c1"}))
    ack = await frame_of(poster, "ack", FRAME_TIMEOUT)
    on_a = await frame_of(reader_on_a, "msg", FRAME_TIMEOUT)
    on_b = await frame_of(reader_on_b, "msg", SILENCE)
    for sock in (poster, reader_on_a, reader_on_b):
        await sock.close()
    seq = ack["seq"] if ack else None
    status, page = await asyncio.to_thread(
        http_request, b, "GET", f"/chat/{cast.group_id}/messages/?after={(seq or 1) - 1}", cast.reader_cookie
    )
    return {
        "posted_seq": seq,
        "same_server_seq": on_a["seq"] if on_a else None,
        "other_server_frame": on_b,
        "catch_up_status": status,
        "catch_up_has_message": seq is not None and f'id="m{seq}"' in page and body in page,
    }


async def across(a: Server, b: Server, cast: Cast) -> dict[str, Any]:
    """Redis: a post on A reaches B; a removal on A closes the member's socket on B."""
    poster = await open_socket(a, cast.poster_cookie, cast.group_id)
    reader = await open_socket(b, cast.reader_cookie, cast.group_id)
    body = f"Across: posted on A at {time.time():.0f}"
    began = time.monotonic()
    await poster.send(json.dumps({"type": "post", "body": body, "ref": "r1"}))
    ack = await frame_of(poster, "ack", FRAME_TIMEOUT)
    delivered = await frame_of(reader, "msg", FRAME_TIMEOUT)
    delivery_ms = round((time.monotonic() - began) * 1000, 1) if delivered else None

    removal_status, _ = await asyncio.to_thread(
        http_request,
        a,
        "POST",
        f"/chat/{cast.group_id}/members/{cast.reader_member_id}/remove/",
        cast.poster_cookie,
        "reason=Abusive+messages",
    )
    code, last_frames = await close_code(reader, FRAME_TIMEOUT)
    await poster.close()
    return {
        "posted_seq": ack["seq"] if ack else None,
        "delivered_seq": delivered["seq"] if delivered else None,
        "delivered_has_body": delivered is not None and body in delivered["html"],
        "delivery_ms": delivery_ms,
        "removal_status": removal_status,
        "close_code": code,
        "frames_before_close": last_frames,
        "reconnect_status": await handshake_status(b, cast.reader_cookie, cast.group_id),
    }


def forget_redis_keys(redis_url: str, prefix: str) -> None:
    """The layer's groups outlive the servers (for a day); this run's are of no use to anyone."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def main(redis_url: str | None) -> dict[str, Any]:
    os.environ["SECRET_KEY"] = SECRET_KEY  # before Django starts: the sessions it writes are the servers'
    os.environ.pop("REDIS_URL", None)  # this process needs no layer: the servers publish
    from quad.mailings.tests.worker_scene import database_kind, drop_database, open_database

    db_env = open_database(name=f"quad_chatscene_{uuid.uuid4().hex[:10]}")
    log_dir = Path(db_env["QUAD_VAR_DIR"])
    prefix = f"quad-test-{uuid.uuid4().hex[:12]}"
    servers: list[Server] = []
    report: dict[str, Any] = {"database": database_kind(db_env)}
    try:
        from django.db import connections

        cast = build_cast()
        connections.close_all()

        plain = server_env(db_env, redis_url=None, prefix=prefix)
        pairs = {"control": (start_server("control-a", plain, log_dir), start_server("control-b", plain, log_dir))}
        if redis_url:
            shared = server_env(db_env, redis_url=redis_url, prefix=prefix)
            pairs["redis"] = (start_server("redis-a", shared, log_dir), start_server("redis-b", shared, log_dir))
        servers = [server for pair in pairs.values() for server in pair]
        for server in servers:
            wait_serving(server)

        a, b = pairs["control"]
        report["control"] = asyncio.run(asyncio.wait_for(control(a, b, cast), 30))
        if redis_url:
            a, b = pairs["redis"]
            report["redis"] = asyncio.run(asyncio.wait_for(across(a, b, cast), 30))
    finally:
        for server in servers:
            stop_server(server)
        report["server_tracebacks"] = {server.name: server.tracebacks() for server in servers}
        first = next((s for s in servers if s.tracebacks()), None)
        if first is not None:
            text = first.log.read_text(errors="replace")
            report["first_traceback"] = text[text.index("Traceback") :][:3000]
        if redis_url:
            forget_redis_keys(redis_url, prefix)
        drop_database(db_env)
        shutil.rmtree(log_dir, ignore_errors=True)  # the SQLite file and the servers' logs
    return report


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "none" else None
    print(json.dumps(main(url)))
