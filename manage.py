#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Bootstrapping, not configuration: Django finds iondb/settings.py through this variable.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iondb.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
