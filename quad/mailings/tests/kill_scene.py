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
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
BATCH = 25


def open_database() -> dict[str, str]:
    """Django on a database of this scene's own; returns the environment a worker needs to share it."""
    url = os.environ.get("DATABASE_URL", "")
    env = {"QUAD_VAR_DIR": tempfile.mkdtemp(prefix="quad-mail-scene-")}
    if url.startswith("postgres"):
        import psycopg

        name = f"quad_mailscene_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        env["DB_POOL_MAX_SIZE"] = "0"
        os.environ.update(env)
        os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quad.settings")
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("migrate", verbosity=0)
        return env | {"QUAD_SCENE_DROP": name, "QUAD_SCENE_ADMIN_URL": urlunsplit(parts._replace(path="/postgres"))}
    from quad.core.tests.sqlite_file import open_file_database

    path = str(Path(env["QUAD_VAR_DIR"]) / "scene.sqlite3")
    os.environ["QUAD_VAR_DIR"] = env["QUAD_VAR_DIR"]
    open_file_database(path, tasks_backend="django_tasks_db.DatabaseBackend")
    return env | {"SQLITE_PATH": path}


def drop_database(env: dict[str, str]) -> None:
    if "QUAD_SCENE_DROP" in env:
        import psycopg
        from django.db import connections

        connections.close_all()
        with psycopg.connect(env["QUAD_SCENE_ADMIN_URL"], autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{env["QUAD_SCENE_DROP"]}" WITH (FORCE)')


def worker_env(db_env: dict[str, str], port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update({k: v for k, v in db_env.items() if not k.startswith("QUAD_SCENE_")})
    env.update(
        {
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "MAILINGS_BATCH_SIZE": str(BATCH),
            "MAILINGS_TASK_SIZE": "100",
        }
    )
    return env


def start_worker(env: dict[str, str], *, naive: bool = False) -> subprocess.Popen[bytes]:
    if naive:
        command = [sys.executable, "-m", "quad.mailings.tests.naive_sender"]
    else:
        command = [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--verbosity", "0"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition: Any, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out waiting for {what}")
        time.sleep(0.02)


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
        env = worker_env(db_env, sink.port)
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
        "database": "postgresql" if "DATABASE_URL" in db_env else "sqlite",
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
