"""Two failing contract tests whose reports tests/test_testcase_tracebacks.py measures."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracebacks.settings")

import django  # noqa: E402

django.setup()
