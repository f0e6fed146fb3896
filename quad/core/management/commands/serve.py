"""Run the embedded Quad: the ASGI web server, the background task worker and the periodic jobs.

`make run` calls this after migrating and loading the demo. Ctrl-C stops everything. The periodic
jobs are the idempotent management commands in settings.PERIODIC_JOBS, each run at its interval
(and once at start). At scale run the same programs under a process manager and the jobs from
cron or systemd timers instead (docs/deploy.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Quad with uvicorn and run the django-tasks database worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        processes = [
            # Quiet: failed tasks are recorded in the database; the demo sign-ins stay on screen.
            subprocess.Popen([python, "manage.py", "db_worker", "--interval", "1", "--verbosity", "0"]),
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "uvicorn",
                    "quad.asgi:application",
                    "--host",
                    options["host"],
                    "--port",
                    options["port"],
                    # Chat sockets: frames over 64 KiB are refused by the server before Quad reads them.
                    "--ws-max-size",
                    "65536",
                ]
            ),
        ]
        self.stdout.write(f"Quad is at http://{options['host']}:{options['port']}/  (Ctrl-C stops it)")

        def stop(*_: object) -> None:
            for process in processes:
                if process.poll() is None:
                    process.terminate()

        signal.signal(signal.SIGTERM, stop)
        due = dict.fromkeys((name for name, _ in settings.PERIODIC_JOBS), 0.0)
        intervals = dict(settings.PERIODIC_JOBS)
        try:
            while all(process.poll() is None for process in processes):
                now = time.monotonic()
                for name, at in due.items():
                    if now >= at:
                        # A job that fails is logged and tried again at its next interval.
                        subprocess.run([python, "manage.py", name], check=False, stdout=subprocess.DEVNULL)
                        due[name] = now + intervals[name]
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
