"""A real SMTP server (aiosmtpd) that keeps what it is sent, and a society with many members, for
the worker-kill test and bench/mailing.py."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """Collects (recipient, Message-ID) for every message accepted. `on_message(count)` runs inside
    the DATA command before the server answers, so a test can act while a message is on the wire:
    if it returns a reply string (e.g. "451 ..."), the message is refused and not kept.
    `first_at` and `last_at` are when (time.perf_counter()) the first and the latest message of a
    mailing (Message-ID starting `timed`) were kept."""

    def __init__(self, on_message: Callable[[int], str | None] | None = None, *, timed: str = "<quad.mailing.") -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, str]] = []
        self.on_message = on_message
        self.timed = timed
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.headers = BytesHeaderParser()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = self.headers.parsebytes(content.partition(b"\r\n\r\n")[0])["Message-ID"] or ""
        if self.on_message is not None:
            with self.lock:
                seen = len(self.received)
            reply = self.on_message(seen + 1)
            if reply:
                return reply
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, message_id))
            if message_id.startswith(self.timed):
                self.last_at = time.perf_counter()
                if self.first_at is None:
                    self.first_at = self.last_at
        return "250 Message accepted for delivery"

    def __enter__(self) -> Sink:
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def thread_id(self) -> int | None:
        """The native id of the thread the server runs in (its CPU time is in /proc/self/task/<id>/stat)."""
        thread = getattr(self.controller, "_thread", None)
        return thread.native_id if thread is not None else None

    def count(self, *, message_ids: str = "<quad.mailing.") -> int:
        with self.lock:
            return sum(1 for _, m in self.received if m.startswith(message_ids))

    def report(self, expected: set[str], *, message_ids: str = "<quad.mailing.") -> dict[str, Any]:
        """What arrived of the mailing (messages whose Message-ID starts with `message_ids`; other
        mail, such as notices to the committee, is left out), per recipient: transmissions, distinct
        messages (by Message-ID), and who is missing."""
        with self.lock:
            received = [(r, m) for r, m in self.received if m.startswith(message_ids)]
        raw = Counter(recipient for recipient, _ in received)
        distinct: dict[str, set[str]] = defaultdict(set)
        for recipient, message_id in received:
            distinct[recipient].add(message_id)
        return {
            "expected": len(expected),
            "transmissions": len(received),
            "recipients_reached": len(raw),
            "missing": sorted(expected - set(raw)),
            "unexpected": sorted(set(raw) - expected),
            "sent_twice": sorted(r for r, n in raw.items() if n > 1),
            "two_different_messages": sorted(r for r, ids in distinct.items() if len(ids) > 1),
        }


def build_society_with_members(count: int, *, name: str = "Mailing Society") -> tuple[Any, Any, list[str]]:
    """A society with `count` current members (made directly, without the checkout, for speed) and
    its trained President. Returns (society, president, member addresses)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from conftest import STUDENT_DOMAIN, found_society, make_person, train
    from quad.core.academic import current_academic_year
    from quad.memberships.models import Membership
    from quad.memberships.services import create_membership_type

    User = get_user_model()
    staff = make_person("Mail Staff", "mail.staff", student=False)
    staff.is_union_staff = True
    staff.save(update_fields=["is_union_staff"])
    president = make_person("Mail President", "mail.president")
    train(president)
    society = found_society(
        name,
        president,
        make_person("Mail Treasurer", "mail.treasurer"),
        make_person("Mail Secretary", "mail.secretary"),
        staff=staff,
    )
    year = current_academic_year()
    membership_type = create_membership_type(society, actor=president, year=year, name="Member", price_pence=0)
    ends = timezone.localdate().replace(year=timezone.localdate().year + 2)
    users = User.objects.bulk_create(
        [
            User(email=f"rcpt{n:06d}@{STUDENT_DOMAIN}", display_name=f"Member {n}", course_ends_on=ends)
            for n in range(count)
        ],
        batch_size=2000,
    )
    users = list(User.objects.filter(email__startswith="rcpt", email__endswith=STUDENT_DOMAIN).order_by("pk"))
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                society=society,
                membership_type=membership_type,
                starts_on=max(year.start, timezone.localdate()),
                ends_on=year.end,
            )
            for user in users
        ],
        batch_size=2000,
    )
    return society, president, [user.email for user in users]
