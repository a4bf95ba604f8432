"""pact-python v2's ``Verifier``, name for name, verifying in this process instead of
starting the Ruby ``pact-provider-verifier``.

``verify_pacts(*pacts, ...)`` and ``verify_with_broker(...)`` take v2's keyword arguments and
return v2's ``(return_code, logs)``: 0 when every (non-pending) interaction verified, 1 when
a contract is broken, 2 when the verification could not run (an unreadable pact, a broker
failure). v2 always returned ``""`` as ``logs``; here it holds the report that was printed.
v2's errors are kept: ``Exception("Missing pact files [...]")`` for a path that does not
exist, and an ``Exception`` for publishing without ``publish_version``. States are set up
through ``provider_states_setup_url`` in the Ruby verifier's protocol (see
:mod:`pact_unittest.verifier.states`).
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Optional, Tuple

from .run import RunOptions, parse_header, run

__all__ = ["Verifier"]


class Verifier(object):
    """A Pact Verifier (pact-python v2's class)."""

    def __init__(self, provider: str, provider_base_url: str, **kwargs: Any) -> None:
        self.provider = provider
        self.provider_base_url = provider_base_url

    def __str__(self) -> str:
        return 'Verifier for {} with url {}'.format(self.provider, self.provider_base_url)

    def validate_publish(self, **kwargs: Any) -> None:
        """Refuse to publish results without a provider version (as v2 did, with a reason)."""
        wants = kwargs.get("publish") is not None or kwargs.get("publish_verification_results")
        if wants and kwargs.get("publish_version") is None:
            raise Exception("publish_version is required to publish verification results")

    def verify_pacts(self, *pacts: str, enable_pending: bool = False,
                     include_wip_pacts_since: Optional[str] = None, **kwargs: Any) -> Tuple[int, str]:
        """Verify the pact files, directories or URLs ``pacts``; ``(return_code, logs)``."""
        self.validate_publish(**kwargs)
        missing_files = [path for path in pacts if not _exists(path)]
        if missing_files:
            raise Exception("Missing pact files {}".format(missing_files))
        options = self._options(kwargs, enable_pending, include_wip_pacts_since)
        options.pacts = [str(p) for p in pacts]
        return self._run(options)

    def verify_with_broker(self, enable_pending: bool = False,
                           include_wip_pacts_since: Optional[str] = None, **kwargs: Any
                           ) -> Tuple[int, str]:
        """Verify the pacts a Pact Broker selects for this provider; ``(return_code, logs)``."""
        options = self._options(kwargs, enable_pending, include_wip_pacts_since)
        options.broker_url = kwargs.get("broker_url") or os.environ.get("PACT_BROKER_BASE_URL")
        options.broker_username = kwargs.get("broker_username")
        options.broker_password = kwargs.get("broker_password")
        options.broker_token = kwargs.get("broker_token")
        return self._run(options)

    def extract_params(self, **kwargs: Any) -> Dict[str, Any]:
        """v2's option extraction (kept for code that called it); empty values dropped."""
        options = {
            'log_dir': kwargs.get('log_dir'),
            'log_level': kwargs.get('log_level', 'INFO'),
            'provider_app_version': kwargs.get('publish_version'),
            'custom_provider_headers': list(kwargs.get('headers', [])),
            'timeout': kwargs.get('timeout'),
            'consumer_tags': list(kwargs.get('consumer_tags', [])),
            'provider_tags': list(kwargs.get('provider_tags', [])),
            'provider_states_setup_url': kwargs.get('provider_states_setup_url'),
            'verbose': kwargs.get('verbose', False),
            'consumer_selectors': self._build_consumer_selectors(
                kwargs.get('consumer_version_selectors', [])),
            'publish_verification_results': kwargs.get('publish_verification_results'),
            'provider_version_branch': kwargs.get('provider_version_branch'),
        }
        return self.filter_empty_options(**options)

    def _build_consumer_selectors(self, consumer_selectors: List[Any]) -> List[str]:
        return [json.dumps(selector) for selector in consumer_selectors]

    def filter_empty_options(self, **kwargs: Any) -> Dict[str, Any]:
        return {k: v for k, v in kwargs.items()
                if v is not None and v != '' and self.is_empty_list((k, v))}

    def is_empty_list(self, item: Tuple[str, Any]) -> bool:
        return (not isinstance(item[1], list)) or (len(item[1]) != 0)

    def _options(self, kwargs: Dict[str, Any], enable_pending: bool,
                 include_wip_pacts_since: Optional[str]) -> RunOptions:
        headers = dict(parse_header(h) for h in kwargs.get("headers") or [])
        selectors = [s if isinstance(s, dict) else json.loads(s)
                     for s in kwargs.get("consumer_version_selectors") or []]
        return RunOptions(
            provider=self.provider, provider_base_url=self.provider_base_url,
            consumer_selectors=selectors, consumer_tags=list(kwargs.get("consumer_tags") or []),
            provider_tags=list(kwargs.get("provider_tags") or []),
            provider_version_branch=kwargs.get("provider_version_branch") or None,
            provider_app_version=kwargs.get("publish_version"),
            publish=bool(kwargs.get("publish_verification_results")),
            enable_pending=enable_pending, include_wip_pacts_since=include_wip_pacts_since,
            states_setup_url=kwargs.get("provider_states_setup_url"), headers=headers,
            timeout=float(kwargs.get("timeout") or 30), verbose=bool(kwargs.get("verbose")),
            log_dir=kwargs.get("log_dir"), log_level=kwargs.get("log_level"))

    def _run(self, options: RunOptions) -> Tuple[int, str]:
        code, _report, text = run(options, out=sys.stdout)
        return code, text


def _exists(path: str) -> bool:
    path = str(path)
    return path.startswith(("http://", "https://")) or os.path.exists(path)
