from typing import Any

from django.core.management.base import BaseCommand

from quad.chat.scheduling import post_due_messages


class Command(BaseCommand):
    help = "Post group chat messages scheduled for the end of quiet hours (idempotent; run every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        posted = post_due_messages()
        if posted and options["verbosity"] > 0:
            self.stdout.write(f"Posted {posted} scheduled message(s).")
