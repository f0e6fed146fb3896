"""Events calendar: 3,000 events across 300 societies; SQL queries per page and server time.

    .venv/bin/python -m bench.calendar            # 3,000 events; 300 timed requests per page
    .venv/bin/python -m bench.calendar --quick    # the same data; 40 timed requests per page (well under a minute)

What it does, start to finish (it stops by itself; traffic goes to 127.0.0.1 only):
1. drops and recreates the PostgreSQL database `quad_bench_calendar` (BENCH_CALENDAR_DATABASE_URL to
   change it; the name must start with quad_bench) and migrates it;
2. seeds 300 active societies (with their default committee positions) and a signed-in student who
   is a member of five of them. Events go in with bulk_create, row for row what
   `quad.events.services.create_event` and `add_ticket_type` write: per event a Quota (its capacity),
   and per ticket type a Product (kind "ticket", sales closing when the event ends), its "Standard"
   Variant, the Variant's place in the Quota, the TicketType, and the audit events. Events start
   between 2 hours and ~6 months from now; one in four is members-only; each has one to three
   ticket types (Standard with a member price, Members only, Free RSVP);
3. counts the SQL queries of each calendar page (everything coming up, one society, "this week";
   anonymous and as the member) with Django's test client in this process, first with one event per
   society (300 events), then after adding the other nine per society (3,000 events). The counts must
   be the same at both sizes: the bench exits non-zero otherwise;
4. starts uvicorn serving quad.asgi on a free loopback port and times the pages through the real HTTP
   stack: one client, one request at a time (so each time is the server's time plus loopback), the
   member's session cookie sent as a browser would;
5. stops the server and drops the database.

The last line of output is one JSON object. `*_p50_ms`/`*_p99_ms` are per page; `events_shown_*` says
how many events each page listed (the calendar shows at most 200).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import time
from typing import Any

from bench._common import finish, ms, percentile, prepare, serve, setup_and_migrate, signed_in_session

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/quad_bench_calendar"
SOCIETIES = 300
EVENTS_PER_SOCIETY = 10
MEMBER_OF = 5
REQUEST_TIMEOUT = 30.0
SEED = 20250401


# --- Seeding ------------------------------------------------------------------------------------


def seed_societies(count: int) -> tuple[Any, list[Any]]:
    """`count` active societies with their default positions. Returns (the events' creator, societies)."""
    from django.conf import settings
    from django.utils import timezone

    from quad.accounts.models import User
    from quad.societies.models import DEFAULT_POSITIONS, Category, Position, Society

    now = timezone.now()
    domain = settings.STUDENT_EMAIL_DOMAINS[0]
    creator = User.objects.create_user(
        f"bench.events@{domain}",
        None,
        display_name="Bench Events Officer",
        course_ends_on=timezone.localdate() + datetime.timedelta(days=700),
        student_verified_at=now,
    )
    categories = Category.objects.bulk_create(
        [Category(name=f"Bench category {n}", slug=f"bench-category-{n}") for n in range(8)]
    )
    societies = Society.objects.bulk_create(
        [
            Society(
                name=f"Bench Society {n:03d}",
                slug=f"bench-society-{n:03d}",
                category=categories[n % len(categories)],
                status=Society.Status.ACTIVE,
                purpose="A society for the calendar benchmark.",
                constitution="1. Named as above.",
                applied_by=creator,
                approved_at=now,
                site_updated_at=now,
                status_changed_at=now,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    Position.objects.bulk_create(
        [
            Position(society=s, name=name, powers=list(powers), order=order)
            for s in societies
            for order, (name, powers) in enumerate(DEFAULT_POSITIONS)
        ],
        batch_size=1000,
    )
    return creator, societies


TICKET_TYPES: tuple[tuple[str, int, int | None, bool], ...] = (
    # name, price, member price, members only
    ("Standard", 800, 500, False),
    ("Members only", 400, None, True),
    ("Free RSVP", 0, None, False),
)


def seed_events(societies: list[Any], creator: Any, *, numbers: range, rng: random.Random) -> int:
    """Events number `numbers` of each society, as create_event + add_ticket_type write them. Returns how many."""
    from django.utils import timezone

    from quad.commerce.models import Product, Quota, Variant
    from quad.core.models import AuditEvent
    from quad.events.models import Event, TicketType
    from quad.events.services import KIND

    now = timezone.now()
    plans = []
    for society in societies:
        for k in numbers:
            starts = now + datetime.timedelta(minutes=rng.randrange(120, 180 * 24 * 60))
            starts = starts.replace(second=0, microsecond=0)
            title = f"{society.name} event {k + 1}"
            online = k % 5 == 4
            plans.append(
                {
                    "society": society,
                    "title": title,
                    "starts": starts,
                    "ends": starts + datetime.timedelta(hours=rng.choice((1, 2, 3, 4))),
                    "venue": "" if online else f"Room {rng.randrange(1, 400)}, Students' Union",
                    "online_url": f"https://meet.example.org/{society.slug}-{k}" if online else "",
                    "visibility": Event.Visibility.MEMBERS if rng.random() < 0.25 else Event.Visibility.PUBLIC,
                    "capacity": rng.choice((20, 40, 60, 100, 250)),
                    "types": TICKET_TYPES[: rng.randrange(1, len(TICKET_TYPES) + 1)],
                }
            )
    quotas = Quota.objects.bulk_create(
        [Quota(name=f"{p['society'].name}: {p['title']}"[:120], size=p["capacity"]) for p in plans], batch_size=1000
    )
    events = Event.objects.bulk_create(
        [
            Event(
                society=p["society"],
                title=p["title"],
                description=f"Come along to {p['title']}.\n\n**Everyone welcome.**",
                starts_at=p["starts"],
                ends_at=p["ends"],
                venue=p["venue"],
                online_url=p["online_url"],
                visibility=p["visibility"],
                capacity=quota,
                created_by=creator,
            )
            for p, quota in zip(plans, quotas, strict=True)
        ],
        batch_size=1000,
    )
    rows = [(event, p, spec) for event, p in zip(events, plans, strict=True) for spec in p["types"]]
    products = Product.objects.bulk_create(
        [
            Product(
                seller=p["society"],
                kind=KIND,
                name=name,
                sale_ends_at=event.ends_at,
                max_per_order=4,
            )
            for event, p, (name, _price, _member, _only) in rows
        ],
        batch_size=1000,
    )
    variants = Variant.objects.bulk_create(
        [
            Variant(product=product, name="Standard", price_pence=price)
            for product, (_event, _p, (_name, price, _member, _only)) in zip(products, rows, strict=True)
        ],
        batch_size=1000,
    )
    Through = Quota.variants.through
    Through.objects.bulk_create(
        [
            Through(quota_id=event.capacity_id, variant_id=variant.pk)
            for variant, (event, _p, _spec) in zip(variants, rows, strict=True)
        ],
        batch_size=1000,
    )
    ticket_types = TicketType.objects.bulk_create(
        [
            TicketType(
                event=event,
                product=product,
                variant=variant,
                member_price_pence=member,
                members_only=only,
                per_person_limit=4,
            )
            for product, variant, (event, _p, (_name, _price, member, only)) in zip(
                products, variants, rows, strict=True
            )
        ],
        batch_size=1000,
    )
    audits = [
        AuditEvent(
            actor=creator,
            action="events.event.created",
            target_type="events.event",
            target_id=str(event.pk),
            target_repr=event.title[:200],
            scope=p["society"].audit_scope,
            data={},
        )
        for event, p in zip(events, plans, strict=True)
    ]
    audits += [
        AuditEvent(
            actor=creator,
            action="events.ticket_type.created",
            target_type="events.tickettype",
            target_id=str(tt.pk),
            target_repr=f"{event.title}: {name}"[:200],
            scope=p["society"].audit_scope,
            data={"price_pence": price, "member_price_pence": member},
        )
        for tt, (event, p, (name, price, member, _only)) in zip(ticket_types, rows, strict=True)
    ]
    AuditEvent.objects.bulk_create(audits, batch_size=1000)
    return len(events)


def seed_member(societies: list[Any], creator: Any) -> tuple[Any, str]:
    """A verified student, member of the first MEMBER_OF societies. Returns (user, a session key)."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.utils import timezone

    from quad.accounts.models import User
    from quad.core.academic import current_academic_year
    from quad.memberships.models import Membership
    from quad.memberships.services import create_membership_type

    domain = settings.STUDENT_EMAIL_DOMAINS[0]
    now = timezone.now()
    member = User.objects.create_user(
        f"bench.member@{domain}",
        None,
        display_name="Bench Member",
        course_ends_on=timezone.localdate() + datetime.timedelta(days=700),
        student_verified_at=now,
    )
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    year = current_academic_year()
    for society in societies[:MEMBER_OF]:
        kind = create_membership_type(society, actor=creator, year=year, name="Full member", price_pence=500)
        Membership.objects.create(
            user=member, society=society, membership_type=kind, starts_on=timezone.localdate(), ends_on=year.end
        )
    session = signed_in_session(member, now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    session.save(force_insert=True)
    return member, session.session_key


# --- Measuring ----------------------------------------------------------------------------------


def pages(society_slug: str) -> dict[str, str]:
    return {"all": "/events/", "society": f"/events/?society={society_slug}", "this_week": "/events/?week=this"}


def count_queries(member: Any, society_slug: str) -> dict[str, tuple[int, int]]:
    """{page label: (SQL queries, events listed)} with Django's test client, anonymous and as the member."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(member)
    counts: dict[str, tuple[int, int]] = {}
    for who, client in (("anonymous", anonymous), ("member", signed_in)):
        for label, path in pages(society_slug).items():
            client.get(path)  # the first request of a kind may warm caches; count the second
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} as {who}: HTTP {response.status_code}")
            counts[f"{who}_{label}"] = (len(queries), response.content.decode().count('<li class="card">'))
    return counts


def time_pages(base: str, session_key: str, society_slug: str, *, requests_per_page: int) -> dict[str, list[float]]:
    import requests

    timings: dict[str, list[float]] = {}
    with requests.Session() as member, requests.Session() as anonymous:
        member.cookies.set("sessionid", session_key)
        series = [(f"member_{label}", member, path) for label, path in pages(society_slug).items()]
        series.append(("anonymous_all", anonymous, "/events/"))
        for _ in range(10):  # warm up both workers
            for _label, http, path in series:
                http.get(base + path, timeout=REQUEST_TIMEOUT)
        for label, _http, _path in series:
            timings[label] = []
        deadline = time.monotonic() + 240
        for _ in range(requests_per_page):  # interleaved, so every page sees the same machine
            for label, http, path in series:
                began = time.perf_counter()
                response = http.get(base + path, timeout=REQUEST_TIMEOUT)
                timings[label].append(time.perf_counter() - began)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path}: HTTP {response.status_code}")
            if time.monotonic() > deadline:
                break
    return timings


# --- Main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 timed requests per page instead of 300")
    parser.add_argument("--requests", type=int, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    requests_per_page = args.requests or (40 if args.quick else 300)

    url = os.environ.get("BENCH_CALENDAR_DATABASE_URL", DEFAULT_DATABASE_URL)
    var_dir, env = prepare(url, var_prefix="quad-bench-calendar-")
    server: subprocess.Popen[bytes] | None = None
    log = var_dir / "uvicorn.log"
    try:
        setup_and_migrate()
        from django.db import connection

        from quad.events.models import Event, TicketType

        rng = random.Random(SEED)
        began = time.perf_counter()
        creator, societies = seed_societies(SOCIETIES)
        member, session_key = seed_member(societies, creator)
        slug = societies[0].slug  # the member's society: its members-only events show too
        small = seed_events(societies, creator, numbers=range(1), rng=rng)
        print(f"Seeded {SOCIETIES} societies and {small} events in {time.perf_counter() - began:.1f} s", flush=True)
        at_small = count_queries(member, slug)
        began = time.perf_counter()
        seed_events(societies, creator, numbers=range(1, EVENTS_PER_SOCIETY), rng=rng)
        seeded_s = time.perf_counter() - began
        total = Event.objects.count()
        ticket_types = TicketType.objects.count()
        print(f"Seeded up to {total} events ({ticket_types} ticket types) in {seeded_s:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        at_large = count_queries(member, slug)
        connection.close()

        server, base = serve(workers=args.workers, env=env, log=log)
        print(f"Timing {requests_per_page} requests per page at {base}…", flush=True)
        load_before = os.getloadavg()[0]
        timings = time_pages(base, session_key, slug, requests_per_page=requests_per_page)
    finally:
        server_errors = finish(server=server, log=log, url=url, var_dir=var_dir, keep=args.keep)

    constant = all(at_small[key][0] == at_large[key][0] for key in at_small)
    figures: dict[str, Any] = {
        "societies": SOCIETIES,
        "events_small": small,
        "events_large": total,
        "ticket_types_large": ticket_types,
        "queries_constant": constant,
    }
    for key in at_small:
        figures[f"queries_{key}_at_{small}"] = at_small[key][0]
        figures[f"queries_{key}_at_{total}"] = at_large[key][0]
    for key in at_large:
        figures[f"events_shown_{key}_at_{total}"] = at_large[key][1]
    for label, values in timings.items():
        figures[f"{label}_p50_ms"] = ms(percentile(values, 50))
        figures[f"{label}_p99_ms"] = ms(percentile(values, 99))
    from django.utils import timezone

    today = timezone.localdate()  # as the calendar's "this week" reckons it
    figures.update(
        this_week=f"{today:%a %d %b} to {today + datetime.timedelta(days=6 - today.weekday()):%a %d %b %Y}",
        requests_per_page=len(next(iter(timings.values()))),
        load_average_before=round(load_before, 2),
        server_tracebacks=server_errors,
        timed_through=f"HTTP: uvicorn quad.asgi:application, {args.workers} workers, PostgreSQL; one client on "
        "loopback, one request at a time, member's session cookie (anonymous_all without)",
        queries_counted_with="Django's test client in the bench process (second request of each page)",
    )
    print(json.dumps(figures))
    if not constant or server_errors:
        sys.exit(f"FAILED: queries_constant {constant}, server tracebacks {server_errors}")


if __name__ == "__main__":
    main()
