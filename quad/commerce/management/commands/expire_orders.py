from typing import Any

from django.core.management.base import BaseCommand

from quad.commerce.services import expire_orders


class Command(BaseCommand):
    help = "Expire pending orders whose hold has lapsed (idempotent; run every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_orders()
        self.stdout.write(f"Expired {count} order{'s' if count != 1 else ''}.")
