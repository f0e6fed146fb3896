"""Kill a real mail worker mid-send, restart it, and count what a real SMTP server received.

Run as a module, in a process of its own, on a database of its own (a SQLite file in the embedded
setup's mode, or a fresh PostgreSQL database when DATABASE_URL is set), with `manage.py db_worker`
processes sending to an aiosmtpd server in this process. Prints one JSON line (see Sink.report).

    python -m quad.mailings.tests.kill_scene MODE RECIPIENTS

MODE:
  random        SIGKILL the worker at a moment chosen by the clock, a third of the way through
  on-the-wire   SIGKILL it while the server holds a message and has not answered; the server keeps it
  refused       SIGKILL it while the server holds a message, and the server then refuses that message
  naive         the control: a sender that records what it sent once per batch instead of per message
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Any

from quad.mailings.tests.worker_scene import (
    ROOT,
    database_kind,
    drop_database,
    open_database,
    start_worker,
    wait_for,
    worker_env,
)

BATCH = 25
TASK_SIZE = 100


def main(mode: str, recipients: int) -> dict[str, Any]:
    db_env = open_database()
    try:
        return play(mode, recipients, db_env)
    finally:
        drop_database(db_env)


def play(mode: str, recipients: int, db_env: dict[str, str]) -> dict[str, Any]:
    import datetime

    from django.conf import settings

    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)
    from quad.mailings import services
    from quad.mailings.models import Delivery, Mailing
    from quad.mailings.tests.smtp_sink import Sink, build_society_with_members

    society, president, addresses = build_society_with_members(recipients)
    mailing = services.create_mailing(society, actor=president, subject="Exactly once", body="Hello.")
    if mode == "naive":
        # The control sender reads the deliveries directly; nothing is enqueued for workers.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    kill_at = recipients // 3 + BATCH // 3  # part-way through a batch
    victim: dict[str, subprocess.Popen[bytes]] = {}
    killed: list[int] = []

    def on_message(number: int) -> str | None:
        if mode in {"on-the-wire", "refused"} and not killed and sink.count() + 1 >= kill_at and "worker" in victim:
            killed.append(number)
            os.kill(victim["worker"].pid, signal.SIGKILL)
            victim["worker"].wait()
            return "451 4.3.0 Try again later" if mode == "refused" else None
        return None

    with Sink(on_message=on_message) as sink:
        env = worker_env(db_env, sink.port, batch_size=BATCH, task_size=TASK_SIZE)
        services.send_mailing(mailing, actor=president)
        victim["worker"] = start_worker(env, naive=mode == "naive")
        if mode in {"random", "naive"}:
            wait_for(lambda: sink.count() >= kill_at, timeout=120, what="a third of the mail")
            os.kill(victim["worker"].pid, signal.SIGKILL)
        victim["worker"].wait()
        at_kill = sink.count()

        # Restart as `make run` does: resume_mailings at start, then workers (two, to share the rest).
        subprocess.run([sys.executable, "manage.py", "resume_mailings", "-v0"], cwd=ROOT, env=env, check=True)
        restarted = [start_worker(env, naive=mode == "naive") for _ in range(1 if mode == "naive" else 2)]
        try:
            if mode == "naive":
                wait_for(
                    lambda: not Delivery.objects.filter(mailing=mailing).exclude(status=Delivery.Status.SENT).exists(),
                    timeout=120,
                    what="the control sender to finish",
                )
            else:
                wait_for(
                    lambda: Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT,
                    timeout=120,
                    what="the mailing to finish",
                )
        finally:
            for process in restarted:
                process.terminate()
                process.wait(timeout=20)
        report = sink.report(set(addresses))
    deliveries = Delivery.objects.filter(mailing=mailing)
    report |= {
        "mode": mode,
        "database": database_kind(db_env),
        "received_before_kill": at_kill,
        "kill_at": kill_at,
        "statuses": sorted(set(deliveries.values_list("status", flat=True))),
        "resent_after_interruption": sorted(
            deliveries.filter(resent_after_interruption=True).values_list("email", flat=True)
        ),
    }
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
