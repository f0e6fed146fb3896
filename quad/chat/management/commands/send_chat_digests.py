from typing import Any

from django.core.management.base import BaseCommand

from quad.chat.digest import send_digests


class Command(BaseCommand):
    help = "Email each person the mentions they have not read (idempotent; held in quiet hours; every 15 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        if sent and options["verbosity"] > 0:
            self.stdout.write(f"Queued {sent} mention digest(s).")
