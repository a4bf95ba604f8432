"""A tiny contract suite run by every runner; Django is configured here so that the
Django TestCase classes also run under plain unittest and pytest."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contracts.settings")

import django  # noqa: E402

django.setup()
