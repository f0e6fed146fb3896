from typing import Any

from django.core.management.base import BaseCommand

from quad.chat.retention import sweep_messages


class Command(BaseCommand):
    help = "Delete group chat messages older than CHAT_RETENTION_DAYS, except held evidence (idempotent; daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = sweep_messages()
        if (swept.deleted or swept.held) and options["verbosity"] > 0:
            self.stdout.write(f"Deleted {swept.deleted} message(s); kept {swept.held} held as evidence.")
