"""``python -m pact_unittest.mock_service service [flags]``."""
from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
