#!/usr/bin/env python
"""Django's manage.py for the sample shop: ``python manage.py test [--parallel 2]``."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

if __name__ == "__main__":
    sys.path[:0] = [HERE, REPO]  # the project, and the repo root for samples.userclient
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
