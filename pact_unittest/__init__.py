"""pact_unittest: consumer-driven contract testing (Pact) for unittest.

The public surface is re-exported here; see README.rst for the manual.
"""
from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
