"""Society email: one mailing to 20,000 members through ONE worker to a local SMTP server, in messages per second.

    .venv/bin/python -m bench.mailing                      # 20,000 members, PostgreSQL
    .venv/bin/python -m bench.mailing --quick              # 2,000 members (well under a minute)
    .venv/bin/python -m bench.mailing --database sqlite    # the embedded setup's SQLite file instead

What it does, start to finish (it stops by itself; mail goes to 127.0.0.1 only):
1. drops and recreates the PostgreSQL database `quad_bench_mailing` (BENCH_MAILING_DATABASE_URL to
   change it; the name must start with quad_bench) and migrates it; or, with `--database sqlite`, a
   fresh SQLite file in the embedded setup's mode (WAL, IMMEDIATE transactions). The database tasks
   backend (django-tasks-db) is active, as in production: what is enqueued waits for a worker;
2. builds the scene as the worker-kill test does (quad/mailings/tests/smtp_sink.py): a society
   founded and approved through Quad's services, its trained President, and N current members
   (bulk-created). The few notices the setup queued (society approved, …) are discarded, so the
   worker's queue holds the mailing alone;
3. writes a news mailing (Markdown, with links and a list) with `create_mailing` and sends it with
   `send_mailing`: one Delivery per member is snapshotted and the deliver_mailing tasks enqueued
   (MAILINGS_TASK_SIZE members each);
4. starts an aiosmtpd server on a free loopback port (a thread of this process; it reads each
   message's headers and keeps (recipient, Message-ID)), then exactly ONE `manage.py db_worker`
   process with Quad's production settings (MAILINGS_BATCH_SIZE members per SMTP connection,
   committing "previous sent, next sending" once per message), sending by SMTP to that server;
5. times from the worker's start until the mailing's status is "sent", then counts what the server
   received: every member exactly once, nobody missing; stops the worker and drops the database.

The last line of output is one JSON object. `messages_per_second` is the mailing's messages over the
whole time from the worker's start (Python and Django starting included) until the mailing was
"sent"; `sending_messages_per_second` is from the first message to the last. It exits non-zero if
anyone is missing, anyone got two messages, or a delivery did not end "sent"; missing the target
is a figure, not a failure. Worker, SMTP server and database share the machine's cores: `cpu_*` say
how the CPU was spent, `machine_busy_pct` and `load_average_before` whether anything else ran.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench._common import database_name, machine_busy, postgres_cpu, tree_cpu_seconds

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/quad_bench_mailing"
TARGET_MESSAGES_PER_SECOND = 300  # the target, through one worker
SEND_TIMEOUT = 600.0  # seconds, the whole mailing

SUBJECT = "Spring walks, the AGM and a new kit library"
BODY = """Hello everyone,

It has been a **busy term** and there is plenty coming up. Here is what you need to know.

## Walks this month

- **Saturday:** the ridge walk, 14 km, meet at the station at 9am
- **Wednesday evening:** a short walk by the lake, about 5 km, all welcome
- **Next weekend:** a two-day trip to the hills; places are limited, so book early

Bring water, a waterproof and sturdy boots. If you have never walked with us before, read our
[beginners' guide](https://example.com/hiking/beginners) first: it covers what to bring and how fast we go.

## Annual general meeting

Our AGM is on the 14th at 7pm in the Union's main hall. We will elect next year's committee and vote
on the new constitution. Nominations close a week before; the papers are on our page.

## Kit library

Thanks to a Union grant we now lend *boots, waterproofs and rucksacks* for free. Ask any committee
member, or reply to this email, and we will bring what you need to the next walk.

See you on the hills,

The committee
"""


def thread_cpu_seconds(native_id: int | None) -> float:
    """CPU time (user + system) one thread of this process has used so far, from /proc."""
    if native_id is None:
        return 0.0
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profiled(out: str | None) -> list[str] | None:
    """The worker's command under cProfile, writing its statistics to `out` when it stops."""
    if not out:
        return None
    from quad.mailings.tests.worker_scene import worker_command

    return [sys.executable, "-m", "cProfile", "-o", str(Path(out).resolve()), *worker_command()[1:]]


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)  # db_worker exits at once when no task is running
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)


def build(recipients: int) -> tuple[Any, Any, list[str]]:
    from django_tasks_db.models import DBTaskResult

    from quad.mailings import services
    from quad.mailings.tests.smtp_sink import build_society_with_members

    society, president, addresses = build_society_with_members(recipients, name="Hiking Society")
    DBTaskResult.objects.all().delete()  # the setup's notices: the worker's queue holds the mailing alone
    mailing = services.create_mailing(society, actor=president, subject=SUBJECT, body=BODY)
    return mailing, president, addresses


def play(args: argparse.Namespace, recipients: int, db_env: dict[str, str]) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from quad.mailings import services
    from quad.mailings.models import Delivery, Mailing
    from quad.mailings.tests.smtp_sink import Sink
    from quad.mailings.tests.worker_scene import database_kind, start_worker, worker_env

    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = datetime.time(0, 0)  # a run at night sends now
    if args.task_size:
        settings.MAILINGS_TASK_SIZE = args.task_size  # the tasks are enqueued here, by send_mailing
    batch_size = args.batch_size or settings.MAILINGS_BATCH_SIZE
    postgres = database_kind(db_env) == "postgresql"

    print(f"Building the scene: a society with {recipients} members…", flush=True)
    began = time.perf_counter()
    mailing, president, addresses = build(recipients)
    build_seconds = time.perf_counter() - began

    began = time.perf_counter()
    services.send_mailing(mailing, actor=president)
    snapshot_seconds = time.perf_counter() - began
    mailing.refresh_from_db()
    tasks = DBTaskResult.objects.count()
    print(
        f"  built in {build_seconds:.1f} s; {mailing.recipient_count} deliveries and {tasks} tasks "
        f"snapshotted in {snapshot_seconds:.1f} s",
        flush=True,
    )

    log = Path(db_env["QUAD_VAR_DIR"]) / "worker.log"
    with Sink() as sink:
        env = worker_env(db_env, sink.port, batch_size=batch_size)  # DEBUG and LOG_LEVEL as main() set them
        env.pop("DB_POOL_MAX_SIZE", None)  # production's pool: the worker keeps its connection between tasks
        connection.close()
        print(f"Sending through one worker to aiosmtpd on 127.0.0.1:{sink.port}…", flush=True)
        load_before = os.getloadavg()[0]
        machine = machine_busy()
        sink_thread = sink.thread_id()
        sink_cpu = thread_cpu_seconds(sink_thread)
        bench_cpu = time.process_time()
        database_cpu = postgres_cpu(db_env["DATABASE_URL"]) if postgres else {}
        started = time.perf_counter()
        worker = start_worker(env, log=log, command=profiled(args.profile))
        try:
            deadline = started + SEND_TIMEOUT
            status: str = Mailing.Status.SENDING
            while status != Mailing.Status.SENT:
                if worker.poll() is not None:
                    raise SystemExit(f"The worker exited with {worker.returncode}:\n{log.read_text()[-3000:]}")
                if time.perf_counter() > deadline:
                    raise SystemExit(f"The mailing was not sent within {SEND_TIMEOUT:.0f} s ({sink.count()} received)")
                time.sleep(0.05)
                status = Mailing.objects.filter(pk=mailing.pk).values_list("status", flat=True).get()
            seconds = time.perf_counter() - started
            worker_cpu = tree_cpu_seconds(worker.pid)  # before it exits
            sink_cpu = thread_cpu_seconds(sink_thread) - sink_cpu
            bench_cpu = time.process_time() - bench_cpu - sink_cpu
            if postgres:
                after = postgres_cpu(db_env["DATABASE_URL"])
                database_cpu = {pid: cpu - database_cpu.get(pid, 0.0) for pid, cpu in after.items()}
            busy, total = (a - b for a, b in zip(machine_busy(), machine, strict=True))
        finally:
            stop_worker(worker)
        report = sink.report(set(addresses))
        first_at, last_at = sink.first_at or started, sink.last_at or started

    statuses = dict(Delivery.objects.filter(mailing=mailing).values_list("status").annotate(n=Count("pk")))
    worker_log = log.read_text(errors="replace") if log.exists() else ""
    if "Traceback" in worker_log:
        first = worker_log.index("Traceback")
        print(f"  the worker logged tracebacks; the first:\n{worker_log[first : first + 4000]}", flush=True)
    received = report["transmissions"]
    sending = last_at - first_at
    figures: dict[str, Any] = {
        "recipients": recipients,
        "messages_received": received,
        "duplicates": received - report["recipients_reached"],
        "two_different_messages": len(report["two_different_messages"]),
        "missing": len(report["missing"]),
        "unexpected": len(report["unexpected"]),
        "deliveries_sent": statuses.get(Delivery.Status.SENT, 0),
        "deliveries_not_sent": sum(n for status, n in statuses.items() if status != Delivery.Status.SENT),
        "seconds": round(seconds, 2),
        "messages_per_second": round(received / seconds, 1) if seconds else 0,
        "first_message_seconds": round(first_at - started, 2),
        "sending_seconds": round(sending, 2),
        "sending_messages_per_second": round((received - 1) / sending, 1) if sending > 0 else 0,
        "target_messages_per_second": TARGET_MESSAGES_PER_SECOND,
        "target_met": bool(seconds) and received / seconds >= TARGET_MESSAGES_PER_SECOND,
        "database": database_kind(db_env),
        "batch_size": batch_size,
        "task_size": settings.MAILINGS_TASK_SIZE,
        "tasks": tasks,
        "cpu_worker_s": round(worker_cpu, 2),
        "worker_cpu_ms_per_message": round(worker_cpu * 1000 / received, 2) if received else 0,
        "cpu_sink_s": round(sink_cpu, 2),
        "cpu_postgres_s": round(sum(database_cpu.values()), 2) if postgres else None,
        "cpu_bench_polling_s": round(bench_cpu, 2),
        "machine_busy_pct": round(100 * busy / total) if total else 0,
        "load_average_before": round(load_before, 2),
        "worker_tracebacks": worker_log.count("Traceback"),
        "build_seconds": round(build_seconds, 1),
        "snapshot_seconds": round(snapshot_seconds, 2),
        "worker": "one `manage.py db_worker --interval 0.1` (production settings), SMTP to 127.0.0.1, no TLS",
        "sink": "aiosmtpd in a thread of the bench process (reads headers, keeps recipient and Message-ID)",
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 members")
    parser.add_argument("--recipients", type=int)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--batch-size", type=int, help="MAILINGS_BATCH_SIZE (default: Quad's)")
    parser.add_argument("--task-size", type=int, help="MAILINGS_TASK_SIZE (default: Quad's)")
    parser.add_argument("--profile", metavar="FILE", help="run the worker under cProfile, statistics to FILE")
    args = parser.parse_args()
    recipients = args.recipients or (2000 if args.quick else 20000)

    os.environ.update({"DJANGO_SETTINGS_MODULE": "quad.settings", "DEBUG": "false", "LOG_LEVEL": "WARNING"})
    for name in ("EMAIL_HOST", "ANYMAIL_ESP", "MAILINGS_BATCH_SIZE", "MAILINGS_TASK_SIZE"):
        os.environ.pop(name, None)
    url = ""
    if args.database == "postgresql":
        url = os.environ.get("BENCH_MAILING_DATABASE_URL", DEFAULT_DATABASE_URL)
        if not database_name(url).startswith("quad_bench"):
            raise SystemExit(f"Refusing to drop {database_name(url)!r}: the name must start with quad_bench")
        print(f"Recreating {database_name(url)} and migrating…", flush=True)
    else:
        print("Creating a SQLite file and migrating…", flush=True)

    from quad.mailings.tests.worker_scene import drop_database, open_database

    db_env = open_database(url, name=database_name(url) if url else None)
    try:
        figures = play(args, recipients, db_env)
    finally:
        drop_database(db_env)
        shutil.rmtree(db_env["QUAD_VAR_DIR"], ignore_errors=True)
    print(json.dumps(figures))
    if figures["missing"] or figures["duplicates"] or figures["deliveries_not_sent"] or figures["unexpected"]:
        sys.exit(f"FAILED: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
