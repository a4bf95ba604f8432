#!/usr/bin/env python
"""Django's manage.py for the sample user service: ``python manage.py test [--parallel 2]``
verifies it against the pacts the consumer samples wrote to samples/pacts/."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

if __name__ == "__main__":
    sys.path[:0] = [HERE, REPO]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "userservice.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
