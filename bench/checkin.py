"""Check-in at the door: scans per second through the scanner's HTTP endpoint, and no double check-ins.

    .venv/bin/python -m bench.checkin            # 3,000 tickets, 300 of them scanned twice at once; 8 scanners
    .venv/bin/python -m bench.checkin --quick    # 600 tickets, 60 scanned twice (well under a minute)

What it does, start to finish (it stops by itself; traffic goes to 127.0.0.1 only):
1. drops and recreates the PostgreSQL database `quad_bench_checkin` (BENCH_CHECKIN_DATABASE_URL to
   change it; the name must start with quad_bench) and migrates it;
2. builds the scene: a society founded and approved through Quad's services, whose President and
   Secretary (both with the events power) have valid GDPR training; an event made with
   `create_event` and a £5 ticket type with `add_ticket_type`; then N ticket holders, each with a paid
   order, its payment and one ticket, written with bulk_create (buying thousands of tickets through
   the checkout would measure the checkout, which bench.checkout does). The scanners are signed in:
   their Django sessions are written straight to the database, alternately the President's and the
   Secretary's;
3. starts uvicorn serving quad.asgi on a free loopback port (production task backend, no worker);
4. releases the scanner clients at once: threads, each with its own keep-alive HTTP connection
   (http.client: lighter on the shared CPU than requests), session cookie and CSRF token, doing what
   the scanner page's script does: POST /events/<pk>/check-in/scan/ with the code and
   `Accept: application/json`. Every ticket is scanned once; a share of them (10%) is scanned twice
   at the same moment by two different scanners (both wait on a barrier, then post);
5. checks the answers and the database, stops the server and drops the database.

The last line of output is one JSON object. `double_check_ins` (tickets answered "valid" twice) must
be 0, every ticket must have been admitted exactly once (`db_checked_in` = tickets, and each
ticket's `checked_in_by` is the scanner that was told "valid"), and `errors` must be 0; it exits
non-zero otherwise. `scans_per_s` is scans answered over the wall time from the release until the
last answer. The load generator shares the machine's 2 cores with the server and PostgreSQL:
`cpu_*` say how (`cpu_postgres_s`: the backends serving the bench's database), and
`machine_busy_pct` with `load_average_before` whether anything else was running.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench._common import (
    finish,
    machine_busy,
    ms,
    percentile,
    postgres_cpu,
    prepare,
    serve,
    setup_and_migrate,
    signed_in_session,
    stop_server,
    tree_cpu_seconds,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/quad_bench_checkin"
REQUEST_TIMEOUT = 30.0  # seconds, one request
RUN_TIMEOUT = 150.0  # seconds, all the scanning
PRICE_PENCE = 500
DOUBLE_SHARE = 0.10
CORES = os.cpu_count() or 1
TARGET_SCANS_PER_S = 200  # issue 4; a figure to record, not a reason to fail (only correctness fails the bench)
SEED = 20250402


# --- Scene ----------------------------------------------------------------------------------------


@dataclass
class Scene:
    event_id: int
    codes: list[str]
    scanners: list[tuple[str, int]]  # (session key, user id); the last one warms the server up
    warm_code: str  # a ticket outside the run that warms the server up
    counted_code: str  # a ticket outside the run whose scans have their SQL queries counted


def build_scene(*, tickets: int, scanners: int) -> Scene:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone

    from quad.accounts.models import TrainingRecord, User
    from quad.accounts.services import record_training
    from quad.commerce.models import Order, OrderLine, Payment
    from quad.events import services as events
    from quad.events.models import Ticket
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
        people = list(User.objects.filter(email__startswith=prefix, email__endswith=f"@{domain}").order_by("id"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people], batch_size=1000
        )
        return people

    staff = User.objects.create_user("bench.staff@example.com", None, display_name="Bench Staff", is_union_staff=True)
    president, treasurer, secretary = students("committee", 3)
    for person in (president, secretary):
        record_training(
            person, actor=person, source=TrainingRecord.Source.QUIZ, completed_on=timezone.localdate(), score=100
        )
    category, _ = Category.objects.get_or_create(slug="sport-outdoors", defaults={"name": "Sport & Outdoors"})
    society = societies.apply_for_society(
        president,
        name="Door Society",
        category=category,
        purpose="A society whose events have a queue at the door.",
        constitution="1. Named as above.",
        committee=[(president.email, "President"), (treasurer.email, "Treasurer"), (secretary.email, "Secretary")],
    )
    societies.approve_society(society, actor=staff)
    starts = now + datetime.timedelta(minutes=30)
    event = events.create_event(
        society,
        actor=president,
        title="Freshers' Ball",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=5),
        capacity=tickets + 10,
        venue="The Great Hall",
    )
    ticket_type = events.add_ticket_type(event, actor=president, name="Standard", price_pence=PRICE_PENCE)

    holders = students("holder", tickets + 2)  # two more tickets: one warms the server up, one is counted
    orders = Order.objects.bulk_create(
        [
            Order(
                buyer=holder,
                status=Order.Status.PAID,
                total_pence=PRICE_PENCE,
                provider="test",
                expires_at=now,
                paid_at=now,
            )
            for holder in holders
        ],
        batch_size=1000,
    )
    Payment.objects.bulk_create(
        [
            Payment(order=o, provider="test", provider_payment_id=f"test-{o.reference}", amount_pence=PRICE_PENCE)
            for o in orders
        ],
        batch_size=1000,
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                variant_id=ticket_type.variant_id,
                seller=society,
                kind=events.KIND,
                description=f"{event.title}: Standard",
                quantity=1,
                unit_price_pence=PRICE_PENCE,
            )
            for o in orders
        ],
        batch_size=1000,
    )
    issued = Ticket.objects.bulk_create(
        [
            Ticket(event=event, ticket_type=ticket_type, holder=holder, order_line=line)
            for holder, line in zip(holders, lines, strict=True)
        ],
        batch_size=1000,
    )
    codes = [t.code for t in issued]

    expires = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    people = [president, secretary]
    sessions = []
    for n in range(scanners + 1):  # one extra session warms the server up
        person = people[n % len(people)]
        sessions.append((signed_in_session(person, expires), person.pk))
    Session.objects.bulk_create([s for s, _ in sessions])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Scene(
        event_id=event.pk,
        codes=codes[:-2],
        scanners=[(s.session_key, uid) for s, uid in sessions],
        warm_code=codes[-2],
        counted_code=codes[-1],
    )


# --- Scanning -------------------------------------------------------------------------------------


@dataclass
class Job:
    code: str
    barrier: threading.Barrier | None = None  # set for the two scans of one ticket at the same moment


@dataclass
class Answer:
    code: str
    scanner: int  # user id of the scanner
    outcome: str  # valid | already | wrong_event | cancelled | unknown | error
    seconds: float
    status: int
    double: bool
    detail: str = ""


@dataclass
class Scanner:
    session_key: str
    user_id: int
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))  # 32 characters, as Django's secret


def scan_jobs(codes: list[str], *, share: float, rng: random.Random) -> tuple[list[Job], set[str]]:
    """Every code once, in a shuffled order; `share` of them twice, as two consecutive jobs sharing a barrier."""
    doubles = set(rng.sample(codes, round(len(codes) * share)))
    order = codes[:]
    rng.shuffle(order)
    jobs: list[Job] = []
    for code in order:
        if code in doubles:
            barrier = threading.Barrier(2, timeout=REQUEST_TIMEOUT)
            jobs += [Job(code, barrier), Job(code, barrier)]
        else:
            jobs.append(Job(code))
    return jobs, doubles


class ScanClient:
    """One scanner phone: a keep-alive HTTP/1.1 connection with its session cookie and CSRF token.

    http.client rather than requests: the load generator runs on the same 2 cores as the server and
    PostgreSQL, and requests costs about a millisecond of CPU a scan more, taken from the server.
    """

    def __init__(self, base: str, scanner: Scanner) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {
            "Cookie": f"sessionid={scanner.session_key}; csrftoken={scanner.csrf}",
            "X-CSRFToken": scanner.csrf,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, code: str) -> tuple[int, str, bytes]:
        """(status, content type, body). A dropped keep-alive connection is reopened once."""
        body = urlencode({"code": code})
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
            try:
                self.connection.request("POST", path, body=body, headers=self.headers)
                response = self.connection.getresponse()
                return response.status, response.getheader("Content-Type", ""), response.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run_scanners(base: str, event_id: int, scanners: list[Scanner], jobs: list[Job]) -> tuple[list[Answer], float]:
    """Release every scanner at once; each takes the next job until none is left. Returns (answers, wall time)."""
    path = f"/events/{event_id}/check-in/scan/"
    lock = threading.Lock()
    cursor = [0]
    answers: list[Answer] = []
    start = [0.0]
    finished = [0.0]
    deadline = [0.0]

    def release() -> None:
        start[0] = time.perf_counter()
        deadline[0] = start[0] + RUN_TIMEOUT

    ready = threading.Barrier(len(scanners), action=release)

    def next_job() -> Job | None:
        # Consecutive jobs of a double go to two different scanners: the one that took the first waits
        # on the barrier and cannot take the second.
        with lock:
            if cursor[0] >= len(jobs) or time.perf_counter() > deadline[0]:
                return None
            cursor[0] += 1
            return jobs[cursor[0] - 1]

    def work(scanner: Scanner) -> None:
        client = ScanClient(base, scanner)
        mine: list[Answer] = []
        try:
            ready.wait(timeout=RUN_TIMEOUT)
            while (job := next_job()) is not None:
                double = job.barrier is not None
                if job.barrier is not None:
                    try:
                        job.barrier.wait()
                    except threading.BrokenBarrierError:
                        mine.append(Answer(job.code, scanner.user_id, "error", 0.0, 0, True, "barrier broken"))
                        continue
                began = time.perf_counter()
                try:
                    status, content_type, body = client.post(path, job.code)
                except (OSError, http.client.HTTPException) as error:
                    seconds = time.perf_counter() - began
                    mine.append(Answer(job.code, scanner.user_id, "error", seconds, 0, double, repr(error)))
                    continue
                seconds = time.perf_counter() - began
                outcome, detail = "error", ""
                if status == 200 and content_type.startswith("application/json"):
                    outcome = str(json.loads(body).get("outcome", "error"))
                else:
                    detail = f"HTTP {status}: {body[:200]!r}"
                mine.append(Answer(job.code, scanner.user_id, outcome, seconds, status, double, detail))
        finally:
            with lock:
                answers.extend(mine)
                finished[0] = max(finished[0], time.perf_counter())
            client.close()

    threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in scanners]
    for thread in threads:
        thread.start()
    stop_at = time.monotonic() + RUN_TIMEOUT + 30
    for thread in threads:
        thread.join(max(stop_at - time.monotonic(), 0.1))
    return answers, finished[0] - start[0]


def warm_up(base: str, event_id: int, scanner: Scanner, code: str, *, workers: int) -> None:
    """Load the scanner page and post scans in each worker (templates, URL resolver, pool connections)."""
    import requests

    def visit() -> None:
        with requests.Session() as http:
            http.cookies.set("sessionid", scanner.session_key)
            http.cookies.set("csrftoken", scanner.csrf)
            headers = {"X-CSRFToken": scanner.csrf, "Accept": "application/json"}
            http.get(f"{base}/events/{event_id}/check-in/", timeout=REQUEST_TIMEOUT)
            for _ in range(5):
                response = http.post(
                    f"{base}/events/{event_id}/check-in/scan/", data={"code": code}, headers=headers, timeout=30
                )
                if response.status_code != 200:
                    raise SystemExit(f"warm-up scan: HTTP {response.status_code}: {response.text[:300]}")

    threads = [threading.Thread(target=visit) for _ in range(workers * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT * 6)


def count_scan_queries(event_id: int, session_key: str, code: str) -> tuple[int, int]:
    """SQL queries of one scan answered "valid" and of one answered "already", the whole request (session
    and user included), with Django's test client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = session_key
    counts = []
    for expected in ("valid", "already"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                f"/events/{event_id}/check-in/scan/", {"code": code}, headers={"accept": "application/json"}
            )
        if response.status_code != 200 or response.json()["outcome"] != expected:
            raise SystemExit(
                f"counting queries: expected {expected}, got HTTP {response.status_code} {response.content[:200]!r}"
            )
        counts.append(len(queries))
    return counts[0], counts[1]


def database_view(event_id: int) -> dict[int, tuple[bool, int | None]]:
    """{ticket id: (checked in, by whom)}, straight from the database."""
    from quad.events.models import Ticket

    return {
        pk: (checked_at is not None, by)
        for pk, checked_at, by in Ticket.objects.filter(event_id=event_id).values_list(
            "pk", "checked_in_at", "checked_in_by_id"
        )
    }


# --- Main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 tickets instead of 3,000")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--scanners", type=int, default=8, help="concurrent scanner clients (threads)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    tickets = args.tickets or (600 if args.quick else 3000)
    if args.scanners < 2:
        raise SystemExit("Two scans of one ticket at the same moment need at least two scanners.")

    url = os.environ.get("BENCH_CHECKIN_DATABASE_URL", DEFAULT_DATABASE_URL)
    var_dir, env = prepare(url, var_prefix="quad-bench-checkin-")
    server: subprocess.Popen[bytes] | None = None
    log = var_dir / "uvicorn.log"
    try:
        setup_and_migrate()
        from django.db import connection

        from quad.events.models import Ticket

        print(f"Building the scene: {tickets} tickets, {args.scanners} scanners…", flush=True)
        began = time.perf_counter()
        scene = build_scene(tickets=tickets, scanners=args.scanners)
        print(f"  built in {time.perf_counter() - began:.1f} s", flush=True)
        ids = dict(Ticket.objects.filter(event_id=scene.event_id).values_list("code", "pk"))
        queries_valid, queries_already = count_scan_queries(scene.event_id, scene.scanners[-1][0], scene.counted_code)
        connection.close()

        scanners = [Scanner(key, uid) for key, uid in scene.scanners]
        warm_scanner, scanners = scanners[-1], scanners[:-1]
        jobs, doubles = scan_jobs(scene.codes, share=DOUBLE_SHARE, rng=random.Random(SEED))

        server, base = serve(workers=args.workers, env=env, log=log)
        warm_up(base, scene.event_id, warm_scanner, scene.warm_code, workers=args.workers)

        print(f"Scanning: {len(jobs)} scans of {len(scene.codes)} tickets at {base}…", flush=True)
        load_before = os.getloadavg()[0]
        server_cpu, client_cpu, machine = tree_cpu_seconds(server.pid), time.process_time(), machine_busy()
        database_cpu = postgres_cpu(url)
        answers, wall = run_scanners(base, scene.event_id, scanners, jobs)
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
        database_cpu = {pid: cpu - database_cpu.get(pid, 0.0) for pid, cpu in postgres_cpu(url).items()}
        client_cpu = time.process_time() - client_cpu
        busy, total = (after - before for after, before in zip(machine_busy(), machine, strict=True))
        stop_server(server)

        in_db = database_view(scene.event_id)
        connection.close()
    finally:
        server_errors = finish(server=server, log=log, url=url, var_dir=var_dir, keep=args.keep)

    outcomes = Counter(a.outcome for a in answers)
    valid_answers: dict[str, list[int]] = {}
    for a in answers:
        if a.outcome == "valid":
            valid_answers.setdefault(a.code, []).append(a.scanner)
    double_check_ins = sum(1 for scanners_told in valid_answers.values() if len(scanners_told) > 1)
    never_admitted = sum(1 for code in scene.codes if code not in valid_answers)
    told_at_once: dict[str, list[str]] = {}
    for a in answers:
        if a.double:
            told_at_once.setdefault(a.code, []).append(a.outcome)
    pair_outcomes = Counter(tuple(sorted(outcomes_)) for outcomes_ in told_at_once.values())
    # The database: every ticket in the run is checked in exactly once, by the scanner told "valid".
    db_checked_in = sum(1 for pk in (ids[c] for c in scene.codes) if in_db[pk][0])
    db_by_mismatch = sum(1 for code, told in valid_answers.items() if len(told) == 1 and in_db[ids[code]][1] != told[0])
    failed = [a for a in answers if a.outcome == "error"]
    for a in failed[:5]:
        print(f"  error: {a.detail}", flush=True)
    seconds = [a.seconds for a in answers if a.outcome != "error"]
    bench_cpu = server_cpu + sum(database_cpu.values()) + client_cpu
    figures: dict[str, Any] = {
        "tickets": len(scene.codes),
        "scans": len(answers),
        "scans_planned": len(jobs),
        "scanned_twice_at_once": len(doubles),
        "scanners": len(scanners),
        "scans_per_s": round(len(answers) / wall, 1) if wall else 0,
        "target_scans_per_s": TARGET_SCANS_PER_S,
        "target_met": bool(wall) and len(answers) / wall >= TARGET_SCANS_PER_S,
        "scan_p50_ms": ms(percentile(seconds, 50)),
        "scan_p90_ms": ms(percentile(seconds, 90)),
        "scan_p99_ms": ms(percentile(seconds, 99)),
        "queries_per_scan_valid": queries_valid,
        "queries_per_scan_already": queries_already,
        "valid": outcomes["valid"],
        "already": outcomes["already"],
        "other_outcomes": sum(n for o, n in outcomes.items() if o not in {"valid", "already", "error"}),
        "double_check_ins": double_check_ins,
        "never_admitted": never_admitted,
        "pairs_valid_and_already": pair_outcomes[("already", "valid")],
        "db_checked_in": db_checked_in,
        "db_checked_in_by_mismatch": db_by_mismatch,
        "errors": len(failed),
        "server_tracebacks": server_errors,
        "wall_s": round(wall, 2),
        "server_cpu_ms_per_scan": round(server_cpu * 1000 / len(answers), 2) if answers else 0,
        "cpu_server_s": round(server_cpu, 1),
        "cpu_postgres_s": round(sum(database_cpu.values()), 1),
        # What the CPU spent per scan (server, PostgreSQL, load generator) would allow with both cores
        # to the bench alone: an estimate, for a machine shared with other work (see machine_busy_pct).
        "cpu_bound_scans_per_s_estimate": round(len(answers) / (bench_cpu / CORES)) if bench_cpu else 0,
        "cpu_load_generator_s": round(client_cpu, 1),
        "machine_busy_pct": round(100 * busy / total) if total else 0,
        "load_average_before": round(load_before, 2),
        "server": f"uvicorn quad.asgi:application, {args.workers} workers, PostgreSQL",
        "client": f"{len(scanners)} threads, a keep-alive http.client connection each, on the same 2 cores as "
        "server and database",
    }
    print(json.dumps(figures))
    ok = (
        double_check_ins == 0
        and never_admitted == 0
        and not failed
        and not server_errors
        and db_checked_in == len(scene.codes)
        and db_by_mismatch == 0
        and len(answers) == len(jobs)
        and figures["other_outcomes"] == 0
        and pair_outcomes[("already", "valid")] == len(doubles)
    )
    if not ok:
        sys.exit(f"FAILED: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
