import os

from django.core.wsgi import get_wsgi_application

# Bootstrapping, not configuration: Django finds iondb/settings.py through this variable.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iondb.settings")
application = get_wsgi_application()

# A plugin install interrupted by the last stop leaves children and scratch folders behind.
from plugin.services.scratch import clean_at_start  # noqa: E402  (needs the app registry)

clean_at_start()
