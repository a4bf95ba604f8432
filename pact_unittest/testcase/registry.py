"""Embedded mock services shared by the TestCase classes of one process.

unittest runs classes one after another: ``setUpClass`` of the next class comes after the
previous class's cleanups. Stopping a service when its last class finishes would therefore
never let two classes share one, so an idle service stays up, ready for the next class with
the same settings, and every service is stopped at interpreter exit (``atexit``). Starting
one costs a few milliseconds, so the sharing is about ports and sockets, not speed.

One exception: a class that asks for a *fixed* port first stops idle services holding that
port, so two classes with different settings can use the same fixed port one after the
other. A forked worker (Django ``--parallel``) starts with an empty registry: the parent's
server threads do not exist in the child.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Tuple

logger = logging.getLogger(__name__)

ServiceKey = Tuple[Any, ...]


@dataclass
class _Entry:
    service: Any
    port_asked: int
    users: int = 0


@dataclass
class _Registry:
    pid: int = field(default_factory=os.getpid)
    entries: Dict[ServiceKey, _Entry] = field(default_factory=dict)


_lock = threading.Lock()
_state = _Registry()


def _current() -> _Registry:
    global _state
    if _state.pid != os.getpid():  # forked: the parent's threads are not ours
        _state = _Registry()
    return _state


def acquire(key: ServiceKey, port: int, factory: Any) -> Any:
    """Return the running service for ``key``, starting one with ``factory()`` if needed.

    ``factory`` builds an unstarted MockService; its ``start()`` raises in this thread
    (naming host:port) when it cannot bind.
    """
    with _lock:
        registry = _current()
        entry = registry.entries.get(key)
        if entry is None:
            if port:
                _stop_idle_on_port(registry, port)
            service = factory()
            service.start()
            entry = registry.entries[key] = _Entry(service, port)
            logger.debug("started mock service %s for %s", service.uri, key)
        entry.users += 1
        return entry.service


def release(service: Any) -> None:
    """One class is done with ``service``; it stays up for the next class (see module doc)."""
    with _lock:
        for entry in _current().entries.values():
            if entry.service is service:
                entry.users = max(0, entry.users - 1)
                return


def _stop_idle_on_port(registry: _Registry, port: int) -> None:
    for key, entry in list(registry.entries.items()):
        if entry.users == 0 and (entry.port_asked == port or entry.service.port == port):
            del registry.entries[key]
            _stop(entry.service)


def _stop(service: Any) -> None:
    try:
        service.stop()
    except Exception:  # a failing stop must not hide the run's result
        logger.exception("stopping mock service %s failed", getattr(service, "uri", service))


def stop_all() -> None:
    """Stop every service of this process (registered with ``atexit``; tests call it too)."""
    with _lock:
        registry = _current()
        entries = list(registry.entries.values())
        registry.entries.clear()
    for entry in entries:
        _stop(entry.service)


def running() -> Dict[ServiceKey, int]:
    """Key -> number of classes using it, for tests and debugging."""
    with _lock:
        return {key: entry.users for key, entry in _current().entries.items()}


atexit.register(stop_all)
