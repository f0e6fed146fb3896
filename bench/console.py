"""Union console and GDPR tools at a union's size: health page, subject access export, erasure, retention sweep.

    .venv/bin/python -m bench.console            # 300 societies, 15,000 students, a year's retention backlog
    .venv/bin/python -m bench.console --quick    # 30 societies, 1,500 students, a tenth of the backlog (under a minute)

What it does, start to finish (in this process, against PostgreSQL; no server, no network):
1. drops and recreates the PostgreSQL database `quad_bench_console` (BENCH_CONSOLE_DATABASE_URL to change
   it; the name must start with quad_bench) and migrates it;
2. builds a union with bulk_create, row for row what Quad's services write (going through the services
   for 15,000 students would take hours and measure the checkout, not the console): union staff with
   TOTP set up; societies (mostly active, some awaiting approval, suspended or folded) with their
   positions, a membership type, this year's and last year's committee, GDPR training for most of the
   committee; students who each joined a few societies (weighted towards the popular ones), with one
   paid order per student (a line per membership, a payment), a few refunds, and the audit events;
   three member mailings per active society in the last four months, the latest delivered to every
   member; handover notes for half the active societies; a group chat per active society with most
   members in it, messages, reactions, open reports and open cases; an event with a ticket type per
   active society; a third of the students signed in (database sessions);
3. counts the SQL queries of the health page, its CSV and the console's front page (Django's test
   client, union staff signed in with force_login; the second request of each) with a tenth of the
   societies, then again with all of them: the health page's and the CSV's counts must be the same at
   both sizes (the bench exits non-zero otherwise);
4. adds the retention backlog: chat messages older than CHAT_RETENTION_DAYS (some with reactions and
   mentions, a few held as evidence by open reports), mailings finished more than
   RETENTION_DELIVERY_LOGS_DAYS ago with their delivery rows, audit events older than
   RETENTION_AUDIT_EVENTS_DAYS, access log entries older than RETENTION_ACCESS_LOG_DAYS, conduct cases
   closed more than RETENTION_CLOSED_CASES_DAYS ago, and former students whose course ended more than
   RETENTION_FORMER_MEMBERS_DAYS ago; then three heavy users, each with 2,000 chat messages, 100 orders
   (20 memberships, 50 tickets, 30 abandoned), memberships in 20 societies and their chats, a committee
   term, 200 reactions, 50 mentions, deliveries, news preferences, 341 audit events (20 recording their
   address), 100 access log entries about them, reports they made and an open report about them;
5. times GET /su/health/ (p50/p95 of HEALTH_REQUESTS), /su/health.csv and /su/ through the test client,
   and quad.su.queries.society_health on its own (the page's time less the template's);
6. times quad.privacy.services.build_export for the first heavy user (median of 5) and reports the zip's size;
7. erases the three heavy users with quad.privacy.services.erase_account (actor union staff, one run per
   user, median of 3), then checks that each person's former address appears nowhere in
   export_document of their stub (the bench exits non-zero if it does);
8. runs quad.privacy.services.apply_retention twice: the first run sweeps the backlog (with the erasures
   of former students it includes), the second must remove nothing (the bench exits non-zero otherwise);
9. drops the database (`--keep` keeps it).

The last line of output is one JSON object. `retention_first_s_<kind>` says where the first sweep's time
went; `machine_busy_pct` (the whole machine's CPU, this bench's included, while measuring) and
`load_average_before` say whether anything else was running. `--profile` also prints cProfile's top
functions for the first erasure and the first sweep.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime
import functools
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench._common import finish, machine_busy, ms, percentile, prepare, setup_and_migrate, signed_in_session

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/quad_bench_console"
SEED = 20250403
BATCH = 2000
TOTP_SECRET = "JBSWY3DPEHPK3PXPQUADBENCH"
HEALTH_REQUESTS = 20
CSV_REQUESTS = 10
EXPORT_RUNS = 5
HEAVY_USERS = 3
ERASURE_ALARM_S = 30.0  # an erasure slower than this is worth a look (noted in the figures, not a failure)


@dataclass(frozen=True)
class Size:
    societies: int
    students: int
    old_messages: int
    old_deliveries: int
    old_audit_events: int
    old_accesses: int
    old_closed_cases: int
    former_students: int


FULL = Size(
    societies=300,
    students=15000,
    old_messages=50000,
    old_deliveries=20000,
    old_audit_events=100000,
    old_accesses=5000,
    old_closed_cases=40,
    former_students=30,
)
QUICK = Size(
    societies=30,
    students=1500,
    old_messages=5000,
    old_deliveries=2000,
    old_audit_events=10000,
    old_accesses=500,
    old_closed_cases=4,
    former_students=3,
)

# The heavy user (the same in both modes: one person's data does not grow with the union).
HEAVY_MESSAGES = 2000
HEAVY_SOCIETIES = 20
HEAVY_TICKETS = 50
HEAVY_ABANDONED_ORDERS = 30
HEAVY_REACTIONS = 200
HEAVY_MENTIONS = 50
HEAVY_ACTOR_EVENTS = 300
HEAVY_ADDRESS_EVENTS = 20
HEAVY_ACCESSES = 100
HEAVY_USER = (
    f"{HEAVY_MESSAGES} chat messages, {HEAVY_SOCIETIES + HEAVY_TICKETS + HEAVY_ABANDONED_ORDERS} orders, "
    f"{HEAVY_TICKETS} tickets, memberships of {HEAVY_SOCIETIES} societies, "
    f"{HEAVY_ACTOR_EVENTS + HEAVY_ADDRESS_EVENTS + HEAVY_SOCIETIES + 1} audit events, "
    f"{HEAVY_ACCESSES} access log entries"
)
HEAVY_NAMES = ("Ottoline Quarshie-Brandt", "Thaddeus Ilunga-Marsh", "Persephone Adebayo-Lindqvist")

# fmt: off
FIRST_NAMES = (
    "Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla", "Jack", "Kofi", "Leah", "Mohammed",
    "Nia", "Oscar", "Priya", "Quinn", "Rosa", "Sami", "Tom", "Uma", "Vikram", "Wen", "Xander", "Yasmin", "Zoe",
    "Aisha", "Callum", "Daisy", "Ethan", "Freya", "George", "Hana", "Ivan", "Jess", "Kai", "Lola", "Max", "Noor",
    "Owen",
)
LAST_NAMES = (
    "Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
    "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward", "Ahmed",
    "Ali", "Begum", "Chen", "Li", "Nguyen", "Okafor", "Mensah",
)
# fmt: on
BODIES = (
    "Is anyone going to the social on Friday?",
    "Minutes from tonight's meeting are on the mini site.",
    "Can someone bring the spare kit to training?",
    "Lovely session today, thanks all!",
    "Reminder: the room has changed to Lecture Theatre B this week.",
    "Who's up for a pub quiz after the meeting?",
    "Has anyone seen a blue water bottle? Left it in the hall.",
    "Tickets for the ball go on sale at noon tomorrow.",
    "Can we move the committee meeting to Thursday?",
    "Photos from the weekend are in the shared album.",
)
OLD_ACTIONS = (
    "memberships.membership.started",
    "commerce.order.paid",
    "events.ticket.checked_in",
    "societies.site.updated",
    "chat.member.joined",
    "mailings.mailing.sent",
)


# --- The union being built ------------------------------------------------------------------------


@dataclass
class Union:
    staff: Any
    categories: list[Any]
    societies: list[Any] = field(default_factory=list)
    active: list[Any] = field(default_factory=list)
    types: dict[int, Any] = field(default_factory=dict)  # society pk -> this year's MembershipType
    presidents: dict[int, Any] = field(default_factory=dict)  # society pk -> the President (a student)
    groups: dict[int, Any] = field(default_factory=dict)  # society pk -> its ChatGroup (active societies)
    chatters: dict[int, list[int]] = field(default_factory=dict)  # group pk -> user ids in it
    last_seq: dict[int, int] = field(default_factory=dict)  # group pk -> the last message number given
    mailings: dict[int, list[Any]] = field(default_factory=dict)  # society pk -> its recent mailings
    ticket_types: dict[int, Any] = field(default_factory=dict)  # society pk -> its event's ticket type


@contextmanager
def explicit_times(*fields: Any) -> Iterator[None]:
    """Let bulk_create write these auto_now_add fields as given: back-dated rows (an old message, an old
    audit event) are the point of a retention backlog."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def ago(days: float) -> datetime.datetime:
    from django.utils import timezone

    return timezone.now() - datetime.timedelta(days=days)


def name_for(n: int) -> str:
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]}"


def make_students(prefix: str, count: int, *, course_ends: datetime.date | None, verified: bool = True) -> list[Any]:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.utils import timezone

    from quad.accounts.models import User

    domain = settings.STUDENT_EMAIL_DOMAINS[0]
    people = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{n}@{domain}",
                display_name=name_for(n),
                course_ends_on=course_ends,
                student_verified_at=timezone.now() if verified else None,
                password="!",  # unusable: nobody signs in with a password here
            )
            for n in range(count)
        ],
        batch_size=BATCH,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people], batch_size=BATCH
    )
    return people


def make_staff() -> Any:
    from allauth.mfa.totp.internal.auth import TOTP

    from quad.accounts.models import User

    staff = User.objects.create_user(
        "bench.staff@union.example.org", None, display_name="Bench Staff", is_union_staff=True
    )
    TOTP.activate(staff, TOTP_SECRET)  # the console is for staff with two-factor sign-in (staff_required)
    return staff


def audit(actor: Any, action: str, target: Any, scope: str, data: dict[str, Any] | None = None) -> Any:
    """An AuditEvent row as quad.core.audit.record writes it (unsaved, for bulk_create)."""
    from quad.core.models import AuditEvent

    return AuditEvent(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        scope=scope,
        data=data or {},
    )


def evidence_entry(message: Any, author: Any, *, reported: bool = True) -> dict[str, Any]:
    """One message as conduct.services._entry copies it into a report's evidence."""
    return {
        "message": message.pk,
        "seq": message.seq,
        "at": message.created_at.isoformat(),
        "author": author.display_name,
        "author_id": author.pk,
        "kind": message.kind,
        "body": message.body,
        "edited": False,
        "hidden": False,
        "deleted": False,
        "reported": reported,
    }


# --- Societies and what happens in them this year -------------------------------------------------


def seed_societies(numbers: range, students: list[Any], union: Union, rng: random.Random) -> None:
    """Societies `numbers`, and everything this year's students (`students`) did in them."""
    from django.utils import timezone

    from quad.accounts.models import TrainingRecord
    from quad.chat.guidelines import DEFAULT_GUIDELINES
    from quad.chat.models import ChatGroup, GroupMember, Guidelines, Message, Reaction
    from quad.commerce.models import Order, OrderLine, Payment, Product, Quota, Refund, Variant
    from quad.conduct.models import Case, Category, Report
    from quad.core.academic import current_academic_year
    from quad.core.models import AuditEvent
    from quad.events.models import Event, TicketType
    from quad.events.services import KIND as TICKET
    from quad.mailings.models import Delivery, Mailing
    from quad.memberships.models import Membership, MembershipType
    from quad.memberships.services import KIND as MEMBERSHIP
    from quad.societies.models import DEFAULT_POSITIONS, CommitteeTerm, HandoverNote, Position, Society

    now = timezone.now()
    today = timezone.localdate()
    year = current_academic_year()
    last_year = year.previous()

    def status(n: int) -> str:
        if n % 20 == 7:
            return Society.Status.APPLIED
        if n % 25 == 3:
            return Society.Status.SUSPENDED
        if n % 40 == 5:
            return Society.Status.FOLDED
        return Society.Status.ACTIVE

    societies = Society.objects.bulk_create(
        [
            Society(
                name=f"Bench Society {n:03d}",
                slug=f"bench-society-{n:03d}",
                category=union.categories[n % len(union.categories)],
                status=status(n),
                purpose="A society for the console benchmark.",
                constitution="1. Named as above.",
                applied_by=students[n % len(students)],
                approved_at=None if status(n) == Society.Status.APPLIED else ago(400),
                site_updated_at=None if n % 17 == 0 else ago(rng.uniform(0, 240)),
                status_changed_at=ago(30),
            )
            for n in numbers
        ],
        batch_size=BATCH,
    )
    union.societies += societies
    running = [s for s in societies if s.status != Society.Status.APPLIED]
    open_ = [s for s in societies if s.status in (Society.Status.ACTIVE, Society.Status.SUSPENDED)]
    active = [s for s in societies if s.status == Society.Status.ACTIVE]
    union.active += active

    positions = Position.objects.bulk_create(
        [
            Position(society=s, name=name, powers=list(powers), order=order)
            for s in running
            for order, (name, powers) in enumerate(DEFAULT_POSITIONS)
        ],
        batch_size=BATCH,
    )
    by_society: dict[int, list[Any]] = {}
    for p in positions:
        by_society.setdefault(p.society_id, []).append(p)

    # Committees: this year's and last year's, three positions each; most of this year's trained.
    terms = []
    committee: dict[int, list[Any]] = {}
    for s in running:
        six = rng.sample(students, 6)
        committee[s.pk] = six[:3]
        union.presidents[s.pk] = six[0]
        for person, position in zip(six[:3], by_society[s.pk], strict=True):
            terms.append(
                CommitteeTerm(
                    society=s,
                    user=person,
                    position=position,
                    starts_on=year.start,
                    ends_on=year.end,
                    granted_by=union.staff,
                )
            )
        for person, position in zip(six[3:], by_society[s.pk], strict=True):
            terms.append(
                CommitteeTerm(
                    society=s, user=person, position=position, starts_on=last_year.start, ends_on=last_year.end
                )
            )
    terms = CommitteeTerm.objects.bulk_create(terms, batch_size=BATCH)
    trained = {p.pk: p for people in committee.values() for p in people if rng.random() < 0.7}
    expired = {p.pk: p for people in committee.values() for p in people if p.pk not in trained and rng.random() < 0.5}
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                user=p,
                completed_on=today - datetime.timedelta(days=100),
                expires_on=today + datetime.timedelta(days=265),
                source=TrainingRecord.Source.QUIZ,
                score=90,
            )
            for p in trained.values()
        ]
        + [
            TrainingRecord(
                user=p,
                completed_on=today - datetime.timedelta(days=500),
                expires_on=today - datetime.timedelta(days=135),
                source=TrainingRecord.Source.QUIZ,
                score=80,
            )
            for p in expired.values()
        ],
        batch_size=BATCH,
    )

    # A membership type per society for this year (Product, Variant, MembershipType, as create_membership_type).
    prices = {s.pk: rng.choice((0, 300, 500, 800, 1000, 1500)) for s in running}
    products = Product.objects.bulk_create(
        [Product(seller=s, kind=MEMBERSHIP, name="Full member", max_per_order=1) for s in running], batch_size=BATCH
    )
    variants = Variant.objects.bulk_create(
        [Variant(product=p, price_pence=prices[s.pk]) for p, s in zip(products, running, strict=True)],
        batch_size=BATCH,
    )
    types = MembershipType.objects.bulk_create(
        [
            MembershipType(society=s, year_start=year.start, year_end=year.end, product=p, variant=v)
            for s, p, v in zip(running, products, variants, strict=True)
        ],
        batch_size=BATCH,
    )
    for s, t in zip(running, types, strict=True):
        union.types[s.pk] = t

    # Memberships: each student joins a few of the open societies, the popular ones more often; one paid
    # order per student with a line per membership.
    popular = open_[:]
    rng.shuffle(popular)
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(popular))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    joins: list[tuple[Any, list[Any]]] = []
    for person in students:
        k = rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6))
        picked: dict[int, Any] = {}
        for s in rng.choices(popular, cum_weights=cumulative, k=k * 2):
            if len(picked) < k:
                picked.setdefault(s.pk, s)
        if picked:
            joins.append((person, list(picked.values())))
    orders = Order.objects.bulk_create(
        [
            Order(
                buyer=person,
                status=Order.Status.PAID,
                total_pence=sum(prices[s.pk] for s in chosen),
                provider="test",
                expires_at=now,
                paid_at=now,
            )
            for person, chosen in joins
        ],
        batch_size=BATCH,
    )
    Payment.objects.bulk_create(
        [
            Payment(order=o, provider="test", provider_payment_id=f"bench-{o.reference}", amount_pence=o.total_pence)
            for o in orders
        ],
        batch_size=BATCH,
    )
    line_plan = [(o, person, s) for o, (person, chosen) in zip(orders, joins, strict=True) for s in chosen]
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                variant_id=union.types[s.pk].variant_id,
                seller=s,
                kind=MEMBERSHIP,
                description=f"{s.name}: Full member {year.label}",
                quantity=1,
                unit_price_pence=prices[s.pk],
            )
            for o, _person, s in line_plan
        ],
        batch_size=BATCH,
    )
    refunded = {line.pk for line in lines if line.unit_price_pence and rng.random() < 0.01}
    span = max((today - year.start).days, 0) + 1
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                user=person,
                society=s,
                membership_type=union.types[s.pk],
                order_line=line,
                status=Membership.Status.REFUNDED if line.pk in refunded else Membership.Status.ACTIVE,
                starts_on=year.start + datetime.timedelta(days=rng.randrange(span)),
                ends_on=year.end,
            )
            for (_o, person, s), line in zip(line_plan, lines, strict=True)
        ],
        batch_size=BATCH,
    )
    Refund.objects.bulk_create(
        [
            Refund(
                order=line.order,
                line=line,
                amount_pence=line.unit_price_pence,
                idempotency_key=uuid.uuid4().hex,
                reason="Refund request: I can't make the sessions this year.",
                created_by=union.presidents[line.seller_id],
            )
            for line in lines
            if line.pk in refunded
        ],
        batch_size=BATCH,
    )
    AuditEvent.objects.bulk_create(
        [
            audit(m.user, "memberships.membership.started", m, s.audit_scope, {"order": o.reference})
            for (o, _person, s), m in zip(line_plan, memberships, strict=True)
        ]
        + [audit(o.buyer, "commerce.order.paid", o, "union", {"total_pence": o.total_pence}) for o in orders]
        + [audit(union.staff, "societies.committee.granted", t, t.society.audit_scope) for t in terms[::2]],
        batch_size=BATCH,
    )
    members: dict[int, list[Any]] = {}
    for (_o, person, s), line in zip(line_plan, lines, strict=True):
        if line.pk not in refunded:
            members.setdefault(s.pk, []).append(person)

    # Mail: three member mailings per active society (one in ten never emailed), the latest delivered.
    mailed = [s for s in active if rng.random() < 0.9]
    plans = []
    for s in mailed:
        for k in range(3):
            started = ago(rng.uniform(1, 120))
            plans.append((s, k, started))
    mailings = Mailing.objects.bulk_create(
        [
            Mailing(
                society=s,
                created_by=union.presidents[s.pk],
                audience=Mailing.Audience.MEMBERS,
                subject=f"{s.name} news {k + 1}",
                body="This week: the social, the AGM and a call for volunteers.",
                status=Mailing.Status.SENT,
                send_at=started,
                started_at=started,
                finished_at=started + datetime.timedelta(minutes=5),
                recipient_count=len(members.get(s.pk, [])),
            )
            for s, k, started in plans
        ],
        batch_size=BATCH,
    )
    latest: dict[int, Any] = {}
    for mailing in mailings:
        union.mailings.setdefault(mailing.society_id, []).append(mailing)
        if mailing.society_id not in latest or mailing.started_at > latest[mailing.society_id].started_at:
            latest[mailing.society_id] = mailing
    Delivery.objects.bulk_create(
        [
            Delivery(
                mailing=m,
                user=p,
                email=p.email,
                status=Delivery.Status.SENT,
                attempts=1,
                sent_at=m.started_at,
            )
            for m in latest.values()
            for p in {p.pk: p for p in members.get(m.society_id, [])}.values()
        ],
        batch_size=BATCH,
    )

    # Handover for next year: written by half the active societies, acknowledged by half of those.
    notes = []
    for s in active:
        if rng.random() < 0.5:
            acknowledged = rng.random() < 0.5
            notes.append(
                HandoverNote(
                    society=s,
                    year_start=year.next().start,
                    work_in_flight="The spring tour deposit is paid; the kit order needs chasing.",
                    external_accounts="Instagram and the shared drive: the incoming President.",
                    written_by=union.presidents[s.pk],
                    acknowledged_by=committee[s.pk][1] if acknowledged else None,
                    acknowledged_at=now if acknowledged else None,
                )
            )
    HandoverNote.objects.bulk_create(notes, batch_size=BATCH)

    # A group chat per active society: most members in it, a year of messages, a few reactions.
    groups = ChatGroup.objects.bulk_create(
        [
            ChatGroup(
                kind=ChatGroup.Kind.SOCIETY,
                society=s,
                name=f"{s.name} members",
                purpose="Chat for members.",
                created_by=union.presidents[s.pk],
            )
            for s in active
        ],
        batch_size=BATCH,
    )
    Guidelines.objects.bulk_create(
        [Guidelines(group=g, version=1, text=DEFAULT_GUIDELINES, created_by=g.created_by) for g in groups],
        batch_size=BATCH,
    )
    chat_members = []
    for s, g in zip(active, groups, strict=True):
        union.groups[s.pk] = g
        people = {p.pk: p for p in members.get(s.pk, []) if rng.random() < 0.6}
        moderators = {p.pk: p for p in committee[s.pk]}
        people.update(moderators)
        union.chatters[g.pk] = list(people)
        chat_members += [
            GroupMember(
                group=g,
                user_id=pk,
                role=GroupMember.Role.MODERATOR if pk in moderators else GroupMember.Role.MEMBER,
                accepted_version=1,
                accepted_at=now,
            )
            for pk in people
        ]
    GroupMember.objects.bulk_create(chat_members, batch_size=BATCH)
    messages = []
    for g in groups:
        chatters = union.chatters[g.pk]
        times = sorted(ago(rng.uniform(0, 300)) for _ in range(rng.randint(20, 150)))
        for at in times:
            union.last_seq[g.pk] = union.last_seq.get(g.pk, 0) + 1
            body = rng.choice(BODIES)
            if rng.random() < 0.05:
                body = f"Thanks {name_for(rng.randrange(len(students)))} for sorting the room!"
            messages.append(
                Message(group=g, seq=union.last_seq[g.pk], author_id=rng.choice(chatters), body=body, created_at=at)
            )
    created_at = Message._meta.get_field("created_at")
    with explicit_times(created_at):
        messages = Message.objects.bulk_create(messages, batch_size=BATCH)
    Reaction.objects.bulk_create(
        [
            Reaction(message=m, user_id=rng.choice(union.chatters[m.group_id]), emoji=rng.choice(Reaction.EMOJI))
            for m in messages
            if rng.random() < 0.05
        ],
        batch_size=BATCH,
    )

    # Open reports (nobody acted yet) in one group in ten; open cases about one society in thirty.
    by_group: dict[int, list[Any]] = {}
    for m in messages:
        by_group.setdefault(m.group_id, []).append(m)
    authors = {p.pk: p for p in students}
    reports = []
    for g in groups:
        if rng.random() < 0.1:
            for m in rng.sample(by_group[g.pk], min(2, len(by_group[g.pk]))):
                reporter = next((pk for pk in union.chatters[g.pk] if pk != m.author_id), None)
                if reporter is None:
                    continue
                author = authors[m.author_id]
                reports.append(
                    Report(
                        reporter_id=reporter,
                        group=g,
                        about=Report.About.MESSAGE,
                        message=m,
                        reported_user=author,
                        reported_name=author.display_name,
                        category=Category.OTHER,
                        note="Keeps posting this after being asked not to.",
                        evidence=[evidence_entry(m, author)],
                        routed_to=Report.Route.MODERATORS,
                    )
                )
    Report.objects.bulk_create(reports, batch_size=BATCH)
    cases = []
    for s, g in zip(active, groups, strict=True):
        if rng.random() < 1 / 30:
            m = rng.choice(by_group[g.pk])
            author = authors[m.author_id]
            cases.append(
                Case(
                    source=Case.Source.REPORT,
                    group=g,
                    society=s,
                    subject=author,
                    subject_name=author.display_name,
                    message=m,
                    summary="Reported for bullying in the group chat.",
                    evidence=[evidence_entry(m, author)],
                )
            )
    Case.objects.bulk_create(cases, batch_size=BATCH)

    # An event with a ticket type per active society (as create_event and add_ticket_type write them).
    quotas = Quota.objects.bulk_create([Quota(name=f"{s.name}: Social", size=200) for s in active], batch_size=BATCH)
    events = Event.objects.bulk_create(
        [
            Event(
                society=s,
                title=f"{s.name} social",
                starts_at=now + datetime.timedelta(days=14),
                ends_at=now + datetime.timedelta(days=14, hours=3),
                venue="The Students' Union bar",
                capacity=q,
                created_by=union.presidents[s.pk],
            )
            for s, q in zip(active, quotas, strict=True)
        ],
        batch_size=BATCH,
    )
    products = Product.objects.bulk_create(
        [
            Product(seller=s, kind=TICKET, name="Standard", sale_ends_at=e.ends_at)
            for s, e in zip(active, events, strict=True)
        ],
        batch_size=BATCH,
    )
    variants = Variant.objects.bulk_create([Variant(product=p, price_pence=500) for p in products], batch_size=BATCH)
    Through = Quota.variants.through
    Through.objects.bulk_create(
        [Through(quota_id=q.pk, variant_id=v.pk) for q, v in zip(quotas, variants, strict=True)], batch_size=BATCH
    )
    ticket_types = TicketType.objects.bulk_create(
        [TicketType(event=e, product=p, variant=v) for e, p, v in zip(events, products, variants, strict=True)],
        batch_size=BATCH,
    )
    for s, tt in zip(active, ticket_types, strict=True):
        union.ticket_types[s.pk] = tt


def save_last_seqs(union: Union) -> None:
    from quad.chat.models import ChatGroup

    groups = list(ChatGroup.objects.filter(pk__in=list(union.last_seq)))
    for g in groups:
        g.last_seq = union.last_seq[g.pk]
    ChatGroup.objects.bulk_update(groups, ["last_seq"], batch_size=BATCH)


# --- The retention backlog ------------------------------------------------------------------------


def seed_backlog(size: Size, union: Union, students: list[Any], rng: random.Random) -> dict[str, int]:
    """Rows past their retention period, as a union that has not swept for a while has them."""
    from django.conf import settings
    from django.utils import timezone

    from quad.chat.models import Mention, Message, Reaction
    from quad.commerce.models import Order, OrderLine, Payment
    from quad.conduct.models import Case, Category, Report
    from quad.core.academic import academic_year_for
    from quad.core.models import AuditEvent, DataAccess, DataAccessSubject
    from quad.mailings.models import Delivery, Mailing
    from quad.memberships.models import Membership

    chat_days = settings.CHAT_RETENTION_DAYS
    groups = list(union.groups.values())
    messages = []
    for n in range(size.old_messages):
        g = groups[n % len(groups)]
        union.last_seq[g.pk] += 1
        messages.append(
            Message(
                group=g,
                seq=union.last_seq[g.pk],
                author_id=rng.choice(union.chatters[g.pk]),
                body=rng.choice(BODIES),
                created_at=ago(chat_days + rng.uniform(5, 300)),
            )
        )
    with explicit_times(Message._meta.get_field("created_at")):
        messages = Message.objects.bulk_create(messages, batch_size=BATCH)
    save_last_seqs(union)
    Reaction.objects.bulk_create(
        [
            Reaction(message=m, user_id=rng.choice(union.chatters[m.group_id]), emoji=rng.choice(Reaction.EMOJI))
            for m in messages
            if rng.random() < 0.05
        ],
        batch_size=BATCH,
    )
    Mention.objects.bulk_create(
        [
            Mention(message=m, user_id=rng.choice(union.chatters[m.group_id]), notified_at=m.created_at)
            for m in messages
            if rng.random() < 0.01
        ],
        batch_size=BATCH,
    )
    # A few old messages are evidence in reports still open: the sweep must keep them.
    authors = {p.pk: p for p in students}
    held = []
    for m in rng.sample(messages, min(10, len(messages))):
        reporter = next((pk for pk in union.chatters[m.group_id] if pk != m.author_id), None)
        if reporter is not None:
            author = authors[m.author_id]
            held.append(
                Report(
                    reporter_id=reporter,
                    group_id=m.group_id,
                    about=Report.About.MESSAGE,
                    message=m,
                    reported_user=author,
                    reported_name=author.display_name,
                    category=Category.OTHER,
                    evidence=[evidence_entry(m, author)],
                    routed_to=Report.Route.MODERATORS,
                )
            )
    Report.objects.bulk_create(held, batch_size=BATCH)

    # Mailings that finished sending long ago, with their delivery rows.
    per_mailing = 200
    old_mailings = []
    for _ in range(max(size.old_deliveries // per_mailing, 1)):
        s = rng.choice(union.active)
        started = ago(settings.RETENTION_DELIVERY_LOGS_DAYS + rng.uniform(5, 300))
        old_mailings.append(
            Mailing(
                society=s,
                created_by=union.presidents[s.pk],
                audience=Mailing.Audience.MEMBERS,
                subject=f"{s.name}: last year's news",
                body="Last year's news.",
                status=Mailing.Status.SENT,
                send_at=started,
                started_at=started,
                finished_at=started + datetime.timedelta(minutes=5),
                recipient_count=per_mailing,
            )
        )
    old_mailings = Mailing.objects.bulk_create(old_mailings, batch_size=BATCH)
    Delivery.objects.bulk_create(
        [
            Delivery(mailing=m, user=p, email=p.email, status=Delivery.Status.SENT, attempts=1, sent_at=m.started_at)
            for m in old_mailings
            for p in rng.sample(students, min(per_mailing, len(students)))
        ],
        batch_size=BATCH,
    )

    # Audit events older than the audit retention period, and old access log entries.
    audit_days = settings.RETENTION_AUDIT_EVENTS_DAYS
    created = AuditEvent._meta.get_field("created_at")
    with explicit_times(created):
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=rng.choice(students) if rng.random() < 0.8 else None,
                    action=rng.choice(OLD_ACTIONS),
                    target_type="memberships.membership",
                    target_id=str(rng.randrange(1, 10**6)),
                    target_repr=f"{name_for(rng.randrange(len(students)))} in an old society",
                    scope=rng.choice(union.active).audit_scope,
                    data={"note": "from an earlier system"},
                    created_at=ago(audit_days + rng.uniform(5, 400)),
                )
                for _ in range(size.old_audit_events)
            ],
            batch_size=BATCH,
        )
    # Access log: as many entries past RETENTION_ACCESS_LOG_DAYS as within it.
    access_days = settings.RETENTION_ACCESS_LOG_DAYS
    ages = [access_days + rng.uniform(5, 300) for _ in range(size.old_accesses)]
    ages += [rng.uniform(1, access_days - 5) for _ in range(size.old_accesses)]
    with explicit_times(DataAccess._meta.get_field("created_at")):
        accesses = DataAccess.objects.bulk_create(
            [
                DataAccess(
                    actor=union.presidents[s.pk],
                    action="memberships.members.viewed",
                    what=f"Member list of {s.name}",
                    scope=s.audit_scope,
                    subject_count=3,
                    created_at=ago(days),
                )
                for s, days in ((rng.choice(union.active), days) for days in ages)
            ],
            batch_size=BATCH,
        )
    DataAccessSubject.objects.bulk_create(
        [DataAccessSubject(access=a, user=p) for a in accesses for p in rng.sample(students, 3)], batch_size=BATCH
    )

    # Conduct cases closed longer ago than their retention period, each with the report that opened it.
    closed_days = settings.RETENTION_CLOSED_CASES_DAYS
    old_cases = []
    for _ in range(size.old_closed_cases):
        g = rng.choice(groups)
        subject = authors[rng.choice(union.chatters[g.pk])]
        old_cases.append(
            Case(
                source=Case.Source.REPORT,
                status=Case.Status.CLOSED,
                outcome=Case.Outcome.WARNING,
                outcome_note="Warned; no further reports.",
                group=g,
                society=g.society,
                subject=subject,
                subject_name=subject.display_name,
                summary="Reported for abuse in the group chat.",
                evidence=[{"author": subject.display_name, "author_id": subject.pk, "body": "[old message]"}],
                closed_at=ago(closed_days + rng.uniform(5, 200)),
                closed_by=union.staff,
            )
        )
    old_cases = Case.objects.bulk_create(old_cases, batch_size=BATCH)
    Report.objects.bulk_create(
        [
            Report(
                reporter_id=rng.choice(union.chatters[c.group_id]),
                group_id=c.group_id,
                about=Report.About.MEMBER,
                reported_user=c.subject,
                reported_name=c.subject_name,
                category=Category.ABUSE,
                routed_to=Report.Route.STAFF,
                escalation=Report.Escalation.ZERO_TOLERANCE,
                escalated_at=c.closed_at,
                status=Report.Status.CLOSED,
                closed_at=c.closed_at,
                case=c,
            )
            for c in old_cases
        ],
        batch_size=BATCH,
    )

    # Former students: course ended more than RETENTION_FORMER_MEMBERS_DAYS ago, not signed in since.
    ended = timezone.localdate() - datetime.timedelta(days=settings.RETENTION_FORMER_MEMBERS_DAYS + 60)
    former = make_students("former", size.former_students, course_ends=ended)
    then = academic_year_for(ended)
    orders = Order.objects.bulk_create(
        [
            Order(buyer=p, status=Order.Status.PAID, total_pence=500, provider="test", expires_at=ago(700))
            for p in former
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(order=o, provider="test", provider_payment_id=f"bench-{o.reference}", amount_pence=500)
            for o in orders
        ]
    )
    joined = [rng.choice(union.active) for _ in former]
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                variant_id=union.types[s.pk].variant_id,
                seller=s,
                kind="membership",
                description=f"{s.name}: Full member {then.label}",
                quantity=1,
                unit_price_pence=500,
            )
            for o, s in zip(orders, joined, strict=True)
        ]
    )
    old_memberships = Membership.objects.bulk_create(
        [
            Membership(
                user=p,
                society=s,
                membership_type=union.types[s.pk],
                order_line=line,
                status=Membership.Status.EXPIRED,
                starts_on=then.start,
                ends_on=then.end,
            )
            for p, s, line in zip(former, joined, lines, strict=True)
        ]
    )
    AuditEvent.objects.bulk_create(
        [
            audit(m.user, "memberships.membership.started", m, s.audit_scope)
            for m, s in zip(old_memberships, joined, strict=True)
        ]
    )
    return {"old_messages": len(messages), "held_as_evidence": len(held), "old_mailings": len(old_mailings)}


# --- Heavy users ----------------------------------------------------------------------------------


def seed_heavy_user(n: int, union: Union, students: list[Any], rng: random.Random) -> Any:
    """One person who has used everything a lot (see the module docstring)."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from quad.accounts.models import TrainingRecord, User
    from quad.chat.models import GroupMember, Mention, Message, Reaction
    from quad.commerce.models import Order, OrderLine, Payment
    from quad.conduct.models import Category, Report
    from quad.core.academic import current_academic_year
    from quad.core.models import AuditEvent, DataAccess, DataAccessSubject
    from quad.events.models import Ticket
    from quad.events.services import KIND as TICKET
    from quad.mailings.models import Delivery, NewsPreference
    from quad.memberships.models import Membership
    from quad.memberships.services import KIND as MEMBERSHIP
    from quad.societies.models import CommitteeTerm, Position

    now = timezone.now()
    today = timezone.localdate()
    year = current_academic_year()
    domain = settings.STUDENT_EMAIL_DOMAINS[0]
    person = User.objects.create(
        email=f"heavy.user{n}@{domain}",
        display_name=HEAVY_NAMES[n % len(HEAVY_NAMES)],
        course_ends_on=today + datetime.timedelta(days=700),
        student_verified_at=now,
        last_login=now,
        password="!",
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    expires = now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    Session.objects.bulk_create([signed_in_session(person, expires) for _ in range(2)])
    TrainingRecord.objects.create(
        user=person,
        completed_on=today - datetime.timedelta(days=30),
        expires_on=today + datetime.timedelta(days=335),
        source=TrainingRecord.Source.QUIZ,
        score=95,
    )
    societies = rng.sample(union.active, min(HEAVY_SOCIETIES, len(union.active)))
    term = CommitteeTerm.objects.create(
        society=societies[0],
        user=person,
        position=Position.objects.get(society=societies[0], name="Secretary"),
        starts_on=year.start,
        ends_on=year.end,
        granted_by=union.staff,
    )

    # 100 orders: a membership of each society, a ticket each for 50 events, 30 abandoned at checkout.
    ticketed = [societies[k % len(societies)] for k in range(HEAVY_TICKETS)]
    abandoned = [societies[k % len(societies)] for k in range(HEAVY_ABANDONED_ORDERS)]
    plan = (
        [("membership", s) for s in societies]
        + [("ticket", s) for s in ticketed]
        + [("abandoned", s) for s in abandoned]
    )
    orders = Order.objects.bulk_create(
        [
            Order(
                buyer=person,
                status=Order.Status.EXPIRED if kind == "abandoned" else Order.Status.PAID,
                total_pence=union.types[s.pk].variant.price_pence if kind == "membership" else 500,
                provider="test",
                expires_at=now,
                paid_at=None if kind == "abandoned" else now,
            )
            for kind, s in plan
        ]
    )
    Payment.objects.bulk_create(
        [
            Payment(order=o, provider="test", provider_payment_id=f"bench-{o.reference}", amount_pence=o.total_pence)
            for o, (kind, _s) in zip(orders, plan, strict=True)
            if kind != "abandoned"
        ]
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                variant_id=union.types[s.pk].variant_id
                if kind == "membership"
                else union.ticket_types[s.pk].variant_id,
                seller=s,
                kind=MEMBERSHIP if kind == "membership" else TICKET,
                description=f"{s.name}: Full member {year.label}" if kind == "membership" else f"{s.name} social",
                quantity=1,
                unit_price_pence=o.total_pence,
            )
            for o, (kind, s) in zip(orders, plan, strict=True)
        ]
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                user=person,
                society=s,
                membership_type=union.types[s.pk],
                order_line=line,
                starts_on=year.start,
                ends_on=year.end,
            )
            for line, (kind, s) in zip(lines, plan, strict=True)
            if kind == "membership"
        ]
    )
    Ticket.objects.bulk_create(
        [
            Ticket(
                event_id=union.ticket_types[s.pk].event_id,
                ticket_type=union.ticket_types[s.pk],
                holder=person,
                order_line=line,
            )
            for line, (kind, s) in zip(lines, plan, strict=True)
            if kind == "ticket"
        ]
    )

    # Chat: a member of each society's group; 2,000 messages; reactions; others thanking them by name.
    groups = [union.groups[s.pk] for s in societies]
    GroupMember.objects.bulk_create(
        [GroupMember(group=g, user=person, accepted_version=1, accepted_at=now, last_read_seq=0) for g in groups]
    )
    others_messages = list(
        Message.objects.filter(group__in=groups).values_list("pk", "group_id", "seq", "author_id", "created_at")[:5000]
    )
    written = []
    for k in range(HEAVY_MESSAGES):
        g = groups[k % len(groups)]
        union.last_seq[g.pk] += 1
        written.append(
            Message(
                group=g,
                seq=union.last_seq[g.pk],
                author=person,
                body=rng.choice(BODIES),
                created_at=ago(rng.uniform(0, 300)),
            )
        )
    thanks = []
    for k in range(HEAVY_MENTIONS):
        g = groups[k % len(groups)]
        union.last_seq[g.pk] += 1
        thanks.append(
            Message(
                group=g,
                seq=union.last_seq[g.pk],
                author_id=rng.choice(union.chatters[g.pk]),
                body=f"@{person.display_name} thanks for organising, see you Friday!",
                created_at=ago(rng.uniform(0, 300)),
            )
        )
    with explicit_times(Message._meta.get_field("created_at")):
        written = Message.objects.bulk_create(written, batch_size=BATCH)
        thanks = Message.objects.bulk_create(thanks, batch_size=BATCH)
    save_last_seqs(union)
    Mention.objects.bulk_create([Mention(message=m, user=person, notified_at=now) for m in thanks])
    Reaction.objects.bulk_create(
        [
            Reaction(message_id=pk, user=person, emoji=rng.choice(Reaction.EMOJI))
            for pk, *_rest in rng.sample(others_messages, min(HEAVY_REACTIONS, len(others_messages)))
        ]
    )

    # Email: the recent mailings of their societies; news from five of them turned off.
    Delivery.objects.bulk_create(
        [
            Delivery(
                mailing=m,
                user=person,
                email=person.email,
                status=Delivery.Status.SENT,
                attempts=1,
                sent_at=m.started_at,
            )
            for s in societies
            for m in union.mailings.get(s.pk, [])
        ]
    )
    NewsPreference.objects.bulk_create([NewsPreference(user=person, society=s, receive=False) for s in societies[:5]])

    # Audit: what they did, what was done about them (naming them), and records of their address.
    scope = societies[0].audit_scope
    events = [audit(person, "commerce.order.paid", o, "union", {"total_pence": o.total_pence}) for o in orders[:70]]
    events += [audit(person, "chat.message.edited", m, scope) for m in written[: HEAVY_ACTOR_EVENTS - len(events)]]
    events += [audit(person, "memberships.membership.started", m, m.society.audit_scope) for m in memberships]
    events.append(audit(union.staff, "societies.committee.granted", term, scope))
    events += [
        audit(person, "accounts.email.confirmed", person, "union", {"email": person.email, "step": k})
        for k in range(HEAVY_ADDRESS_EVENTS)
    ]
    AuditEvent.objects.bulk_create(events)
    accesses = DataAccess.objects.bulk_create(
        [
            DataAccess(
                actor=union.presidents[s.pk],
                action="memberships.members.viewed",
                what=f"Member list of {s.name}",
                scope=s.audit_scope,
                subject_count=40,
            )
            for s in (societies[k % len(societies)] for k in range(HEAVY_ACCESSES))
        ]
    )
    DataAccessSubject.objects.bulk_create([DataAccessSubject(access=a, user=person) for a in accesses])

    # Conduct: three reports they made (dismissed), and one about them still open.
    authors = {p.pk: p for p in students}
    made = []
    for pk, group_id, _seq, author_id, _at in rng.sample(others_messages, min(3, len(others_messages))):
        message = Message.objects.get(pk=pk)
        author = authors.get(author_id)
        if author is None:
            continue
        made.append(
            Report(
                reporter=person,
                group_id=group_id,
                about=Report.About.MESSAGE,
                message=message,
                reported_user=author,
                reported_name=author.display_name,
                category=Category.OTHER,
                note=f"{author.display_name} keeps posting off-topic links.",
                evidence=[evidence_entry(message, author)],
                routed_to=Report.Route.MODERATORS,
                status=Report.Status.CLOSED,
                action=Report.Action.DISMISSED,
                acted_at=now,
                acted_by=union.presidents[societies[0].pk],
                closed_at=now,
            )
        )
    about = written[0]
    made.append(
        Report(
            reporter_id=next(pk for pk in union.chatters[about.group_id] if pk != person.pk),
            group_id=about.group_id,
            about=Report.About.MESSAGE,
            message=about,
            reported_user=person,
            reported_name=person.display_name,
            category=Category.OTHER,
            evidence=[evidence_entry(about, person)],
            routed_to=Report.Route.MODERATORS,
        )
    )
    Report.objects.bulk_create(made)
    return person


def seed_sessions(students: list[Any], rng: random.Random) -> int:
    """A third of the students signed in (database sessions, as allauth leaves them)."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    chosen = rng.sample(students, len(students) // 3)
    Session.objects.bulk_create([signed_in_session(p, expires) for p in chosen], batch_size=BATCH)
    return len(chosen)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------

PAGES = {"health": "/su/health/", "health_csv": "/su/health.csv", "console": "/su/"}


def staff_client(staff: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(staff)
    return client


def count_queries(client: Any) -> dict[str, int]:
    """{page: SQL queries}, the second request of each (the first may warm caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, path in PAGES.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} as union staff: HTTP {response.status_code}")
        counts[label] = len(queries)
    return counts


def time_page(client: Any, path: str, requests: int) -> tuple[list[float], int]:
    """Seconds per GET (after two warm-up requests) and the size of the last response."""
    for _ in range(2):
        client.get(path)
    seconds = []
    size = 0
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status_code}")
        size = len(response.content)
    return seconds, size


def time_health_service(runs: int = 5) -> list[float]:
    """quad.su.queries.society_health alone (its queries and rows, no template): the page's share of time
    that is not rendering."""
    from quad.su.queries import society_health

    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        society_health()
        seconds.append(time.perf_counter() - began)
    return seconds


def profiled(label: str, enabled: bool, action: Callable[[], Any]) -> Any:
    """Run `action`, under cProfile when `enabled` (printing its top functions by cumulative time)."""
    if not enabled:
        return action()
    profile = cProfile.Profile()
    result = profile.runcall(action)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
    print(f"--- cProfile: {label} ---\n{out.getvalue()}", flush=True)
    return result


def measure_export(person: Any) -> dict[str, Any]:
    from django.core.serializers.json import DjangoJSONEncoder

    from quad.privacy.services import build_export, export_document

    seconds = []
    content = b""
    for _ in range(EXPORT_RUNS):
        began = time.perf_counter()
        content = build_export(person)
        seconds.append(time.perf_counter() - began)
    document = export_document(person)
    rows = sum(len(s["rows"]) for part in document["parts"] for s in part["sections"])
    return {
        "export_median_ms": ms(statistics.median(seconds)),
        "export_max_ms": ms(max(seconds)),
        "export_zip_kib": round(len(content) / 1024, 1),
        "export_json_kib": round(len(json.dumps(document, cls=DjangoJSONEncoder).encode()) / 1024, 1),
        "export_rows": rows,
    }


def measure_erasures(people: list[Any], staff: Any, *, profile: bool) -> dict[str, Any]:
    from django.core.serializers.json import DjangoJSONEncoder

    from quad.accounts.models import User
    from quad.privacy.services import erase_account, export_document

    seconds = []
    leaks = []
    names_left = 0
    removed = 0
    kept = 0
    for k, person in enumerate(people):
        email, name = person.email, person.display_name
        before = json.dumps(export_document(person), cls=DjangoJSONEncoder, ensure_ascii=False)
        if email.lower() not in before.lower():  # the check below could not see an address if there were one
            raise SystemExit(f"{email} is not in their own export before erasure: the leak check would be blind")
        began = time.perf_counter()
        erase = functools.partial(erase_account, person, actor=staff, reason="bench")
        record = profiled("erase_account (first heavy user)", profile and k == 0, erase)
        seconds.append(time.perf_counter() - began)
        removed += sum(record.removed.values())
        kept += len(record.kept)
        stub = User.objects.get(pk=person.pk)
        text = json.dumps(export_document(stub), cls=DjangoJSONEncoder, ensure_ascii=False)
        if email.lower() in text.lower():
            leaks.append(email)
        if name in text:
            names_left += 1
        print(f"  erased {email} in {seconds[-1]:.2f} s ({sum(record.removed.values())} rows)", flush=True)
    return {
        "erasure_median_s": round(statistics.median(seconds), 2),
        "erasure_max_s": round(max(seconds), 2),
        "erasure_runs_s": [round(s, 2) for s in seconds],
        "erasure_rows_removed_or_anonymised_per_user": removed // max(len(people), 1),
        "erasure_kept_reasons_per_user": kept // max(len(people), 1),
        "erasure_alarm_s": ERASURE_ALARM_S,
        "erasure_alarm": max(seconds) > ERASURE_ALARM_S,
        "email_left_in_export": len(leaks),
        "display_name_left_in_export": names_left,
    }


@contextmanager
def timed_sweeps(seconds: dict[str, float]) -> Iterator[None]:
    """Time each retention kind's sweep within a run, to show where the run's time goes: every kind is
    registered again (same key, so same place in the order) wrapped in a timer, and put back afterwards."""
    from quad.core.personal_data import RetentionKind, register_retention, retention_kinds

    originals = retention_kinds()

    def timed(kind: RetentionKind) -> RetentionKind:
        def sweep(now: datetime.datetime) -> int:
            began = time.perf_counter()
            try:
                return kind.sweep(now)
            finally:
                seconds[kind.key] = time.perf_counter() - began

        return dataclasses.replace(kind, sweep=sweep)

    for kind in originals:
        register_retention(timed(kind))
    try:
        yield
    finally:
        for kind in originals:
            register_retention(kind)


def measure_retention(*, profile: bool) -> dict[str, Any]:
    from quad.privacy.services import apply_retention

    by_kind: dict[str, float] = {}
    began = time.perf_counter()
    with timed_sweeps(by_kind):
        first = profiled("apply_retention (first run)", profile, apply_retention)
    first_s = time.perf_counter() - began
    print(f"  first sweep in {first_s:.2f} s: {first.removed}", flush=True)
    began = time.perf_counter()
    second = apply_retention()
    second_s = time.perf_counter() - began
    print(f"  second sweep in {second_s:.2f} s: {second.removed}", flush=True)
    figures: dict[str, Any] = {"retention_first_run_s": round(first_s, 2), "retention_first_removed": first.total}
    figures.update({f"retention_first_removed_{key}": n for key, n in first.removed.items()})
    figures.update({f"retention_first_s_{key}": round(by_kind[key], 3) for key in first.removed})
    if first.removed.get("former_members"):
        figures["retention_first_ms_per_former_member"] = ms(
            by_kind["former_members"] / first.removed["former_members"]
        )
    figures.update({"retention_second_run_s": round(second_s, 2), "retention_second_removed": second.total})
    return figures


def table_sizes() -> dict[str, int]:
    from django.contrib.sessions.models import Session

    from quad.accounts.models import User
    from quad.chat.models import Message
    from quad.commerce.models import Order
    from quad.core.models import AuditEvent, DataAccess
    from quad.mailings.models import Delivery
    from quad.memberships.models import Membership
    from quad.societies.models import Society

    return {
        "societies": Society.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "orders": Order.objects.count(),
        "chat_messages": Message.objects.count(),
        "deliveries": Delivery.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "access_log_entries": DataAccess.objects.count(),
        "sessions": Session.objects.count(),
    }


def machine_description() -> str:
    from bench.__main__ import machine

    return machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 societies, 1,500 students, a tenth of the backlog")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="print cProfile of the first erasure and sweep")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    small = max(size.societies // 10, 1)

    url = os.environ.get("BENCH_CONSOLE_DATABASE_URL", DEFAULT_DATABASE_URL)
    var_dir, _env = prepare(url, var_prefix="quad-bench-console-")
    load_before = os.getloadavg()[0]
    figures: dict[str, Any] = {}
    try:
        setup_and_migrate()
        from django.utils import timezone

        from quad.societies.models import Category

        rng = random.Random(SEED)
        started = time.perf_counter()
        staff = make_staff()
        union = Union(
            staff=staff,
            categories=Category.objects.bulk_create(
                [Category(name=f"Bench category {n}", slug=f"bench-category-{n}") for n in range(8)]
            ),
        )
        students = make_students(
            "student", size.students, course_ends=timezone.localdate() + datetime.timedelta(days=700)
        )
        share = size.students * small // size.societies
        seed_societies(range(small), students[:share], union, rng)
        save_last_seqs(union)
        analyze()
        print(f"Seeded {small} societies in {time.perf_counter() - started:.1f} s; counting queries…", flush=True)
        client = staff_client(staff)
        at_small = count_queries(client)

        seed_societies(range(small, size.societies), students[share:], union, rng)
        save_last_seqs(union)
        print(f"Seeded {size.societies} societies in {time.perf_counter() - started:.1f} s", flush=True)
        analyze()
        at_large = count_queries(client)

        backlog = seed_backlog(size, union, students, rng)
        heavy = [seed_heavy_user(n, union, students, rng) for n in range(HEAVY_USERS)]
        signed_in = seed_sessions(students, rng)
        analyze()
        build_s = time.perf_counter() - started
        sizes = table_sizes()
        print(f"Built the union in {build_s:.1f} s: {json.dumps(sizes)}", flush=True)

        print(f"Timing the health page ({HEALTH_REQUESTS} requests) and its CSV…", flush=True)
        busy_before = machine_busy()
        health_s, health_bytes = time_page(client, PAGES["health"], HEALTH_REQUESTS)
        csv_s, csv_bytes = time_page(client, PAGES["health_csv"], CSV_REQUESTS)
        console_s, _ = time_page(client, PAGES["console"], CSV_REQUESTS)
        health_service_s = time_health_service()

        print(f"Timing the subject access export ({EXPORT_RUNS} runs)…", flush=True)
        export = measure_export(heavy[0])
        print(f"  {json.dumps(export)}", flush=True)
        print(f"Erasing {len(heavy)} heavy users…", flush=True)
        erasure = measure_erasures(heavy, staff, profile=args.profile)
        print("Running the retention sweep twice…", flush=True)
        retention = measure_retention(profile=args.profile)
        busy, total = (after - before for after, before in zip(machine_busy(), busy_before, strict=True))

        constant = all(at_small[k] == at_large[k] for k in ("health", "health_csv"))
        figures = {
            "mode": "quick" if args.quick else "full",
            "societies": size.societies,
            "students": size.students,
            **{f"rows_{key}": n for key, n in sizes.items()},
            "signed_in_sessions": signed_in,
            "health_queries_constant": constant,
            **{f"queries_{key}_at_{small}_societies": n for key, n in at_small.items()},
            **{f"queries_{key}_at_{size.societies}_societies": n for key, n in at_large.items()},
            "health_p50_ms": ms(percentile(health_s, 50)),
            "health_p95_ms": ms(percentile(health_s, 95)),
            "health_requests": len(health_s),
            "health_page_kib": round(health_bytes / 1024, 1),
            "health_csv_p50_ms": ms(percentile(csv_s, 50)),
            "health_csv_p95_ms": ms(percentile(csv_s, 95)),
            "health_csv_kib": round(csv_bytes / 1024, 1),
            "health_service_median_ms": ms(statistics.median(health_service_s)),
            "console_p50_ms": ms(percentile(console_s, 50)),
            "heavy_user": HEAVY_USER,
            **export,
            **erasure,
            "backlog_old_chat_messages": backlog["old_messages"],
            "backlog_held_as_evidence": backlog["held_as_evidence"],
            "backlog_old_deliveries": size.old_deliveries,
            "backlog_old_audit_events": size.old_audit_events,
            "backlog_old_access_log_entries": size.old_accesses,
            "backlog_old_closed_cases": size.old_closed_cases,
            "backlog_former_students": size.former_students,
            **retention,
            "build_s": round(build_s, 1),
            "load_average_before": round(load_before, 2),
            "machine_busy_pct": round(100 * busy / total) if total else 0,
            "machine": machine_description(),
            "timed_through": "Django's test client in the bench process (union staff with TOTP, force_login), "
            "PostgreSQL on 127.0.0.1; services called directly",
        }
    finally:
        finish(server=None, log=var_dir / "none.log", url=url, var_dir=var_dir, keep=args.keep)

    print(json.dumps(figures))
    failures = []
    if not figures["health_queries_constant"]:
        failures.append("the health page's queries grow with the number of societies")
    if figures["email_left_in_export"]:
        failures.append("an erased person's address is still in their export")
    if figures["retention_second_removed"]:
        failures.append("the second retention run removed something")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
