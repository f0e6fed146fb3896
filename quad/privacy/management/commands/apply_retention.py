from django.core.management.base import BaseCommand

from quad.privacy.services import apply_retention


class Command(BaseCommand):
    help = "Remove personal data past its retention period (daily; running it again removes nothing more)."

    def handle(self, *args: object, **options: object) -> None:
        run = apply_retention()
        for key, count in run.removed.items():
            self.stdout.write(f"{key}: {count}")
        self.stdout.write(f"total: {run.total}")
