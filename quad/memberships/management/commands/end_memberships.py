from typing import Any

from django.core.management.base import BaseCommand

from quad.memberships.services import end_memberships


class Command(BaseCommand):
    help = "End memberships whose academic year is over (idempotent; run daily or hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = end_memberships()
        self.stdout.write(f"Ended {count} membership{'s' if count != 1 else ''}.")
