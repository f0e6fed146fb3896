"""Chat fan-out: a message to 1,000 websocket clients in one group, latency and server CPU, against stock Channels.

    .venv/bin/python -m bench.fanout            # 1,000 clients; 2 servers, then 1; stock Channels likewise
    .venv/bin/python -m bench.fanout --quick    # 200 clients, 2 servers only (about a minute)

What it does, start to finish (it stops by itself; traffic goes to 127.0.0.1 only):
1. drops and recreates the PostgreSQL database `quad_bench_fanout` (BENCH_FANOUT_DATABASE_URL to change
   it; the name must start with quad_bench) and migrates it;
2. builds the scene: a society founded and approved through Quad's services, whose President opens two
   group chats with `create_group`: the big group and a 50-member group. N students are bulk-created
   and made present members of the big group with the current guidelines accepted (GroupMember rows
   written directly: joining a thousand people through the invite page would measure joining), the
   first 50 of them of the small group too; each has a signed-in session written to the database;
3. for each variant, starts real `uvicorn` processes (one process each, on free loopback ports) with
   REDIS_URL set, so the channel layer is channels_redis on the local Redis (BENCH_FANOUT_REDIS_URL,
   default database 8) with a CHAT_REDIS_PREFIX of this run's own, and opens N websocket clients (the
   `websockets` library's asyncio client, in this process, with permessage-deflate as browsers ask for
   it), split evenly across the servers, each with its member's session cookie and the page's Origin;
4. fan-out: one client posts a message over its socket ({"type": "post"}, the path the page uses),
   waits until every client (itself included) has the {"t": "msg"} frame, pauses, and posts the next:
   a few to warm up, then M measured. Delivery latency is, per client and message, the time from just
   before the post was sent to that client's frame arriving, both read from this process's clock;
   p50/p99 over every delivery. Where it goes, as medians over the messages: `ack_ms` (the post saved
   and acknowledged), `first_delivery_ms` (saved, rendered, through Redis, to the first socket) and
   `first_to_last_ms` (the fan-out itself). Server CPU is the uvicorn processes' user + system time
   over the measured messages (/proc), per delivery and per message (the post's own work included);
   Redis's per message;
5. sustained: the 50 members of the small group all post at once, each as fast as its posts are
   acknowledged, for a few seconds: messages posted per second, frames delivered per second (each
   message to 50 sockets) and the servers' CPU per post (steadier than rates on a shared machine).
   The bench raises CHAT_RATE_LIMIT_PER_MINUTE for its servers (to 1,000,000): the limit (20 a minute
   per member) would otherwise refuse all but the first posts, and it is flood control, not capacity.
   Quiet hours are off (QUIET_HOURS_START = END). The latencies printed for this phase are those of a
   closed loop of 50 posters (mostly time queued behind the others' posts);
6. drops the database and this run's Redis keys.

Variants: "quad" is quad.asgi (a hub per server process: one layer channel per process, the frame
crossing the layer once per process and handed to each local socket, quad/chat/realtime.py); "stock"
is bench/_fanout_stock.py, stock Channels: a layer channel per socket, every socket in the layer group,
`group_send`, each consumer sending the frame from its handler. Same servers, same Redis, same clients,
same post path, measured the same way, in the same run; only the fan-out differs (and the stock servers'
Redis pool is larger, CHAT_REDIS_POOL_SIZE=5000: every socket joining the group at once exhausts Quad's
200). channels_redis 4 already pushes one Redis message per process for a group_send; what stock pays
per socket is in the process: the channel names of every socket read from Redis and carried in the
message, and every consumer woken through the layer's receive machinery. The full run measures both
with 2 server processes (one per core) and with 1.

The last line of output is one JSON object. The target (issue): p99 under 250 ms for 1,000 members on
this 2-core machine with 2 servers. The load generator shares the 2 cores with the servers, Redis and
PostgreSQL (and whatever else runs: `load_average_before`, `machine_busy_pct`) and spends CPU reading
N frames per message (`load_generator_cpu_ms_per_delivery`); latency includes the time a frame waited
for it. It exits non-zero if a Quad delivery went missing, a post was refused or a server logged a
traceback; missing the target is a figure, not a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import resource
import shutil
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._common import (
    machine_busy,
    ms,
    percentile,
    postgres_cpu,
    prepare,
    setup_and_migrate,
    signed_in_session,
    tree_cpu_seconds,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/quad_bench_fanout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
TARGET_P99_MS = 250.0  # issue: 1,000 members, 2 servers, this 2-core machine
QUAD_APP = "quad.asgi:application"
STOCK_APP = "bench._fanout_stock:application"
SUSTAINED_MEMBERS = 50
WARM_UP_MESSAGES = 3
DELIVERY_TIMEOUT = 15.0  # seconds for every client to have one message
PAUSE = 0.3  # seconds between fan-out messages, so they do not overlap
CONNECT_CONCURRENCY = 50  # handshakes in flight at once while opening the clients
STOCK_POOL_SIZE = 5000  # CHAT_REDIS_POOL_SIZE for the stock servers (see `play`)
RATE_LIMIT = 1_000_000  # CHAT_RATE_LIMIT_PER_MINUTE for the bench's servers (see the docstring, step 5)
MSG_PREFIX = b'{"t":"msg","seq":'  # realtime.frame("msg", seq=…): read without parsing the whole frame
BODY = "Walk on Saturday: meet at the station at 9, bring water and a waterproof. Message {n}."


# --- Scene ----------------------------------------------------------------------------------------


@dataclass
class Scene:
    big_group: int
    small_group: int
    cookies: list[str]  # the members' session cookies, in member order


def build_scene(*, members: int) -> Scene:
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone

    from quad.accounts.models import TrainingRecord, User
    from quad.accounts.services import record_training
    from quad.chat import services as chat
    from quad.chat.models import GroupMember
    from quad.chat.permissions import current_version
    from quad.societies import services as societies
    from quad.societies.models import Category

    domain = settings.STUDENT_EMAIL_DOMAINS[0]
    now = timezone.now()
    course_ends = timezone.localdate() + datetime.timedelta(days=700)

    def students(prefix: str, count: int) -> list[User]:
        User.objects.bulk_create(
            [
                User(
                    email=f"{prefix}{n}@{domain}",
                    display_name=f"{prefix.title()} {n}",
                    course_ends_on=course_ends,
                    student_verified_at=now,
                    password="!",  # unusable: nobody signs in with a password here
                )
                for n in range(count)
            ],
            batch_size=1000,
        )
        return list(User.objects.filter(email__startswith=prefix, email__endswith=f"@{domain}").order_by("id"))

    staff = User.objects.create_user("bench.staff@example.com", None, display_name="Bench Staff", is_union_staff=True)
    president, treasurer, secretary = students("committee", 3)
    record_training(
        president, actor=president, source=TrainingRecord.Source.QUIZ, completed_on=timezone.localdate(), score=100
    )
    category, _ = Category.objects.get_or_create(slug="sport-outdoors", defaults={"name": "Sport & Outdoors"})
    society = societies.apply_for_society(
        president,
        name="Hiking Society",
        category=category,
        purpose="A society with a busy group chat.",
        constitution="1. Named as above.",
        committee=[(president.email, "President"), (treasurer.email, "Treasurer"), (secretary.email, "Secretary")],
    )
    society = societies.approve_society(society, actor=staff)
    big = chat.create_group(actor=president, society=society, name="Hiking Society", purpose="Everyone.")
    small = chat.create_group(actor=president, society=society, name="Walk leaders", purpose="The busy few.")

    people = students("member", members)
    GroupMember.objects.bulk_create(
        [
            GroupMember(group=group, user=person, accepted_version=current_version(group), accepted_at=now)
            for group, chosen in ((big, people), (small, people[:SUSTAINED_MEMBERS]))
            for person in chosen
        ],
        batch_size=1000,
    )
    expires = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions = [signed_in_session(person, expires) for person in people]
    Session.objects.bulk_create(sessions, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cookie = settings.SESSION_COOKIE_NAME
    return Scene(big.pk, small.pk, [f"{cookie}={s.session_key}" for s in sessions])


# --- Clients --------------------------------------------------------------------------------------


@dataclass
class Fleet:
    """The load generator's sockets on one group and what they received, by sequence number."""

    expected: int  # sockets that should get each message
    arrivals: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    frame_bytes: int = 0  # the size of the last message frame received
    complete: dict[int, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))
    acks: dict[str, asyncio.Future[int | None]] = field(default_factory=dict)
    acked_at: dict[str, float] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    closed: int = 0
    sockets: list[Any] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)

    def arrived(self, seq: int, at: float) -> None:
        times = self.arrivals[seq]
        times.append(at)
        if len(times) == self.expected:
            self.complete[seq].set()

    def ack_future(self, ref: str) -> asyncio.Future[int | None]:
        return self.acks.setdefault(ref, asyncio.get_running_loop().create_future())

    def answered(self, frame: dict[str, Any], at: float) -> None:
        ref = str(frame.get("ref", ""))
        future = self.ack_future(ref)
        self.acked_at[ref] = at
        if frame["t"] == "ack":
            future.set_result(int(frame["seq"]))
        else:  # error, nudge, quiet: the post was not saved
            self.refused.append(f"{frame['t']}: {frame.get('message', '')}")
            future.set_result(None)

    async def read(self, sock: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                raw = await sock.recv(decode=False)
                at = time.monotonic()
                if raw.startswith(MSG_PREFIX):
                    self.frame_bytes = len(raw)
                    self.arrived(int(raw[len(MSG_PREFIX) : raw.index(b",", len(MSG_PREFIX))]), at)
                    continue
                frame = json.loads(raw)
                if frame["t"] in {"ack", "error", "nudge", "quiet"}:
                    self.answered(frame, at)
        except ConnectionClosed:
            self.closed += 1

    async def open(self, ports: list[int], cookies: list[str], group_id: int) -> None:
        """A socket per cookie, the i-th on ports[i % len(ports)], each past its hello frame."""
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        self.sockets = [None] * len(cookies)

        async def one(index: int, cookie: str) -> None:
            port = ports[index % len(ports)]
            async with gate:
                sock = await connect(
                    f"ws://127.0.0.1:{port}/ws/chat/{group_id}/",
                    origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
                    additional_headers={"Cookie": cookie},
                    proxy=None,
                    open_timeout=60,
                    ping_interval=None,  # no keep-alive pings in the middle of the measurement
                    max_queue=None,
                )
                hello = json.loads(await asyncio.wait_for(sock.recv(), 30))
                if hello["t"] != "hello":
                    raise RuntimeError(f"expected a hello frame, got {hello}")
            self.sockets[index] = sock
            self.readers.append(asyncio.create_task(self.read(sock)))

        await asyncio.gather(*(one(i, c) for i, c in enumerate(cookies)))

    async def post(self, index: int, ref: str, body: str) -> float:
        """Send a post from socket `index`; the moment just before it was sent."""
        frame = json.dumps({"type": "post", "body": body, "ref": ref})
        sock = self.sockets[index]
        self.ack_future(ref)
        began = time.monotonic()
        await sock.send(frame)
        return began

    async def close(self) -> None:
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY * 4)

        async def one(sock: Any) -> None:
            async with gate:
                await sock.close()

        await asyncio.gather(*(one(s) for s in self.sockets if s is not None), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


# --- CPU ------------------------------------------------------------------------------------------


@dataclass
class Meter:
    """CPU seconds of the servers, Redis, PostgreSQL and this process, and the machine's busy share."""

    server_pids: list[int]
    redis_pid: int | None
    database_url: str
    began: dict[str, Any] = field(default_factory=dict)

    def read(self) -> dict[str, Any]:
        return {
            "servers": sum(tree_cpu_seconds(pid) for pid in self.server_pids),
            "redis": tree_cpu_seconds(self.redis_pid) if self.redis_pid else 0.0,
            "postgres": postgres_cpu(self.database_url),
            "client": time.process_time(),
            "machine": machine_busy(),
        }

    def start(self) -> None:
        self.began = self.read()

    def stop(self) -> dict[str, float]:
        now = self.read()
        busy, total = (a - b for a, b in zip(now["machine"], self.began["machine"], strict=True))
        return {
            "servers": now["servers"] - self.began["servers"],
            "redis": now["redis"] - self.began["redis"],
            "postgres": sum(cpu - self.began["postgres"].get(pid, 0.0) for pid, cpu in now["postgres"].items()),
            "client": now["client"] - self.began["client"],
            "machine_busy_pct": round(100 * busy / total) if total else 0,
        }


def redis_pid(url: str) -> int | None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def forget_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


# --- Phases ---------------------------------------------------------------------------------------


async def fan_out(fleet: Fleet, meter: Meter, *, messages: int, tag: str) -> dict[str, Any]:
    """Socket 0 posts one message at a time; every socket must get each. Latency over every delivery."""
    latencies: list[float] = []
    acked, first, spread = [], [], []  # per message: until the ack, until the first frame, first to last frame
    missing = 0
    for n in range(WARM_UP_MESSAGES + messages):
        if n == WARM_UP_MESSAGES:
            meter.start()
        ref = f"{tag}{n}"
        began = await fleet.post(0, ref, BODY.format(n=n))
        seq = await asyncio.wait_for(fleet.acks[ref], DELIVERY_TIMEOUT)
        if seq is None:
            raise RuntimeError(f"the post was refused: {fleet.refused[-1]}")
        with contextlib.suppress(TimeoutError):  # counted as missing below
            await asyncio.wait_for(fleet.complete[seq].wait(), DELIVERY_TIMEOUT)
        if n >= WARM_UP_MESSAGES:
            arrivals = fleet.arrivals[seq]
            latencies += [at - began for at in arrivals]
            missing += fleet.expected - len(arrivals)
            acked.append(fleet.acked_at[ref] - began)
            if arrivals:
                first.append(min(arrivals) - began)
                spread.append(max(arrivals) - min(arrivals))
        await asyncio.sleep(PAUSE)
    cpu = meter.stop()
    deliveries = len(latencies)
    return {
        "p50_ms": ms(percentile(latencies, 50)),
        "p90_ms": ms(percentile(latencies, 90)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies, default=0.0)),
        # Where the time goes, medians over the messages: the post until its ack, until the first socket
        # had the frame (saving, rendering, the layer), and from the first socket to the last (fan-out).
        "ack_ms": ms(percentile(acked, 50)),
        "first_delivery_ms": ms(percentile(first, 50)),
        "first_to_last_ms": ms(percentile(spread, 50)),
        "deliveries": deliveries,
        "missing": missing,
        "cpu_ms_per_delivery": round(cpu["servers"] * 1000 / deliveries, 3) if deliveries else 0,
        "cpu_ms_per_message": round(cpu["servers"] * 1000 / messages, 1),
        "redis_cpu_ms_per_message": round(cpu["redis"] * 1000 / messages, 2),
        "postgres_cpu_ms_per_message": round(cpu["postgres"] * 1000 / messages, 2),
        "load_generator_cpu_ms_per_delivery": round(cpu["client"] * 1000 / deliveries, 3) if deliveries else 0,
        "machine_busy_pct": cpu["machine_busy_pct"],
    }


async def sustained(fleet: Fleet, meter: Meter, *, seconds: float, tag: str) -> dict[str, Any]:
    """Every socket posts as fast as its posts are acknowledged, for `seconds`."""
    stop_at = time.monotonic() + seconds
    posted: dict[int, float] = {}  # seq: when its post was sent
    refused = 0

    async def poster(index: int) -> None:
        nonlocal refused
        n = 0
        while time.monotonic() < stop_at:
            ref = f"{tag}{index}-{n}"
            n += 1
            began = await fleet.post(index, ref, BODY.format(n=n))
            seq = await asyncio.wait_for(fleet.acks[ref], DELIVERY_TIMEOUT)
            if seq is None:
                refused += 1
            else:
                posted[seq] = began

    meter.start()
    began = time.monotonic()
    await asyncio.gather(*(poster(i) for i in range(len(fleet.sockets))))
    posting = time.monotonic() - began
    for seq in posted:
        with contextlib.suppress(TimeoutError):  # counted as missing below
            await asyncio.wait_for(fleet.complete[seq].wait(), DELIVERY_TIMEOUT)
    cpu = meter.stop()
    latencies = [at - posted[seq] for seq in posted for at in fleet.arrivals[seq]]
    last = max((at for seq in posted for at in fleet.arrivals[seq]), default=began)
    return {
        # The machine is shared: CPU per post says what a post costs whatever else was running.
        "cpu_ms_per_post": round(cpu["servers"] * 1000 / len(posted), 1) if posted else 0,
        "postgres_cpu_ms_per_post": round(cpu["postgres"] * 1000 / len(posted), 1) if posted else 0,
        "machine_busy_pct": cpu["machine_busy_pct"],
        "posted_per_s": round(len(posted) / posting, 1),
        "delivered_per_s": round(len(latencies) / (last - began), 1) if last > began else 0,
        "posted": len(posted),
        "delivered": len(latencies),
        "missing": len(posted) * fleet.expected - len(latencies),
        "refused": refused,
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(percentile(latencies, 99)),
    }


# --- Variants -------------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    app: str
    servers: int
    sustained: bool


def play(
    variant: Variant, scene: Scene, *, env: dict[str, str], var_dir: Path, args: argparse.Namespace, redis: str
) -> dict[str, Any]:
    from quad.chat.tests.two_servers_scene import start_server, stop_server, wait_serving

    if variant.app == STOCK_APP:
        # Quad's pool (CHAT_REDIS_POOL_SIZE, 200) is sized for a hub's one group_add per process; stock
        # Channels adds every socket to the group and a thousand connecting at once would exhaust it.
        env = env | {"CHAT_REDIS_POOL_SIZE": str(STOCK_POOL_SIZE)}
    servers = [start_server(f"{variant.name}-{i}", env, var_dir, app=variant.app) for i in range(variant.servers)]
    try:
        for server in servers:
            wait_serving(server, timeout=60)
        meter = Meter([s.process.pid for s in servers], redis_pid(redis), args.database_url)
        ports = [s.port for s in servers]

        async def session() -> dict[str, Any]:
            fleet = Fleet(expected=args.clients)
            began = time.monotonic()
            await fleet.open(ports, scene.cookies[: args.clients], scene.big_group)
            opened = time.monotonic() - began
            print(f"  {args.clients} clients open in {opened:.1f} s", flush=True)
            figures = await fan_out(fleet, meter, messages=args.messages, tag=f"{variant.name}-f")
            figures |= {
                "clients_open_s": round(opened, 1),
                "frame_bytes": fleet.frame_bytes,
                "closed_early": fleet.closed,
            }
            await fleet.close()
            print(f"  fan-out: {json.dumps(figures)}", flush=True)
            if variant.sustained:
                await asyncio.sleep(1)  # let the servers finish closing the big group's sockets
                small = Fleet(expected=SUSTAINED_MEMBERS)
                await small.open(ports, scene.cookies[:SUSTAINED_MEMBERS], scene.small_group)
                steady = await sustained(small, meter, seconds=args.sustained_seconds, tag=f"{variant.name}-s")
                await small.close()
                print(f"  sustained: {json.dumps(steady)}", flush=True)
                figures["sustained"] = steady
            return figures

        figures = run_async(session())
    finally:
        for server in servers:
            # Stock Channels' servers can take over 10 s to finish their consumers after the clients
            # have gone; nothing is measured any more, so they get 3 s.
            stop_server(server, grace=3)
    figures["server_tracebacks"] = sum(s.tracebacks() for s in servers)
    if figures["server_tracebacks"]:
        text = next(s for s in servers if s.tracebacks()).log.read_text(errors="replace")
        print(f"  a server logged tracebacks; the first:\n{text[text.index('Traceback') :][:4000]}", flush=True)
    return figures


def run_async(coroutine: Any) -> Any:
    """Run the load generator on uvloop when it is installed (uvicorn uses it too): less CPU per frame."""
    try:
        import uvloop

        factory = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coroutine)


def raise_open_files_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(needed, soft)), hard))


# --- Main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 clients, 2 servers only")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--messages", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.clients = args.clients or (200 if args.quick else 1000)
    args.messages = args.messages or (6 if args.quick else 20)
    args.sustained_seconds = 3.0 if args.quick else 10.0
    args.database_url = os.environ.get("BENCH_FANOUT_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis = os.environ.get("BENCH_FANOUT_REDIS_URL", DEFAULT_REDIS_URL)
    prefix = f"quad-bench-fanout-{uuid.uuid4().hex[:10]}"
    raise_open_files_limit(args.clients * 2 + 200)

    variants = [Variant("quad", QUAD_APP, 2, True), Variant("stock", STOCK_APP, 2, True)]
    if not args.quick:
        variants += [Variant("quad_1", QUAD_APP, 1, False), Variant("stock_1", STOCK_APP, 1, False)]

    var_dir, env = prepare(args.database_url, var_prefix="quad-bench-fanout-")
    env = env | {
        "REDIS_URL": redis,
        "CHAT_REDIS_PREFIX": prefix,
        "CHAT_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",
    }
    results: dict[str, dict[str, Any]] = {}
    try:
        setup_and_migrate()
        from django.db import connections

        print(f"Building the scene: {args.clients} members…", flush=True)
        began = time.perf_counter()
        scene = build_scene(members=args.clients)
        connections.close_all()
        print(f"  built in {time.perf_counter() - began:.1f} s", flush=True)
        load_before = os.getloadavg()[0]
        for variant in variants:
            print(f"{variant.name}: {variant.servers} server(s), {args.clients} clients…", flush=True)
            results[variant.name] = play(variant, scene, env=env, var_dir=var_dir, args=args, redis=redis)
    finally:
        forget_redis_keys(redis, prefix)
        if not args.keep:
            from django.db import connections

            from bench._common import drop_database

            connections.close_all()
            drop_database(args.database_url)
        shutil.rmtree(var_dir, ignore_errors=True)

    quad, stock = results["quad"], results["stock"]
    figures: dict[str, Any] = {
        "clients": args.clients,
        "servers": 2,
        "messages": args.messages,
        "p50_ms": quad["p50_ms"],
        "p99_ms": quad["p99_ms"],
        "max_ms": quad["max_ms"],
        "ack_ms": quad["ack_ms"],
        "first_delivery_ms": quad["first_delivery_ms"],
        "first_to_last_ms": quad["first_to_last_ms"],
        "cpu_ms_per_delivery": quad["cpu_ms_per_delivery"],
        "cpu_ms_per_message": quad["cpu_ms_per_message"],
        "redis_cpu_ms_per_message": quad["redis_cpu_ms_per_message"],
        "stock_p50_ms": stock["p50_ms"],
        "stock_p99_ms": stock["p99_ms"],
        "stock_max_ms": stock["max_ms"],
        "stock_first_delivery_ms": stock["first_delivery_ms"],
        "stock_first_to_last_ms": stock["first_to_last_ms"],
        "stock_cpu_ms_per_delivery": stock["cpu_ms_per_delivery"],
        "stock_cpu_ms_per_message": stock["cpu_ms_per_message"],
        "stock_redis_cpu_ms_per_message": stock["redis_cpu_ms_per_message"],
    }
    for name in ("quad_1", "stock_1"):
        if name in results:
            one = results[name]
            figures |= {
                f"{name}_server_p50_ms": one["p50_ms"],
                f"{name}_server_p99_ms": one["p99_ms"],
                f"{name}_server_cpu_ms_per_delivery": one["cpu_ms_per_delivery"],
            }
    figures |= {
        "sustained_members": SUSTAINED_MEMBERS,
        "sustained_seconds": args.sustained_seconds,
        "sustained_posted_per_s": quad["sustained"]["posted_per_s"],
        "sustained_delivered_per_s": quad["sustained"]["delivered_per_s"],
        "sustained_cpu_ms_per_post": quad["sustained"]["cpu_ms_per_post"],
        "stock_sustained_posted_per_s": stock["sustained"]["posted_per_s"],
        "stock_sustained_delivered_per_s": stock["sustained"]["delivered_per_s"],
        "stock_sustained_cpu_ms_per_post": stock["sustained"]["cpu_ms_per_post"],
        "missing_deliveries": sum(r["missing"] + r.get("sustained", {}).get("missing", 0) for r in results.values()),
        "refused_posts": sum(r.get("sustained", {}).get("refused", 0) for r in results.values()),
        "server_tracebacks": sum(r["server_tracebacks"] for r in results.values()),
        "clients_open_s": quad["clients_open_s"],
        "stock_clients_open_s": stock["clients_open_s"],
        "frame_bytes": quad["frame_bytes"],
        "load_generator_cpu_ms_per_delivery": quad["load_generator_cpu_ms_per_delivery"],
        "machine_busy_pct": quad["machine_busy_pct"],
        "load_average_before": round(load_before, 2),
        "target_p99_ms": TARGET_P99_MS,
        "target_met": "yes" if quad["p99_ms"] < TARGET_P99_MS else "no",
        "server": "uvicorn (one process per server, uvloop, httptools, websockets-sansio), channels_redis, PostgreSQL",
        "client": "websockets asyncio client on uvloop in one process, permessage-deflate, on the same 2 cores",
        "rate_limit_for_the_bench": RATE_LIMIT,
    }
    print(json.dumps(figures))
    quad_missing = sum(
        r["missing"] + r.get("sustained", {}).get("missing", 0) for k, r in results.items() if "quad" in k
    )
    if quad_missing or figures["server_tracebacks"] or figures["refused_posts"]:
        sys.exit(f"FAILED: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
