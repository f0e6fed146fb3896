"""Delivering a mailing: each recipient exactly once, however often a worker dies.

A delivery moves queued -> claimed -> sending -> sent (or failed). A worker claims a batch (locked
rows skipped on PostgreSQL; SQLite's IMMEDIATE transactions queue writers) and sends it over one
SMTP connection. Just before a message goes on the wire its row is committed as `sending` (in the
same commit that records the previous message as `sent`; over SMTP the envelope, MAIL FROM and
RCPT TO, goes to the server during that commit, but the server delivers nothing until the message
itself follows it), so when a worker is killed:

- `claimed` rows never went out: they are queued again and sent once;
- at most one row is `sending`, the message that was on the wire: the mail server may or may not
  have taken it. It is sent again with the same Message-ID, which mail systems use to recognise
  a repeat, and the row is marked `resent_after_interruption` so the count of such cases is known.

Claims are released when the claiming process is gone (same machine: its pid no longer exists) or,
for another machine, after MAILINGS_CLAIM_TIMEOUT. `manage.py resume_mailings` (run by `serve`
at start and every few minutes) releases them and re-enqueues stalled mailings.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import os
import smtplib
import socket
from concurrent.futures import ThreadPoolExecutor

from anymail.exceptions import AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from quad.mailings.models import Delivery, Mailing
from quad.mailings.rendering import RenderedMailing, WireMailing, build_message, render_mailing, wire_mailing

logger = logging.getLogger(__name__)

PERMANENT = (smtplib.SMTPRecipientsRefused, AnymailRecipientsRefused, AnymailInvalidAddress)
IN_FLIGHT = (Delivery.Status.CLAIMED, Delivery.Status.SENDING)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(claimed_by: str) -> bool:
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def release_abandoned_claims(mailing_id: int | None = None) -> int:
    """Queue again what dead or stuck workers had claimed. Returns how many deliveries were released."""
    claims = Delivery.objects.filter(status__in=IN_FLIGHT)
    if mailing_id is not None:
        claims = claims.filter(mailing_id=mailing_id)
    stale_before = timezone.now() - datetime.timedelta(seconds=settings.MAILINGS_CLAIM_TIMEOUT)
    owners = set(claims.values_list("claimed_by", flat=True).distinct())
    abandoned = [owner for owner in owners if _process_gone(owner)]
    released = 0
    with transaction.atomic():
        mine = claims.filter(Q(claimed_by__in=abandoned) | Q(claimed_at__lt=stale_before))
        released += mine.filter(status=Delivery.Status.SENDING).update(
            status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None, resent_after_interruption=True
        )
        released += mine.filter(status=Delivery.Status.CLAIMED).update(
            status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None
        )
    if released:
        logger.warning("Released %d deliveries claimed by workers that stopped: %s", released, sorted(abandoned))
    return released


def _claim(mailing_id: int, worker: str, size: int) -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic():
        due = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(mailing_id=mailing_id, status=Delivery.Status.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        ids = list(due)
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CLAIMED, claimed_by=worker, claimed_at=now
        )
    return list(Delivery.objects.filter(pk__in=ids, claimed_by=worker, status=Delivery.Status.CLAIMED).order_by("pk"))


@functools.cache
def _sending_sql() -> str:
    """One UPDATE, so one commit: the previous delivery sent, the next one sending (if still claimed).
    Written out rather than built by the ORM for every message, whose Case/When cost more than the rest
    of a message's work; the parameters are in the order `_Ledger.sending` passes them."""
    q = connection.ops.quote_name
    column = {field.name: q(field.column) for field in Delivery._meta.concrete_fields}
    table, pk, status, error = q(Delivery._meta.db_table), column["id"], column["status"], column["error"]
    sent_at, attempts, claimed_by = column["sent_at"], column["attempts"], column["claimed_by"]
    return (
        f"UPDATE {table} SET {status} = CASE WHEN {pk} = %s THEN %s ELSE %s END, "  # noqa: S608 (names from the model)
        f"{sent_at} = CASE WHEN {pk} = %s THEN %s ELSE {sent_at} END, "
        f"{error} = CASE WHEN {pk} = %s THEN '' ELSE {error} END, "
        f"{attempts} = CASE WHEN {pk} = %s THEN %s ELSE {attempts} END "
        f"WHERE {claimed_by} = %s AND ({pk} = %s OR ({pk} = %s AND {status} = %s))"
    )


class _Ledger:
    """Commits each delivery's progress; one commit per message: "previous sent, next sending"."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.sent: Delivery | None = None

    def _mine(self, delivery: Delivery):  # type: ignore[no-untyped-def]
        return Delivery.objects.filter(pk=delivery.pk, claimed_by=self.worker)

    def _flush_sent(self) -> None:
        if self.sent is not None:
            self._mine(self.sent).update(status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
            self.sent = None

    def sending(self, delivery: Delivery) -> bool:
        """Commit that the previous message was sent and this one is going on the wire: one UPDATE,
        its own transaction. False if this one is no longer this worker's (released by someone who
        thought it dead)."""
        delivery.attempts += 1
        going = Q(pk=delivery.pk, status=Delivery.Status.CLAIMED)
        if self.sent is None:
            return bool(
                Delivery.objects.filter(going, claimed_by=self.worker).update(
                    status=Delivery.Status.SENDING, attempts=delivery.attempts
                )
            )
        sent, self.sent = self.sent.pk, None
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                _sending_sql(),
                [
                    *(sent, Delivery.Status.SENT, Delivery.Status.SENDING, sent, now, sent),
                    *(delivery.pk, delivery.attempts, self.worker, sent, delivery.pk, Delivery.Status.CLAIMED),
                ],
            )
            updated = cursor.rowcount
        if updated != 1:
            return updated == 2
        # One of the two was released by someone else: was it this one?
        return self._mine(delivery).filter(status=Delivery.Status.SENDING).exists()

    def succeeded(self, delivery: Delivery) -> None:
        self.sent = delivery

    def failed(self, delivery: Delivery, reason: str) -> None:
        with transaction.atomic():
            self._flush_sent()
            self._mine(delivery).update(status=Delivery.Status.FAILED, error=reason[:300])

    def retry_later(self, delivery: Delivery, reason: str) -> datetime.datetime | None:
        """Queue again with backoff, or fail for good after the last attempt. Returns when it is due."""
        with transaction.atomic():
            self._flush_sent()
            if delivery.attempts >= settings.MAILINGS_MAX_ATTEMPTS:
                self._mine(delivery).update(
                    status=Delivery.Status.FAILED,
                    attempts=delivery.attempts,
                    error=f"Gave up after {delivery.attempts} attempts: {reason}"[:300],
                )
                return None
            delay = settings.MAILINGS_RETRY_SECONDS * 2 ** max(0, delivery.attempts - 1)
            due = timezone.now() + datetime.timedelta(seconds=delay)
            self._mine(delivery).update(
                status=Delivery.Status.QUEUED,
                attempts=delivery.attempts,
                claimed_by="",
                claimed_at=None,
                next_attempt_at=due,
                error=reason[:300],
            )
            return due

    def unclaim(self, deliveries: list[Delivery]) -> None:
        with transaction.atomic():
            self._flush_sent()
            Delivery.objects.filter(
                pk__in=[d.pk for d in deliveries], claimed_by=self.worker, status=Delivery.Status.CLAIMED
            ).update(status=Delivery.Status.QUEUED, claimed_by="", claimed_at=None)

    def close(self) -> None:
        with transaction.atomic():
            self._flush_sent()


def _text(message: bytes | str) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for code, message in error.recipients.values()
        ]
        return "The recipient's mail server refused the address: " + "; ".join(codes)
    if isinstance(error, smtplib.SMTPResponseException):
        message = (
            error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        )
        return f"Mail server said {error.smtp_code} {message}"
    return f"{type(error).__name__}: {error}"


def _is_permanent(error: BaseException) -> bool:
    if isinstance(error, PERMANENT):
        return True
    # 5xx replies to the message itself (not a lost connection) will not change on a retry.
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


def _envelope(smtp: smtplib.SMTP, sender: str, recipient: str, size: int) -> None:
    """The first half of smtplib.SMTP.sendmail: MAIL FROM and RCPT TO. Raises as sendmail does.
    Nothing is delivered until the second half (`_content`) has sent the message."""
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender, [f"size={size}"] if smtp.does_esmtp and smtp.has_extn("size") else [])
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in {250, 251}:
        _abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})


def _content(smtp: smtplib.SMTP, data: bytes) -> None:
    """The second half of smtplib.SMTP.sendmail: DATA and the message."""
    code, reply = smtp.data(data)
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _abandon(smtp: smtplib.SMTP, code: int = 250) -> None:
    """Drop the transaction in progress, as sendmail does (421: the server is closing the connection)."""
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _send_batch(
    rendered: RenderedMailing, wire: WireMailing | None, batch: list[Delivery], worker: str, society_id: int
) -> tuple[int, datetime.datetime | None]:
    """Send a claimed batch over one connection. Returns (handled, when a retry is due or None).

    Over SMTP, a message is the mailing's bytes encoded once with this recipient's parts filled in
    (what Django's SMTP backend would send, without a MIME tree built per message), and its envelope
    (MAIL FROM, RCPT TO) goes to the server from a helper thread while the ledger commits "sending":
    the message itself (DATA) follows the commit, as always."""
    ledger = _Ledger(worker)
    connection = get_connection(fail_silently=False)
    retry_due: datetime.datetime | None = None
    handled = 0
    try:
        connection.open()
    except Exception as error:
        reason = f"Could not reach the mail server: {_describe(error)}"
        for delivery in batch:
            delivery.attempts += 1
            due = ledger.retry_later(delivery, reason)
            retry_due = min(filter(None, [retry_due, due]), default=None)
        return len(batch), retry_due
    smtp = connection.connection if wire is not None and isinstance(connection, SMTPBackend) else None
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp-envelope") if smtp is not None else None
    try:
        for index, delivery in enumerate(batch):
            data = wire.data_for(delivery, society_id=society_id) if wire is not None and smtp is not None else None
            refused: BaseException | None = None
            if data is not None and wire is not None and smtp is not None and helper is not None:
                envelope = helper.submit(_envelope, smtp, wire.envelope_from, delivery.email, len(data))
                try:
                    ours = ledger.sending(delivery)
                finally:
                    refused = envelope.exception()  # waits for the server's answers
                if not ours and refused is None:
                    _abandon(smtp)
            else:
                message = build_message(rendered, delivery, society_id=society_id)
                ours = ledger.sending(delivery)
            if not ours:
                continue  # released by someone who thought this worker was dead: leave it to them
            try:
                if refused is not None:
                    raise refused
                if data is not None and smtp is not None:
                    _content(smtp, data)
                else:
                    connection.send_messages([message])
            except Exception as error:
                handled += 1
                if _is_permanent(error):
                    ledger.failed(delivery, _describe(error))
                    continue
                due = ledger.retry_later(delivery, _describe(error))
                retry_due = min(filter(None, [retry_due, due]), default=None)
                # The connection may be gone: hand the rest of the batch back for the next claim.
                ledger.unclaim(batch[index + 1 :])
                return handled, retry_due
            else:
                ledger.succeeded(delivery)
                handled += 1
    finally:
        if helper is not None:
            helper.shutdown()
        ledger.close()
        with contextlib.suppress(Exception):  # closing a broken connection may fail; nothing to do
            connection.close()
    return handled, retry_due


def deliver(mailing_id: int, *, limit: int | None = None) -> int:
    """Send up to `limit` of a mailing's queued deliveries (all of them if None). Returns how many
    were handled (sent, failed, or put back for a retry)."""
    release_abandoned_claims(mailing_id)
    mailing = Mailing.objects.select_related("society", "article__society").get(pk=mailing_id)
    if mailing.status != Mailing.Status.SENDING:
        return 0
    worker = worker_id()
    rendered = render_mailing(mailing)
    wire = wire_mailing(rendered)
    handled = 0
    retry_due: datetime.datetime | None = None
    remaining = limit if limit is not None else float("inf")
    while remaining > 0:
        batch = _claim(mailing_id, worker, int(min(settings.MAILINGS_BATCH_SIZE, remaining)))
        if not batch:
            break
        done, due = _send_batch(rendered, wire, batch, worker, mailing.society_id)
        handled += done
        remaining -= done
        retry_due = min(filter(None, [retry_due, due]), default=None)
    if retry_due is not None:
        from quad.mailings.services import enqueue_delivery

        enqueue_delivery(mailing_id, 1, run_after=retry_due)
    finish_if_done(mailing_id)
    return handled


def finish_if_done(mailing_id: int) -> bool:
    with transaction.atomic():
        unfinished = Delivery.objects.filter(
            mailing_id=mailing_id, status__in=[Delivery.Status.QUEUED, *IN_FLIGHT]
        ).exists()
        if unfinished:
            return False
        return bool(
            Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).update(
                status=Mailing.Status.SENT, finished_at=timezone.now()
            )
        )


def resume_stalled() -> int:
    """Release abandoned claims, finish mailings that are done, and re-enqueue mailings nobody is
    working on. Idempotent; `serve` runs it at start and every few minutes."""
    release_abandoned_claims()
    resumed = 0
    for mailing_id in Mailing.objects.filter(status=Mailing.Status.SENDING).values_list("pk", flat=True):
        if finish_if_done(mailing_id):
            continue
        deliveries = Delivery.objects.filter(mailing_id=mailing_id)
        if deliveries.filter(status__in=IN_FLIGHT).exists():
            continue  # a live worker has it
        now = timezone.now()
        due = deliveries.filter(status=Delivery.Status.QUEUED).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
        count = due.count()
        if count:
            from quad.mailings.services import enqueue_delivery

            enqueue_delivery(mailing_id, count)
            resumed += 1
    return resumed
