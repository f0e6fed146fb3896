from typing import Any

from django.core.management.base import BaseCommand

from quad.mailings.delivery import resume_stalled


class Command(BaseCommand):
    help = (
        "Release deliveries claimed by workers that stopped and re-enqueue stalled mailings "
        "(idempotent; `serve` runs it at start and every few minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        resumed = resume_stalled()
        if resumed and options["verbosity"] > 0:
            self.stdout.write(f"Resumed {resumed} mailing(s).")
