"""Checkout rush: 500 students try to buy the last 100 memberships at once, through the real HTTP stack.

    .venv/bin/python -m bench.checkout            # 500 buyers, 100 places
    .venv/bin/python -m bench.checkout --quick    # 150 buyers, 30 places (well under a minute)

What it does, start to finish (it stops by itself; traffic goes to 127.0.0.1 only):
1. drops and recreates the PostgreSQL database `quad_bench_checkout` (BENCH_CHECKOUT_DATABASE_URL to
   change it; the name must start with quad_bench) and migrates it;
2. builds the scene through Quad's services: a society selling one membership type limited to the
   number of places, and the buyers: verified current students, each already signed in (their
   Django sessions are written straight to the database: signing hundreds of people in through
   allauth would measure password hashing, not the checkout);
3. starts uvicorn serving quad.asgi on a free loopback port, with the production task backend
   (django-tasks-db: a receipt email is queued in the database; no worker runs, so none is sent);
4. releases every buyer at once. Each buyer is a thread with its own requests.Session and does what
   the pages do: POST /shop/basket/add/, POST /shop/checkout/, then POST action=pay on the
   TEST MODE payment page. Redirects are not followed, except that a buyer turned away at checkout
   fetches the basket page to read why, which must say "Sold out" or "Only N left";
5. counts in the database what was sold, stops the server and drops the database.

The last line of output is one JSON object. `oversold` must be 0 and `errors` (HTTP 5xx, failed or
timed-out requests, unexpected answers) must be 0; a buyer told "sold out" is not an error; it exits
non-zero otherwise. `orders_per_minute` is paid orders over the wall time of the whole rush (from the
start until the last buyer had an answer); `buyers_answered_per_minute` counts every buyer who got a
clear answer, paid or sold out. Latencies are seen by the buyers: `buy_*` from the start to the
buyer's last answer. The load generator runs on the same machine as the server and the database,
and competes with them for CPU: `cpu_*` and `load_average_before` say how the machine was shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bench._common import (
    EMAIL_BACKEND,
    TASKS_BACKEND,
    finish,
    machine_busy,
    ms,
    percentile,
    prepare,
    serve,
    setup_and_migrate,
    signed_in_session,
    stop_server,
    tree_cpu_seconds,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/quad_bench_checkout"
REQUEST_TIMEOUT = 30.0  # seconds, one request
RUSH_TIMEOUT = 120.0  # seconds, the whole rush
PRICE_PENCE = 500
TARGET_ORDERS_PER_MINUTE = 3000  # the target, with 0 oversold and 0 errors


@dataclass
class Buyer:
    session_key: str
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))  # 32 characters, as Django's secret
    outcome: str = "not started"  # paid | sold out | error
    detail: str = ""
    finished_at: float = 0.0  # seconds after the start
    timings: list[tuple[str, float, int]] = field(default_factory=list)  # (step, seconds, status)


# --- Database and scene --------------------------------------------------------------------------


def build_scene(*, places: int, buyers: int) -> tuple[int, list[str]]:
    """A society selling `places` memberships; `buyers` signed-in students. Returns (variant id, session keys)."""
    import datetime

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from quad.accounts.models import User
    from quad.core.academic import current_academic_year
    from quad.memberships.services import create_membership_type
    from quad.societies import services as societies
    from quad.societies.models import Category

    domain = settings.STUDENT_EMAIL_DOMAINS[0]
    now = timezone.now()
    course_ends = timezone.localdate() + datetime.timedelta(days=700)

    def students(prefix: str, count: int) -> list[User]:
        people = [
            User(
                email=f"{prefix}{n}@{domain}",
                display_name=f"{prefix.title()} {n}",
                course_ends_on=course_ends,
                student_verified_at=now,
                password="!",  # unusable: nobody signs in with a password here
            )
            for n in range(count)
        ]
        User.objects.bulk_create(people, batch_size=1000)
        people = list(User.objects.filter(email__startswith=prefix, email__endswith=f"@{domain}").order_by("id"))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people], batch_size=1000
        )
        return people

    staff = User.objects.create_user("bench.staff@example.com", None, display_name="Bench Staff", is_union_staff=True)
    president, treasurer, secretary = students("committee", 3)
    category, _ = Category.objects.get_or_create(slug="sport-outdoors", defaults={"name": "Sport & Outdoors"})
    society = societies.apply_for_society(
        president,
        name="Rush Society",
        category=category,
        purpose="A society whose memberships sell out in seconds.",
        constitution="1. Named as above.",
        committee=[(president.email, "President"), (treasurer.email, "Treasurer"), (secretary.email, "Secretary")],
    )
    societies.approve_society(society, actor=staff)
    membership_type = create_membership_type(
        society,
        actor=president,
        year=current_academic_year(),
        name="Full member",
        price_pence=PRICE_PENCE,
        limit=places,
    )
    people = students("buyer", buyers)
    expires = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions = [signed_in_session(person, expires) for person in people]
    Session.objects.bulk_create(sessions, batch_size=1000)
    return membership_type.variant_id, [s.session_key for s in sessions]


def count_sales(variant_id: int) -> dict[str, int]:
    from django.db.models import Sum

    from quad.commerce.models import Order, OrderLine, Payment, Quota
    from quad.memberships.models import Membership

    quota = Quota.objects.get(variants__id=variant_id)
    paid_lines = OrderLine.objects.filter(variant_id=variant_id, order__status=Order.Status.PAID)
    return {
        "quota": quota.size,
        "sold": int(paid_lines.aggregate(n=Sum("quantity"))["n"] or 0),
        "paid_orders": Order.objects.filter(status=Order.Status.PAID).count(),
        "payments": Payment.objects.count(),
        "memberships": Membership.objects.filter(status=Membership.Status.ACTIVE).count(),
        "pending_orders": Order.objects.filter(status=Order.Status.PENDING).count(),
    }


# --- Server -----------------------------------------------------------------------------------


def pooling() -> str:
    from django.conf import settings

    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if pool:
        return f"a pool of at most {pool['max_size']} connections per worker"
    return f"no pool, CONN_MAX_AGE {settings.DATABASES['default'].get('CONN_MAX_AGE', 0)}"


def warm_up(base: str, session_key: str, *, workers: int) -> None:
    """Load every page the rush touches once in each worker (templates, URL resolver, connections)."""
    import requests

    def visit() -> None:
        with requests.Session() as http:
            http.cookies.set("sessionid", session_key)
            for path in ("/", "/shop/basket/", "/account/"):
                http.get(base + path, timeout=REQUEST_TIMEOUT)

    threads = [threading.Thread(target=visit) for _ in range(workers * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT)


# --- The rush ---------------------------------------------------------------------------------


def buy(base: str, buyer: Buyer, variant_id: int, barrier: threading.Barrier, start: list[float]) -> None:
    import requests

    http = requests.Session()
    http.cookies.set("sessionid", buyer.session_key)
    http.cookies.set("csrftoken", buyer.csrf)
    headers = {"X-CSRFToken": buyer.csrf}

    def call(step: str, method: str, path: str, data: dict[str, str] | None = None) -> requests.Response:
        began = time.perf_counter()
        response = http.request(
            method, base + path, data=data, headers=headers, allow_redirects=False, timeout=REQUEST_TIMEOUT
        )
        buyer.timings.append((step, time.perf_counter() - began, response.status_code))
        if response.status_code >= 500:
            raise RuntimeError(f"{step}: HTTP {response.status_code}")
        return response

    def expect_redirect(step: str, response: requests.Response) -> str:
        if response.status_code != 302:
            raise RuntimeError(f"{step}: HTTP {response.status_code}, expected a redirect")
        return str(response.headers["Location"])

    try:
        barrier.wait(timeout=RUSH_TIMEOUT)
        added = expect_redirect(
            "add", call("add", "POST", "/shop/basket/add/", {"variant": str(variant_id), "quantity": "1"})
        )
        if added != "/shop/basket/":
            raise RuntimeError(f"add: sent to {added}")
        to_pay = expect_redirect("checkout", call("checkout", "POST", "/shop/checkout/"))
        if to_pay == "/shop/basket/":
            page = call("basket", "GET", "/shop/basket/").text
            if "Sold out: " in page or " left for " in page:
                buyer.outcome = "sold out"
            else:
                said = re.findall(r'<p class="message[^"]*">(.*?)</p>', page)
                raise RuntimeError(f"checkout refused without saying the places had gone: {said}")
        elif to_pay.startswith("/shop/orders/") and to_pay.endswith("/test-payment/"):
            paid = expect_redirect("pay", call("pay", "POST", to_pay, {"action": "pay"}))
            if paid != to_pay.removesuffix("test-payment/"):
                raise RuntimeError(f"pay: sent to {paid}")
            buyer.outcome = "paid"
        else:
            raise RuntimeError(f"checkout: sent to {to_pay}")
    except Exception as error:
        buyer.outcome, buyer.detail = "error", f"{type(error).__name__}: {error}"[:300]
    finally:
        buyer.finished_at = time.perf_counter() - start[0]
        http.close()


def rush(base: str, buyers: list[Buyer], variant_id: int) -> float:
    """Release every buyer at once; returns the wall time until the last one had their answer."""
    start = [0.0]
    barrier = threading.Barrier(len(buyers), action=lambda: start.__setitem__(0, time.perf_counter()))
    threads = [
        threading.Thread(target=buy, args=(base, buyer, variant_id, barrier, start), daemon=True) for buyer in buyers
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RUSH_TIMEOUT + 10
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.1))
    for buyer in buyers:
        if buyer.outcome == "not started":
            buyer.outcome, buyer.detail = "error", "did not finish in time"
    return max(buyer.finished_at for buyer in buyers)


# --- Main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 buyers for 30 places")
    parser.add_argument("--buyers", type=int)
    parser.add_argument("--places", type=int)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    buyers_wanted = args.buyers or (150 if args.quick else 500)
    places = args.places or (30 if args.quick else 100)

    url = os.environ.get("BENCH_CHECKOUT_DATABASE_URL", DEFAULT_DATABASE_URL)
    var_dir, env = prepare(url, var_prefix="quad-bench-")
    server: subprocess.Popen[bytes] | None = None
    log = var_dir / "uvicorn.log"
    try:
        setup_and_migrate()
        from django.db import connection

        print(f"Building the scene: {places} places, {buyers_wanted} buyers…", flush=True)
        began = time.perf_counter()
        variant_id, session_keys = build_scene(places=places, buyers=buyers_wanted + 1)
        warm_key, session_keys = session_keys[-1], session_keys[:-1]  # one extra student warms the server up
        print(f"  built in {time.perf_counter() - began:.1f} s", flush=True)
        connection.close()

        server, base = serve(workers=args.workers, env=env, log=log)
        warm_up(base, warm_key, workers=args.workers)

        print(f"Rush: {buyers_wanted} buyers for {places} places at {base}…", flush=True)
        buyers = [Buyer(session_key=key) for key in session_keys]
        load_before = os.getloadavg()[0]
        server_cpu, client_cpu, machine = tree_cpu_seconds(server.pid), time.process_time(), machine_busy()
        wall = rush(base, buyers, variant_id)
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        busy, total = (after - before for after, before in zip(machine_busy(), machine, strict=True))
        stop_server(server)

        counts = count_sales(variant_id)
        connection.close()
    finally:
        server_errors = finish(server=server, log=log, url=url, var_dir=var_dir, keep=args.keep)

    paid = [b for b in buyers if b.outcome == "paid"]
    sold_out = [b for b in buyers if b.outcome == "sold out"]
    failed = [b for b in buyers if b.outcome == "error"]
    for buyer in failed[:5]:
        print(f"  error: {buyer.detail}", flush=True)
    timings = [t for b in buyers for t in b.timings]
    consistent = counts["sold"] == counts["paid_orders"] == counts["payments"] == counts["memberships"] == len(paid)
    figures: dict[str, Any] = {
        "buyers": len(buyers),
        "places": counts["quota"],
        "sold": counts["sold"],
        "oversold": max(counts["sold"] - counts["quota"], 0),
        "sold_out_answers": len(sold_out),
        "errors": len(failed),
        "http_5xx": sum(1 for _, _, status in timings if status >= 500),
        "server_tracebacks": server_errors,
        "books_agree": consistent,  # paid orders = payments = memberships = buyers who saw "paid"
        "unpaid_pending_orders": counts["pending_orders"],
        "wall_s": round(wall, 2),
        "last_paid_at_s": round(max((b.finished_at for b in paid), default=0.0), 2),
        "orders_per_minute": round(counts["paid_orders"] / wall * 60) if wall else 0,
        "buyers_answered_per_minute": round((len(paid) + len(sold_out)) / wall * 60) if wall else 0,
        "target_orders_per_minute": TARGET_ORDERS_PER_MINUTE,
        "requests": len(timings),
        "requests_per_s": round(len(timings) / wall) if wall else 0,
        "buy_p50_ms": ms(percentile([b.finished_at for b in buyers], 50)),
        "buy_p99_ms": ms(percentile([b.finished_at for b in buyers], 99)),
        "request_p50_ms": ms(percentile([seconds for _, seconds, _ in timings], 50)),
        "request_p99_ms": ms(percentile([seconds for _, seconds, _ in timings], 99)),
    }
    for step in ("add", "checkout", "pay", "basket"):
        durations = [seconds for name, seconds, _ in timings if name == step]
        figures[f"{step}_p50_ms"] = ms(percentile(durations, 50))
        figures[f"{step}_p99_ms"] = ms(percentile(durations, 99))
    figures.update(
        server_cpu_ms_per_request=round(server_cpu * 1000 / len(timings), 1) if timings else 0,
        cpu_server_s=round(server_cpu, 1),
        cpu_load_generator_s=round(client_cpu, 1),
        machine_busy_pct=round(100 * busy / total) if total else 0,
        load_average_before=round(load_before, 2),
        server=f"uvicorn quad.asgi:application, {args.workers} workers, PostgreSQL, {pooling()}",
        tasks=f"{TASKS_BACKEND} (receipts queued, no worker running); email {EMAIL_BACKEND.rsplit('.', 2)[-2]}",
        client="a thread and a requests.Session per buyer, on the same 2 cores as server and database",
    )
    figures["target_met"] = (
        figures["oversold"] == 0 and figures["errors"] == 0 and figures["orders_per_minute"] >= TARGET_ORDERS_PER_MINUTE
    )
    print(json.dumps(figures))
    if figures["oversold"] or figures["errors"] or figures["server_tracebacks"] or not consistent:
        sys.exit(f"FAILED: oversold {figures['oversold']}, errors {figures['errors']}: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
