"""Where the broker URL and credentials come from, and how they are kept out of sight.

An explicit argument wins; ``PACT_BROKER_BASE_URL``, ``PACT_BROKER_USERNAME``,
``PACT_BROKER_PASSWORD`` and ``PACT_BROKER_TOKEN`` fill in what the caller left unset
(the names every official Pact client reads). Credentials written into the URL
(``https://user:pass@broker``) are moved into basic auth and removed from the URL, so
that no message built from the URL can leak them.

:class:`BrokerConfig` masks secrets in its ``repr``; :func:`redact` scrubs known secret
values (and their Base64 ``Authorization`` forms) out of any text before it is logged or
raised.
"""
from __future__ import annotations

import base64
import logging
import os
from dataclasses import dataclass, field
from typing import Iterable, Optional, Tuple, Union
from urllib.parse import unquote, urlsplit, urlunsplit

from .errors import BrokerConfigError

logger = logging.getLogger("pact_unittest.broker")

ENV_BASE_URL = "PACT_BROKER_BASE_URL"
ENV_USERNAME = "PACT_BROKER_USERNAME"
ENV_PASSWORD = "PACT_BROKER_PASSWORD"
ENV_TOKEN = "PACT_BROKER_TOKEN"
MASK = "********"

#: (connect, read) seconds. Publishing is one small request; a broker that takes longer
#: than a minute to answer it is in trouble.
DEFAULT_TIMEOUT: Tuple[float, float] = (10.0, 60.0)


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name)
    return value if value else None


@dataclass(frozen=True)
class BrokerConfig:
    """Connection settings for one broker. Build it with :meth:`resolve`.

    ``verify`` is ``True`` (system/certifi trust store, or ``REQUESTS_CA_BUNDLE``), a path
    to a CA bundle for a private CA, or ``False`` (not recommended).
    """

    base_url: str
    username: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    token: Optional[str] = field(default=None, repr=False)
    verify: Union[bool, str] = True
    timeout: Tuple[float, float] = DEFAULT_TIMEOUT

    @classmethod
    def resolve(
        cls,
        base_url: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        token: Optional[str] = None,
        *,
        verify: Union[bool, str, None] = None,
        ca_bundle: Optional[str] = None,
        timeout: Optional[Tuple[float, float]] = None,
    ) -> "BrokerConfig":
        """Explicit values first, then the ``PACT_BROKER_*`` environment variables."""
        url = base_url or _env(ENV_BASE_URL)
        if not url:
            raise BrokerConfigError(
                "No Pact Broker URL given. Pass broker_base_url (CLI: --broker-base-url) "
                f"or set the {ENV_BASE_URL} environment variable."
            )
        url, url_user, url_password = _split_userinfo(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BrokerConfigError(
                f"The Pact Broker URL {url!r} is not an http(s) URL. Set "
                f"broker_base_url or {ENV_BASE_URL} to e.g. https://broker.example.com"
            )
        user = username if username is not None else _env(ENV_USERNAME)
        pwd = password if password is not None else _env(ENV_PASSWORD)
        if url_user is not None:
            if user is None and pwd is None:
                user, pwd = url_user, url_password
            else:
                logger.warning("Ignoring credentials written in the broker URL: "
                               "a username/password was also given")
        tok = token if token is not None else _env(ENV_TOKEN)
        if verify is None:
            verify = ca_bundle if ca_bundle else True
        elif ca_bundle:
            raise BrokerConfigError("Give either verify or ca_bundle, not both")
        if isinstance(verify, str) and not os.path.exists(verify):
            raise BrokerConfigError(f"CA bundle {verify!r} does not exist")
        return cls(url.rstrip("/") if parts.path not in ("", "/") else url,
                   user or None, pwd, tok or None, verify, timeout or DEFAULT_TIMEOUT)

    @property
    def auth_scheme(self) -> Optional[str]:
        """'Bearer', 'Basic' or None. The token wins, as in the official clients."""
        if self.token:
            return "Bearer"
        if self.username is not None or self.password:
            return "Basic"
        return None

    def authorization(self) -> Optional[str]:
        """The ``Authorization`` header value. Never log it."""
        if self.token:
            return "Bearer " + self.token
        if self.auth_scheme == "Basic":
            raw = f"{self.username or ''}:{self.password or ''}".encode("utf-8")
            return "Basic " + base64.b64encode(raw).decode("ascii")
        return None

    def secrets(self) -> Tuple[str, ...]:
        """Every string that must never appear in output: password, token, header values."""
        found = [s for s in (self.password, self.token) if s]
        header = self.authorization()
        if header:
            found.append(header)
            found.append(header.split(" ", 1)[1])
        return tuple(found)

    def __repr__(self) -> str:
        return (
            f"BrokerConfig(base_url={self.base_url!r}, username={self.username!r}, "
            f"password={MASK if self.password else None!r}, "
            f"token={MASK if self.token else None!r}, verify={self.verify!r}, "
            f"timeout={self.timeout!r})"
        )

    __str__ = __repr__


def _split_userinfo(url: str) -> Tuple[str, Optional[str], Optional[str]]:
    """Remove ``user:pass@`` from a URL and return it separately (percent-decoded)."""
    parts = urlsplit(url.strip())
    if "@" not in parts.netloc:
        return url.strip(), None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, pwd = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user), unquote(pwd) if pwd else None


def mask_url(url: Optional[str]) -> Optional[str]:
    """The URL with any ``user:password@`` replaced by a mask (for reprs and messages)."""
    if not url or "@" not in url:
        return url
    clean, user, _ = _split_userinfo(url)
    if user is None:
        return url
    parts = urlsplit(clean)
    return urlunsplit((parts.scheme, f"{MASK}@{parts.netloc}", parts.path, parts.query,
                       parts.fragment))


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret in ``text`` with a mask."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
