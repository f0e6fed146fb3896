"""Machinery the HTTP benchmarks share: the throwaway database, signed-in sessions, the uvicorn server,
CPU figures and percentiles. Not a benchmark itself (bench/__main__.py skips modules starting with "_")."""

from __future__ import annotations

import datetime
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SERVER_START_TIMEOUT = 60.0
TASKS_BACKEND = "django_tasks_db.DatabaseBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- The benchmark's database -------------------------------------------------------------------


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_url(url: str) -> str:
    """The same server's `postgres` database, to create and drop the benchmark's from."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


def recreate_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    if not name.startswith("quad_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: the benchmark database's name must start with quad_bench")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def prepare(url: str, *, var_prefix: str) -> tuple[Path, dict[str, str]]:
    """The environment of the bench and its server (also applied to this process), in a fresh var dir;
    then the database recreated. Returns (var dir, environment)."""
    var_dir = Path(tempfile.mkdtemp(prefix=var_prefix))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quad.settings",
        "DATABASE_URL": url,
        "QUAD_VAR_DIR": str(var_dir),
        "TASKS_BACKEND": TASKS_BACKEND,
        "EMAIL_BACKEND": EMAIL_BACKEND,
        "PAYMENT_PROVIDER": "test",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("EMAIL_HOST", None)
    os.environ.update(env)

    print(f"Recreating {database_name(url)} and migrating…", flush=True)
    recreate_database(url)
    return var_dir, env


def setup_and_migrate() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def signed_in_session(person: Any, expires: datetime.datetime) -> Any:
    """An unsaved django.contrib.sessions Session in which `person` is signed in, as allauth would leave it
    (written straight to the database: signing people in through allauth would measure password hashing)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    return Session(
        session_key=secrets.token_hex(16),
        session_data=SessionStore().encode(
            {
                SESSION_KEY: str(person.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: person.get_session_auth_hash(),
            }
        ),
        expire_date=expires,
    )


def finish(*, server: subprocess.Popen[bytes] | None, log: Path, url: str, var_dir: Path, keep: bool) -> int:
    """Stop the server, report its tracebacks, drop the database (unless `keep`) and the var dir.
    Returns how many tracebacks the server logged."""
    if server is not None:
        stop_server(server)
    server_log = log.read_text(errors="replace") if log.exists() else ""
    server_errors = server_log.count("Traceback")
    if server_errors:
        first = server_log.index("Traceback")
        print(f"  the server logged {server_errors} tracebacks; the first:\n{server_log[first : first + 4000]}")
    if not keep:
        from django.db import connections

        connections.close_all()
        drop_database(url)
    shutil.rmtree(var_dir, ignore_errors=True)
    return server_errors


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, *, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "quad.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # uvicorn's own process group: the server and its workers
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def wait_until_serving(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    import requests

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(base + "/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"uvicorn did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def serve(*, workers: int, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving quad.asgi on a free loopback port, once it answers. Returns (server, base URL)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, workers=workers, env=env, log=log)
    wait_until_serving(base, server, log)
    return server, base


# --- CPU and figures ----------------------------------------------------------------------------


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and everything under it, from /proc."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def postgres_cpu(url: str) -> dict[int, float]:
    """{backend pid: CPU seconds so far} of the PostgreSQL backends connected to the bench's database
    (same machine: read from /proc)."""
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        pids = [
            int(row[0])
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database_name(url),)
            ).fetchall()
        ]
    cpu = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat, in clock ticks."""
    values = [float(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1] if p < 100 else max(values)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
