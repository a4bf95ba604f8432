"""One HTTP exchange with the broker: credentials, timeouts, retries, redirects, logging.

Why not lean on requests for redirects and retries: we must be sure credentials never
follow a redirect to another origin (requests compares host names only in some paths,
and re-reads ``.netrc``), and retries must honour ``Retry-After`` with an injectable
``sleep`` so tests never wait. So redirects are followed here (at most 5), with the
``Authorization`` header only while scheme, host and port stay those of the broker URL.

Retry policy: connection errors, timeouts and 408/429/502/503/504 are retried with
exponential back-off (0.5, 1, 2, 4 s by default) or the ``Retry-After`` the broker asks
for (seconds or an HTTP date, capped); nothing else is retried. Retrying the publish
``POST`` is safe because the broker treats the same content for the same version as a
no-op ("republished ... with no content changes").
"""
from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple
from urllib.parse import urljoin, urlsplit

import requests

from .._version import __version__
from .config import BrokerConfig, redact
from .errors import BrokerTLSError, BrokerUnavailableError
from .responses import error_for_response

logger = logging.getLogger("pact_unittest.broker")

RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
USER_AGENT = f"pact_unittest/{__version__}"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. ``max_retries`` counts retries after the first try."""

    max_retries: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: Optional[float]) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return min(self.backoff * (2 ** (attempt - 1)), self.max_delay)


@dataclass
class Reply:
    """A broker answer we accepted (2xx): status, final URL, parsed JSON (or None)."""

    status: int
    url: str
    json: Any
    headers: Dict[str, str] = field(default_factory=dict)

    @property
    def broker_version(self) -> Optional[str]:
        return self.headers.get("x-pact-broker-version")


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def same_origin(a: str, b: str) -> bool:
    """Scheme, host and port all equal (default ports filled in)."""
    pa, pb = urlsplit(a), urlsplit(b)
    defaults = {"http": 80, "https": 443}
    return (
        pa.scheme == pb.scheme
        and (pa.hostname or "").lower() == (pb.hostname or "").lower()
        and (pa.port or defaults.get(pa.scheme)) == (pb.port or defaults.get(pb.scheme))
    )


class _HeaderAuth(requests.auth.AuthBase):
    """Sets our ``Authorization`` header. Passing it as ``auth`` (rather than a plain
    header) stops requests from replacing it with ``.netrc`` credentials; its repr hides
    the value."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._value
        return request

    def __repr__(self) -> str:
        return "_HeaderAuth(********)"


class Transport:
    """Sends requests to one broker. Not thread-safe (one ``requests.Session``)."""

    def __init__(
        self,
        config: BrokerConfig,
        *,
        retry: Optional[RetryPolicy] = None,
        sleep: Callable[[float], None] = time.sleep,
        session: Optional[requests.Session] = None,
    ) -> None:
        self.config = config
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.session = session or requests.Session()
        self._secrets = config.secrets()

    def close(self) -> None:
        self.session.close()

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        body: Optional[bytes] = None,
        accept: str = "application/hal+json",
    ) -> Reply:
        """Send with retries; return the 2xx reply or raise a :class:`BrokerError`."""
        data = body
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        attempt = 0
        while True:
            try:
                response = self._send_following_redirects(method, url, data, accept)
            except requests.exceptions.SSLError as exc:
                raise BrokerTLSError(
                    f"TLS verification failed for {method} {url}: {self.redact(str(exc))}. "
                    "If the broker uses a private CA, pass its bundle (ca_bundle=..., CLI "
                    "--ca-bundle, or the REQUESTS_CA_BUNDLE environment variable).",
                    url=url, method=method,
                ) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                reason = self.redact(f"{type(exc).__name__}: {exc}")
                if attempt < self.retry.max_retries:
                    attempt += 1
                    self._wait(method, url, attempt, None, reason)
                    continue
                raise BrokerUnavailableError(
                    f"Could not reach the Pact Broker: {method} {url} failed after "
                    f"{attempt + 1} attempts ({reason}). Check that the broker is running "
                    "and that PACT_BROKER_BASE_URL is right; then publish again "
                    "(publishing the same content again is harmless).",
                    url=url, method=method,
                ) from None
            final_url, status, resp = response
            if status in RETRY_STATUSES and attempt < self.retry.max_retries:
                attempt += 1
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                self._wait(method, final_url, attempt, retry_after, f"status {status}")
                continue
            return self._finish(method, final_url, resp, attempt + 1)

    def _wait(self, method: str, url: str, attempt: int, retry_after: Optional[float],
              reason: str) -> None:
        delay = self.retry.delay(attempt, retry_after)
        logger.info("Pact Broker %s %s: %s; retry %d of %d in %.1f s", method, url, reason,
                    attempt, self.retry.max_retries, delay)
        self.sleep(delay)

    def _headers(self, accept: str, has_body: bool) -> Dict[str, str]:
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _auth(self, url: str) -> Optional[_HeaderAuth]:
        """Credentials only for the broker's own origin (scheme, host and port)."""
        value = self.config.authorization()
        if value and same_origin(url, self.config.base_url):
            return _HeaderAuth(value)
        return None

    def _send_following_redirects(
        self, method: str, url: str, data: Optional[bytes], accept: str
    ) -> Tuple[str, int, requests.Response]:
        for _ in range(MAX_REDIRECTS + 1):
            headers = self._headers(accept, data is not None or method in ("PUT", "POST", "PATCH"))
            auth = self._auth(url)
            logger.debug("Pact Broker request: %s %s (auth: %s)", method, url,
                         self.config.auth_scheme if auth else "none")
            resp = self.session.request(
                method, url, data=data if data is not None else (b"" if method == "PUT" else None),
                headers=headers, auth=auth, timeout=self.config.timeout,
                verify=self.config.verify, allow_redirects=False,
            )
            logger.debug("Pact Broker response: %s %s -> %s (broker %s)", method, url,
                         resp.status_code, resp.headers.get("X-Pact-Broker-Version", "?"))
            location = resp.headers.get("Location")
            if resp.status_code not in REDIRECT_STATUSES or not location:
                return url, resp.status_code, resp
            new_url = urljoin(url, location)
            if not same_origin(new_url, self.config.base_url):
                logger.warning("Pact Broker redirected %s %s to another origin %s: "
                               "credentials are not sent there", method, url, new_url)
            if resp.status_code == 303 or (resp.status_code in (301, 302) and method == "POST"):
                method, data = "GET", None
            url = new_url
        raise BrokerUnavailableError(
            f"Too many redirects for {method} {url}: check PACT_BROKER_BASE_URL "
            "(use the broker's final https:// URL).", url=url, method=method)

    def _finish(self, method: str, url: str, resp: requests.Response, attempts: int) -> Reply:
        headers = {k.lower(): v for k, v in resp.headers.items()}
        if 200 <= resp.status_code < 300:
            payload: Any = None
            if resp.content:
                try:
                    payload = resp.json()
                except ValueError:
                    payload = None
            return Reply(resp.status_code, url, payload, headers)
        sent = same_origin(url, self.config.base_url)
        raise error_for_response(
            method=method,
            url=url,
            status=resp.status_code,
            content_type=headers.get("content-type", ""),
            text=self.redact(resp.text or ""),
            auth_scheme=self.config.auth_scheme if sent else None,
            credentials_withheld=self.config.auth_scheme is not None and not sent,
            attempts=attempts,
        )
