"""First-start set-up of a site: the administrator, the ionusers group, the catalog.

Everything here is idempotent, so ``make run`` calls it at every start. An existing
administrator keeps its password and its API key: API keys are stored hashed, so a key can
only be shown when it is issued, and re-issuing one at every start would break the scripts
that use it. ``python manage.py apikey <user>`` issues a new one on demand.
"""
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from .loader import load_catalog

DEFAULT_ADMIN = "ionadmin"
IONUSERS = "ionusers"


@dataclass
class BootstrapResult:
    admin_username: str = ""
    admin_created: bool = False
    password_source: str = ""  # "default", "environment", "option" or "" (unchanged)
    api_key: str | None = None
    notes: list = field(default_factory=list)
    catalog: object = None  # CatalogReport


def pending_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def admin_credentials(username=None, password=None):
    """(username, password, where the password came from): option, then environment, then default."""
    user = username or settings.ION_ADMIN_USER or DEFAULT_ADMIN
    if password:
        return user, password, "option"
    if settings.ION_ADMIN_PASSWORD:  # from the environment (iondb/settings.py)
        return user, settings.ION_ADMIN_PASSWORD, "environment"
    return user, DEFAULT_ADMIN, "default"


def ensure_ionusers_group():
    try:
        from rundb.api.permissions import ensure_ionusers_group as ensure_with_grants
    except ImportError:  # the API package is optional for a catalog-only install
        return Group.objects.get_or_create(name=IONUSERS)[0]
    return ensure_with_grants()


def _issue_key(user):
    from rundb.api.keys import issue_key

    return issue_key(user)


def ensure_admin(username, password, password_source, *, new_api_key=False):
    """Create the superuser if missing; returns a BootstrapResult with the key to show, if any."""
    User = get_user_model()
    result = BootstrapResult(admin_username=username)
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        user = User._default_manager.create_superuser(username=username, email="", password=password)
        result.admin_created = True
        result.password_source = password_source
        # The API signal gives every new user a key and leaves it on the instance, once.
        result.api_key = getattr(user, "_new_api_key", None)
    else:
        if not user.is_superuser:
            result.notes.append(f"User '{username}' exists but is not a superuser; left unchanged.")
        if not user.is_active:
            result.notes.append(f"User '{username}' exists but is inactive; left unchanged.")
    if result.api_key is None and (new_api_key or result.admin_created or not _has_key(user)):
        result.api_key = _issue_key(user)
    if result.api_key is None:
        result.notes.append(
            f"'{username}' keeps its existing API key (keys are stored hashed and cannot be shown again); "
            f"'python manage.py apikey {username}' issues a new one."
        )
    return result


def _has_key(user):
    from tastypie.models import ApiKey

    return ApiKey.objects.filter(user=user).exists()


def bootstrap(*, username=None, password=None, create_admin=True, catalog=True, fixtures_dir=None,
              new_api_key=False):
    """The whole first-start set-up. Raises RuntimeError when migrations are pending."""
    pending = pending_migrations()
    if pending:
        raise RuntimeError(
            f"{len(pending)} migration(s) not applied (first: {pending[0][0]}); run 'python manage.py migrate' first"
        )
    with transaction.atomic():
        ensure_ionusers_group()
        if create_admin:
            name, secret, source = admin_credentials(username, password)
            result = ensure_admin(name, secret, source, new_api_key=new_api_key)
        else:
            result = BootstrapResult()
    if catalog:
        result.catalog = load_catalog(fixtures_dir)
    return result
