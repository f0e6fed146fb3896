from typing import Any

from django.core.management.base import BaseCommand

from quad.memberships.services import graduate_sweep


class Command(BaseCommand):
    help = "Warn students whose course ends soon; end graduates' memberships and committee terms (idempotent, daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = graduate_sweep()
        self.stdout.write(f"Swept {len(swept)} graduate{'s' if len(swept) != 1 else ''}.")
