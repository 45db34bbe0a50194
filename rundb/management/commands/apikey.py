"""Print a usable API key for a user.

Keys are stored hashed, so an existing key cannot be shown again: this command issues a
fresh key (the previous one stops working) and prints it."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rundb.api.keys import issue_key


class Command(BaseCommand):
    help = (
        "Issue a new API key for USERNAME and print it. Keys are stored hashed, so the previous "
        "key is replaced and stops working. Use it as 'Authorization: ApiKey USERNAME:KEY'."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--quiet", "-q", action="store_true", help="print only the key (for scripts)")

    def handle(self, *args, username, quiet=False, **options):
        User = get_user_model()
        try:
            user = User._default_manager.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; activate it first.")
        key = issue_key(user)
        if quiet:
            self.stdout.write(key)
        else:
            self.stdout.write(f"API key for {username}: {key}")
            self.stdout.write(f"Header: Authorization: ApiKey {username}:{key}")
            self.stdout.write("(Any previous key of this user no longer works.)")
