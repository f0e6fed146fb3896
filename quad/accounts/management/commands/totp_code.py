from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quad.accounts.models import User
from quad.accounts.totp import current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of an account that has TOTP (for the demo staff sign-in)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].lower()).first()
        if user is None:
            raise CommandError("No account with that address.")
        try:
            self.stdout.write(current_code(user))
        except Exception as exc:  # Authenticator.DoesNotExist, with a clearer message
            raise CommandError("That account has no TOTP authenticator.") from exc
