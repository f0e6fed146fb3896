"""Delivering a mailing: each recipient once, the real headers, failures sorted into permanent and
temporary, and a worker's death leaving nothing sent twice or skipped."""

from __future__ import annotations

import datetime
import smtplib
import socket
import subprocess
from email.utils import parseaddr
from typing import Any

import pytest
from django.utils import timezone

from quad.mailings import delivery, services
from quad.mailings.models import Delivery, Mailing
from quad.mailings.rendering import read_unsubscribe_token
from quad.mailings.tests.conftest import write

pytestmark = pytest.mark.django_db


def send(mailing: Any, actor: Any, django_capture_on_commit_callbacks: Any) -> Mailing:
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_mailing(mailing, actor=actor)


def test_every_member_gets_one_message_of_their_own(
    society: Any,
    members: list[Any],
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = send(write(society, committee_trained), committee_trained, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in members)
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert mailing.recipient_count == len(members)
    assert set(mailing.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_news_mail_carries_sender_reply_to_and_one_click_unsubscribe(
    society: Any, member: Any, committee_trained: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    society.contact_email = "hiking@union.example.ac.uk"
    society.save()
    send(write(society, committee_trained), committee_trained, django_capture_on_commit_callbacks)

    [message] = mailoutbox
    assert parseaddr(message.from_email) == ("Hiking Society", "societies@union.example.ac.uk")
    assert message.reply_to == ["hiking@union.example.ac.uk"]
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (member.pk, society.pk)
    assert url in message.body
    assert url in message.alternatives[0][0]
    assert headers["Message-ID"].startswith("<quad.mailing.")
    assert "<strong>9am</strong>" in message.alternatives[0][0]


def test_essential_mail_has_no_unsubscribe_and_reaches_those_who_turned_news_off(
    society: Any,
    members: list[Any],
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.set_news_preference(members[0], society, receive=False)
    mailing = write(society, committee_trained, audience=Mailing.Audience.COMMITTEE, kind=Mailing.Kind.ESSENTIAL)
    send(mailing, committee_trained, django_capture_on_commit_callbacks)
    assert mailoutbox
    assert all("List-Unsubscribe" not in m.message() for m in mailoutbox)

    mailoutbox.clear()
    send(write(society, committee_trained), committee_trained, django_capture_on_commit_callbacks)
    assert members[0].email not in {m.to[0] for m in mailoutbox}
    assert len(mailoutbox) == len(members) - 1


def test_running_delivery_again_sends_nothing_more(
    society: Any,
    members: list[Any],
    committee_trained: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = send(write(society, committee_trained), committee_trained, django_capture_on_commit_callbacks)
    sent = len(mailoutbox)

    assert delivery.deliver(mailing.pk) == 0
    assert delivery.resume_stalled() == 0
    assert len(mailoutbox) == sent == len(members)


class FlakyBackend:
    """An email backend whose server refuses one address for good and drops the connection once."""

    refused = "member.0@student.example.ac.uk"
    drops_left = 1
    sent: list[str] = []

    def __init__(self, **_: Any) -> None:
        pass

    def open(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        [message] = messages
        address = message.to[0]
        if address == self.refused:
            raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such mailbox")})
        if FlakyBackend.drops_left and address.startswith("member.2"):
            FlakyBackend.drops_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        FlakyBackend.sent.append(address)
        return 1


def test_a_refused_address_fails_with_its_reason_and_a_dropped_connection_is_retried_later(
    settings: Any, society: Any, members: list[Any], committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    settings.MAILINGS_RETRY_SECONDS = 60
    FlakyBackend.sent, FlakyBackend.drops_left = [], 1
    mailing = send(write(society, committee_trained), committee_trained, django_capture_on_commit_callbacks)

    refused = mailing.deliveries.get(email=FlakyBackend.refused)
    assert refused.status == Delivery.Status.FAILED
    assert "550" in refused.error and "No such mailbox" in refused.error
    dropped = mailing.deliveries.get(email__startswith="member.2")
    assert dropped.status == Delivery.Status.QUEUED
    assert dropped.attempts == 1
    assert dropped.next_attempt_at is not None
    assert dropped.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING  # not finished while a retry is due

    # Not yet due: nothing happens. Once due, it goes, and the mailing is done.
    assert delivery.deliver(mailing.pk) == 0
    Delivery.objects.filter(pk=dropped.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(mailing.pk) == 1
    dropped.refresh_from_db()
    mailing.refresh_from_db()
    assert dropped.status == Delivery.Status.SENT
    assert mailing.status == Mailing.Status.SENT
    assert sorted(FlakyBackend.sent) == sorted(p.email for p in members if p.email != FlakyBackend.refused)


def test_after_the_last_attempt_a_delivery_fails_for_good(
    settings: Any, society: Any, member: Any, committee_trained: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    settings.MAILINGS_MAX_ATTEMPTS = 2
    mailing = send(write(society, committee_trained), committee_trained, django_capture_on_commit_callbacks)
    [only] = mailing.deliveries.all()
    assert (only.status, only.attempts) == (Delivery.Status.QUEUED, 1)
    assert "Could not reach the mail server" in only.error

    Delivery.objects.filter(pk=only.pk).update(next_attempt_at=timezone.now())
    delivery.deliver(mailing.pk)
    only.refresh_from_db()
    mailing.refresh_from_db()
    assert (only.status, only.attempts) == (Delivery.Status.FAILED, 2)
    assert only.error.startswith("Gave up after 2 attempts")
    assert mailing.status == Mailing.Status.SENT


def test_claims_of_a_dead_worker_are_released_and_the_one_on_the_wire_is_marked(
    society: Any, members: list[Any], committee_trained: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained)
    dead = "elsewhere:1"
    first, second, *_ = mailing.deliveries.order_by("pk")
    Delivery.objects.filter(pk=first.pk).update(
        status=Delivery.Status.SENDING, claimed_by=dead, claimed_at=timezone.now()
    )
    Delivery.objects.filter(pk=second.pk).update(
        status=Delivery.Status.CLAIMED, claimed_by=dead, claimed_at=timezone.now()
    )

    # Another machine's fresh claim is left alone; once older than the timeout it is released.
    assert delivery.release_abandoned_claims() == 0
    old = timezone.now() - datetime.timedelta(seconds=settings.MAILINGS_CLAIM_TIMEOUT + 1)
    Delivery.objects.filter(claimed_by=dead).update(claimed_at=old)
    assert delivery.release_abandoned_claims() == 2

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.resent_after_interruption) == (Delivery.Status.QUEUED, True)
    assert (second.status, second.resent_after_interruption) == (Delivery.Status.QUEUED, False)


def test_a_claim_by_a_process_that_no_longer_exists_on_this_machine_is_released_at_once(
    society: Any, member: Any, committee_trained: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    finished = subprocess.Popen(["true"])  # a process that has come and gone
    finished.wait()
    alive = delivery.worker_id()  # this very process
    mailing = services.send_mailing(write(society, committee_trained), actor=committee_trained)
    Delivery.objects.filter(mailing=mailing).update(
        status=Delivery.Status.CLAIMED, claimed_by=f"{socket.gethostname()}:{finished.pid}", claimed_at=timezone.now()
    )
    assert delivery.release_abandoned_claims() == 1

    Delivery.objects.filter(mailing=mailing).update(status=Delivery.Status.CLAIMED, claimed_by=alive)
    assert delivery.release_abandoned_claims() == 0
