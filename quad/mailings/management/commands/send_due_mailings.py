from typing import Any

from django.core.management.base import BaseCommand

from quad.mailings.services import send_due_mailings


class Command(BaseCommand):
    help = "Start scheduled society mailings whose time has come (idempotent; run every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = send_due_mailings()
        if started and options["verbosity"] > 0:
            self.stdout.write(f"Started {started} mailing(s).")
