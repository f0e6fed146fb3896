"""Race scenes on a real SQLite *file*, in a process of their own.

pytest-django's SQLite test database lives in memory, where threads cannot take SQLite's file locks,
so each concurrency test plays its SQLite scene as a module run in a subprocess: the module calls
`open_file_database` (the embedded setup: WAL, IMMEDIATE transactions), prints one JSON line, and the
test reads it back with `run_scene_module`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def open_file_database(
    path: str,
    *,
    transaction_mode: str | None = None,
    tasks_backend: str = "django_tasks.backends.immediate.ImmediateBackend",
) -> None:
    """Set up Django on a fresh SQLite file at `path` and migrate it. Call before importing models.

    Tasks run inline by default; a scene with real worker processes passes the database backend."""
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = path
    os.environ.setdefault("QUAD_VAR_DIR", tempfile.mkdtemp(prefix="quad-race-"))
    os.environ["TASKS_BACKEND"] = tasks_backend
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quad.settings")

    import django
    from django.conf import settings

    django.setup()
    if transaction_mode is not None:
        # Before the first connection opens: a control run turns IMMEDIATE off to show what it does.
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = transaction_mode
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run_scene_module(module: str, *args: str, timeout: float = 180) -> Any:
    """Run `python -m module args…` and return the JSON object on its last line of output."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
