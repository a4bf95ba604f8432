"""The settings of a :class:`~pact_unittest.PactMixin` class, resolved once per class.

A class attribute wins; the environment variable ``PACT_UNITTEST_<NAME>`` fills in what the
class left as ``None``; then the default below. Everything is checked here, in
``setUpClass``, so a typo fails the class with a message naming it rather than a test with
a confusing one.
"""
from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from ..model import settings
from ..model import normalize_spec_version

__unittest = True

#: name -> default. ``None`` means "no default": consumer and provider are required.
DEFAULTS = {
    "consumer": None,
    "provider": None,
    "pact_dir": "pacts",
    "host": "127.0.0.1",
    "port": 0,
    "specification_version": "2.0.0",
    "file_write_mode": "overwrite",
    "ssl": False,
    "sslcert": None,
    "sslkey": None,
    "cors": False,
    "log_dir": None,
    "partial_regex": False,
    "publish_to_broker": False,
    "broker_base_url": None,
    "broker_username": None,
    "broker_password": None,
    "broker_token": None,
    "consumer_version": None,
    "consumer_branch": None,
    "consumer_tags": None,
}
_BOOLS = {"ssl", "cors", "partial_regex", "publish_to_broker"}


@dataclass(frozen=True)
class ClassSettings:
    """Resolved settings of one class; ``service_key`` decides which classes share a mock."""

    consumer: str
    provider: str
    pact_dir: str
    host: str
    port: int
    specification_version: str
    file_write_mode: str
    ssl: bool
    sslcert: Optional[str]
    sslkey: Optional[str]
    cors: bool
    log_dir: Optional[str]
    partial_regex: bool
    publish_to_broker: bool
    broker_base_url: Optional[str]
    broker_username: Optional[str]
    broker_password: Optional[str]
    broker_token: Optional[str]
    consumer_version: Optional[str]
    consumer_branch: Optional[str]
    consumer_tags: Optional[Tuple[str, ...]]

    @property
    def service_key(self) -> Tuple[Any, ...]:
        return (
            self.consumer, self.provider, self.host, self.port, self.specification_version,
            self.pact_dir, self.ssl, self.sslcert, self.sslkey, self.cors, self.log_dir,
            self.partial_regex,
        )


_NO_VALUE: Any = object()
_base_lock = threading.Lock()
_base_dir: Optional[str] = None


def base_dir() -> str:
    """The directory relative ``pact_dir``/``log_dir`` settings are resolved against.

    The current directory when the first PactMixin class of the process resolves its
    settings, then fixed for the process: a test that calls ``os.chdir()`` (and does not
    change back) must not make the next class of the same pair resolve ``"pacts"``
    elsewhere and silently write a second file. One run writes one file per pair.
    """
    global _base_dir
    with _base_lock:
        if _base_dir is None:
            _base_dir = os.getcwd()
        return _base_dir


def _absolute(path: Any) -> str:
    return os.path.normpath(os.path.join(base_dir(), os.fspath(path)))


def _convert(name: str, raw: str) -> Any:
    if name in _BOOLS:
        return settings.parse_bool(raw, settings.env_name(name))
    if name == "port":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{settings.env_name(name)}={raw!r} is not a port number") from None
    if name == "consumer_tags":
        return tuple(tag.strip() for tag in raw.split(",") if tag.strip())
    return raw


def _source(cls: type, where: str, name: str, value: Any = _NO_VALUE) -> str:
    """Where a bad value came from, for its error: the class attribute or the variable.

    ``Class.port=70000`` when the class (or a base) set it, else
    ``PACT_UNITTEST_PORT=70000 (for Class)``: naming the attribute when the environment gave
    the value sends the user looking for an attribute that is not there.
    """
    shown = "" if value is _NO_VALUE else f"={value!r}"
    if getattr(cls, name, None) is None and os.environ.get(settings.env_name(name)) is not None:
        return f"{settings.env_name(name)}{shown} (for {where})"
    return f"{where}.{name}{shown}"


def resolve_class_settings(cls: type) -> ClassSettings:
    """Resolve and check every setting of ``cls`` (see module doc for the precedence)."""
    values: Dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        values[name] = settings.resolve(
            name, getattr(cls, name, None), default, functools.partial(_convert, name)
        )
    where = f"{cls.__module__}.{cls.__qualname__}"
    missing = [name for name in ("consumer", "provider") if not values[name]]
    if missing:
        raise ValueError(
            f"{where} needs a {' and a '.join(missing)}: set the class attribute"
            f"{'s' if len(missing) > 1 else ''} {' and '.join(missing)} (e.g. "
            f"consumer = 'UserWeb', provider = 'UserService') or the environment variable"
            f"{'s' if len(missing) > 1 else ''} "
            + " and ".join(settings.env_name(name) for name in missing)
        )
    for name in ("consumer", "provider"):
        if not isinstance(values[name], str):  # v2 Consumer/Provider objects are fine too
            values[name] = getattr(values[name], "name", None) or str(values[name])
    try:
        values["specification_version"] = normalize_spec_version(values["specification_version"])
    except ValueError as exc:
        raise ValueError(f"{_source(cls, where, 'specification_version')}: {exc}") from None
    from ..model import WRITE_MODES

    if values["file_write_mode"] not in WRITE_MODES:
        raise ValueError(
            f"{_source(cls, where, 'file_write_mode', values['file_write_mode'])}: use one of "
            + ", ".join(WRITE_MODES)
        )
    port = values["port"]
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ValueError(f"{_source(cls, where, 'port', port)}: use a port number "
                         "(0 = any free port)")
    values["pact_dir"] = _absolute(values["pact_dir"])
    if values["log_dir"] is not None:
        values["log_dir"] = _absolute(values["log_dir"])
    tags = values["consumer_tags"]
    if tags is not None and not isinstance(tags, tuple):
        values["consumer_tags"] = (tags,) if isinstance(tags, str) else tuple(tags)
    return ClassSettings(**values)
