from typing import Any

from django.core.management.base import BaseCommand

from quad.conduct.services import escalate_overdue


class Command(BaseCommand):
    help = (
        "Send reports no moderator acted on within CONDUCT_ESCALATE_AFTER_HOURS to union staff, "
        "with one alert email (idempotent; run every few minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = len(escalate_overdue())
        self.stdout.write(f"Escalated {count} report{'s' if count != 1 else ''} to union staff.")
