"""A database of a scene's own and real `manage.py db_worker` processes sending to a local SMTP server,
for the worker-kill scene (kill_scene.py) and the mailing benchmark (bench/mailing.py).

Not a test module: both run it in a process of their own, which owns the database it opens.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
TASKS_BACKEND = "django_tasks_db.DatabaseBackend"


def open_database(url: str | None = None, *, name: str | None = None) -> dict[str, str]:
    """Django on a database of the scene's own; returns the environment a worker needs to share it.

    `url` (default: DATABASE_URL) names a PostgreSQL server: a database is created on it, called
    `name` (dropped first if it exists) or a fresh `quad_mailscene_<random>`. Without a PostgreSQL URL,
    a SQLite file in the embedded setup's mode. Either way the database tasks backend is active, so
    what the scene enqueues waits in the database for a worker."""
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    env = {"QUAD_VAR_DIR": tempfile.mkdtemp(prefix="quad-mail-scene-")}
    if url.startswith("postgres"):
        import psycopg

        name = name or f"quad_mailscene_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        env["DB_POOL_MAX_SIZE"] = "0"
        os.environ.pop("SQLITE_PATH", None)
        os.environ.update(env)
        os.environ["TASKS_BACKEND"] = TASKS_BACKEND
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quad.settings")
        import django
        from django.conf import settings
        from django.core.management import call_command

        django.setup()
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("migrate", verbosity=0)
        return env | {"QUAD_SCENE_DROP": name, "QUAD_SCENE_ADMIN_URL": admin_url}
    from quad.core.tests.sqlite_file import open_file_database

    path = str(Path(env["QUAD_VAR_DIR"]) / "scene.sqlite3")
    os.environ["QUAD_VAR_DIR"] = env["QUAD_VAR_DIR"]
    open_file_database(path, tasks_backend=TASKS_BACKEND)
    return env | {"SQLITE_PATH": path}


def database_kind(db_env: dict[str, str]) -> str:
    return "postgresql" if "DATABASE_URL" in db_env else "sqlite"


def drop_database(db_env: dict[str, str]) -> None:
    """Drop the scene's PostgreSQL database (a SQLite file goes with its temporary directory)."""
    if "QUAD_SCENE_DROP" in db_env:
        import psycopg
        from django.db import connections

        connections.close_all()
        with psycopg.connect(db_env["QUAD_SCENE_ADMIN_URL"], autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_env["QUAD_SCENE_DROP"]}" WITH (FORCE)')


def worker_env(
    db_env: dict[str, str], port: int, *, batch_size: int | None = None, task_size: int | None = None
) -> dict[str, str]:
    """The environment of a worker sending by SMTP to 127.0.0.1:`port`, on the scene's database.
    MAILINGS_BATCH_SIZE and MAILINGS_TASK_SIZE are Quad's defaults unless given."""
    dropped = {"DATABASE_URL", "SQLITE_PATH", "ANYMAIL_ESP", "MAILINGS_BATCH_SIZE", "MAILINGS_TASK_SIZE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({k: v for k, v in db_env.items() if not k.startswith("QUAD_SCENE_")})
    env.update(
        {
            "TASKS_BACKEND": TASKS_BACKEND,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
    )
    if batch_size is not None:
        env["MAILINGS_BATCH_SIZE"] = str(batch_size)
    if task_size is not None:
        env["MAILINGS_TASK_SIZE"] = str(task_size)
    return env


def worker_command(*, naive: bool = False) -> list[str]:
    if naive:
        return [sys.executable, "-m", "quad.mailings.tests.naive_sender"]
    return [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--verbosity", "0"]


def start_worker(
    env: dict[str, str], *, naive: bool = False, command: list[str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """A worker process (`manage.py db_worker`, or `command`), its output written to `log` or discarded."""
    if log is None:
        return subprocess.Popen(
            command or worker_command(naive=naive),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    with log.open("ab") as out:
        return subprocess.Popen(
            command or worker_command(naive=naive), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_for(condition: Any, *, timeout: float, what: str, every: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out waiting for {what}")
        time.sleep(every)
