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

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
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
    from .testcase import PactMixin, PactTestCase, interaction
    from .mock_service import ForkedServiceError, MockService
    from .model import EarlierMatch, Verification
    from .verifier import ProviderVerifier, Verifier, VerificationReport
    from .message_provider import MessageProvider

__all__ = [
    "__version__",
    # unittest-native
    "PactTestCase",
    "PactMixin",
    "interaction",
    "Verification",
    "EarlierMatch",
    "MockService",
    "ForkedServiceError",
    "PactConflictError",
    # pact-python v2 API
    "Consumer",
    "Provider",
    "Pact",
    "PactException",
    "Request",
    "Response",
    "FromTerms",
    # provider verification
    "Verifier",
    "ProviderVerifier",
    "VerificationReport",
    "MessageProvider",
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

# Imports are lazy (PEP 562): ``python -m pact_unittest.mock_service`` and a plain
# ``import pact_unittest`` should not pay for requests/urllib3 and the broker client until
# something asks for them. Names map to the submodule that defines them.
_LAZY = {
    "Broker": "broker", "BrokerClient": "broker", "publish_pacts": "broker",
    "PublishResult": "broker", "BrokerError": "broker", "BrokerConfigError": "broker",
    "BrokerAuthError": "broker", "BrokerConflictError": "broker",
    "BrokerValidationError": "broker", "BrokerUnavailableError": "broker",
    "BrokerTLSError": "broker", "BrokerProtocolError": "broker",
    "Consumer": "consumer", "Provider": "provider",
    "Pact": "pact", "PactException": "pact", "Request": "pact", "Response": "pact",
    "FromTerms": "pact",
    "PactConflictError": "pact_file",
    "PactMixin": "testcase", "PactTestCase": "testcase", "interaction": "testcase",
    "Verification": "model", "EarlierMatch": "model",
    "MockService": "mock_service", "ForkedServiceError": "mock_service",
    "Verifier": "verifier", "ProviderVerifier": "verifier", "VerificationReport": "verifier",
    "MessageProvider": "message_provider",
}


#: Submodules reachable as attributes before anything imported them, as with ``pact``:
#: ``import pact_unittest as pact; pact.matchers.Matcher`` (pact-python v2's module paths
#: first, then the package's rooms).
_SUBMODULES = frozenset({
    "pact", "consumer", "provider", "matchers", "broker", "verifier", "message_provider",
    "matching", "mock_service", "model", "pact_file", "testcase", "v2",
})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    module_name = _LAZY.get(name)
    if module_name is None and name in __all__:
        module_name = "matchers"
    if module_name is None:
        raise AttributeError(f"module 'pact_unittest' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
