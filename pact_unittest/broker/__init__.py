"""Publishing pact files to a Pact Broker (or PactFlow) over HTTP, in pure Python.

Three ways in, one implementation:

* :func:`publish_pacts` / :class:`BrokerClient` -- the library API
  (``publish_pacts("pacts/", "1.2.3", branch="main", tags=["main"])``);
* :class:`Broker` -- pact-python v2's class, name for name (``Broker(...).publish(...)``);
* ``python -m pact_unittest publish pacts/ -a 1.2.3 --branch main`` -- the command line,
  mirroring ``pact-broker publish``.

Connection settings not given come from ``PACT_BROKER_BASE_URL``, ``PACT_BROKER_USERNAME``,
``PACT_BROKER_PASSWORD`` and ``PACT_BROKER_TOKEN``. Failures raise :class:`BrokerError`
subclasses (see :mod:`pact_unittest.broker.errors`). Nothing here runs at import time.
"""
from __future__ import annotations

from .ci_env import VersionProperties, detect_branch, detect_commit, resolve_version_properties
from .client import BrokerClient, publish_pacts, warn_default_version
from .config import BrokerConfig
from .contracts import Notice, PublishedPact, PublishResult
from .errors import (
    BrokerAuthError,
    BrokerConfigError,
    BrokerConflictError,
    BrokerError,
    BrokerNotFoundError,
    BrokerProtocolError,
    BrokerTLSError,
    BrokerUnavailableError,
    BrokerValidationError,
)
from .v2 import Broker

__all__ = [
    "Broker",
    "BrokerClient",
    "BrokerConfig",
    "publish_pacts",
    "PublishResult",
    "PublishedPact",
    "Notice",
    "VersionProperties",
    "resolve_version_properties",
    "detect_branch",
    "detect_commit",
    "warn_default_version",
    "BrokerError",
    "BrokerConfigError",
    "BrokerAuthError",
    "BrokerConflictError",
    "BrokerValidationError",
    "BrokerUnavailableError",
    "BrokerTLSError",
    "BrokerProtocolError",
    "BrokerNotFoundError",
]
