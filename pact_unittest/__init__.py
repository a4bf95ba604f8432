"""pact_unittest: consumer-driven contract testing (Pact) for unittest.

Two ways in, one mock service underneath:

* ``PactTestCase`` / ``PactMixin`` with ``@interaction``: contract tests native to unittest,
  run by ``python -m unittest``, pytest or Django's test runner.
* The pact-python v2 API, name for name (``Consumer``, ``Provider``, ``Pact``, ``Like``,
  ``EachLike``, ``Term``, ``Format`` ...): code written for ``pact`` v2 runs by changing
  only the import.

See README.rst for the manual.
"""
from __future__ import annotations

from ._version import __version__
from .broker import (
    Broker,
    BrokerAuthError,
    BrokerClient,
    BrokerConfigError,
    BrokerConflictError,
    BrokerError,
    BrokerProtocolError,
    BrokerTLSError,
    BrokerUnavailableError,
    BrokerValidationError,
    PublishResult,
    publish_pacts,
)
from .consumer import Consumer
from .matchers import (
    ArrayContaining,
    Boolean,
    Date,
    DateTime,
    Decimal,
    EachKeyLike,
    EachLike,
    EachValueLike,
    Equality,
    Format,
    Include,
    Integer,
    Like,
    Matcher,
    NotEmpty,
    Null,
    Number,
    Regex,
    Semver,
    SomethingLike,
    Term,
    Time,
    Timestamp,
    Type,
    Values,
    from_term,
    get_generated_values,
)
from .pact import FromTerms, Pact, PactException, Request, Response
from .pact_file import PactConflictError
from .provider import Provider
from ._decorator import interaction
from .testcase import PactMixin, PactTestCase
from .verification import Verification

__all__ = [
    "__version__",
    # unittest-native
    "PactTestCase",
    "PactMixin",
    "interaction",
    "Verification",
    "PactConflictError",
    # pact-python v2 API
    "Consumer",
    "Provider",
    "Pact",
    "PactException",
    "Request",
    "Response",
    "FromTerms",
    # publishing
    "Broker",
    "BrokerClient",
    "publish_pacts",
    "PublishResult",
    "BrokerError",
    "BrokerConfigError",
    "BrokerAuthError",
    "BrokerConflictError",
    "BrokerValidationError",
    "BrokerUnavailableError",
    "BrokerTLSError",
    "BrokerProtocolError",
    "Matcher",
    "Term",
    "Like",
    "SomethingLike",
    "EachLike",
    "Format",
    "from_term",
    "get_generated_values",
    # spec 3/4 matchers
    "Integer",
    "Decimal",
    "Number",
    "Boolean",
    "Date",
    "Time",
    "Timestamp",
    "DateTime",
    "Include",
    "Null",
    "Equality",
    "Values",
    "Regex",
    "Type",
    "EachKeyLike",
    "EachValueLike",
    "ArrayContaining",
    "NotEmpty",
    "Semver",
]
