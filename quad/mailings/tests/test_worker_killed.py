"""Exactly once, with a real worker process killed mid-send and a real SMTP server (aiosmtpd).

Each scene runs in a process of its own on a database of its own (a SQLite file, or a fresh
PostgreSQL database in the PostgreSQL pass): 300 members, one mailing, a `manage.py db_worker`
sending it, SIGKILL part-way through, then `resume_mailings` and two fresh workers, as `make run`
would restart. See kill_scene.py.

What "exactly once" can mean over SMTP: when a worker dies after the server has taken a message but
before the worker hears "250", nobody but the server knows it arrived. That one message is sent
again with the same Message-ID, the key mail systems use to recognise a repeat, so the member's
mailbox holds it once. Every other member's message goes over the wire exactly once.
"""

from __future__ import annotations

from typing import Any

from quad.core.tests.sqlite_file import run_scene_module

SCENE = "quad.mailings.tests.kill_scene"
RECIPIENTS = "300"


def play(mode: str) -> dict[str, Any]:
    report = run_scene_module(SCENE, mode, RECIPIENTS, timeout=300)
    assert report["received_before_kill"] > 0, "the worker was killed before it sent anything"
    assert report["received_before_kill"] < report["expected"], "the worker finished before it was killed"
    return report


def test_a_worker_killed_at_a_random_moment_skips_nobody_and_repeats_nothing() -> None:
    report = play("random")

    assert report["missing"] == [] and report["unexpected"] == []
    assert report["two_different_messages"] == []  # one Message-ID per member: one message in each mailbox
    # Over the wire: everyone once, except at most the message in flight at the kill, which is marked.
    assert len(report["sent_twice"]) <= 1
    assert set(report["sent_twice"]) <= set(report["resent_after_interruption"])
    assert report["transmissions"] == report["expected"] + len(report["sent_twice"])
    assert report["statuses"] == ["sent"]


def test_killed_while_the_server_holds_a_message_the_repeat_is_the_same_message() -> None:
    report = play("on-the-wire")

    assert report["missing"] == []
    assert report["two_different_messages"] == []
    # The server kept the message on the wire and the worker never heard: it goes again, once,
    # with the same Message-ID, and is the only one to travel twice.
    assert report["sent_twice"] == report["resent_after_interruption"]
    assert len(report["sent_twice"]) == 1
    assert report["transmissions"] == report["expected"] + 1


def test_killed_while_the_server_refuses_the_message_on_the_wire_it_is_sent_once_later() -> None:
    report = play("refused")

    assert report["missing"] == []
    assert report["sent_twice"] == []
    assert report["transmissions"] == report["expected"]
    assert len(report["resent_after_interruption"]) == 1
    assert report["statuses"] == ["sent"]


def test_control_a_sender_that_records_each_batch_afterwards_repeats_the_interrupted_batch() -> None:
    """Without a record committed around each message, the same kill sends a batch's worth again."""
    report = play("naive")

    assert report["missing"] == []
    assert len(report["sent_twice"]) > 1
