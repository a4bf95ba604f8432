"""Where settings come from, and the identity of a test run.

An explicit argument or class attribute wins; an environment variable (prefix
``PACT_UNITTEST_``) fills in what code left unset; then the built-in default.
"""
from __future__ import annotations

import os
import uuid
from typing import Any, Callable, Optional

ENV_PREFIX = "PACT_UNITTEST_"
RUN_ID_ENV = ENV_PREFIX + "RUN_ID"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

#: How a pact file is written when one exists (see :func:`pact_unittest.pact_file.write_pact`):
#: Ruby's ``--pact-file-write-mode`` values. Here, with the other settings, so the
#: mock service and its CLI check them without loading the writer.
WRITE_MODES = ("overwrite", "merge", "update", "none")


def env_name(setting: str) -> str:
    """The environment variable for a setting: ``pact_dir`` -> ``PACT_UNITTEST_PACT_DIR``."""
    return ENV_PREFIX + setting.upper()


def parse_bool(text: str, name: str = "value") -> bool:
    """Read a boolean from the environment; anything unclear is an error, not a guess."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{name}={text!r} is not a boolean: use true/false, 1/0, yes/no or on/off")


def resolve(
    setting: str,
    explicit: Any,
    default: Any,
    convert: Optional[Callable[[str], Any]] = None,
) -> Any:
    """Return ``explicit`` unless it is None, else the environment's value, else ``default``.

    ``convert`` turns the environment's text into the setting's type; by default the
    type of ``default`` decides (bool and int are understood).
    """
    if explicit is not None:
        return explicit
    name = env_name(setting)
    raw = os.environ.get(name)
    if raw is None:
        return default
    if convert is not None:
        return convert(raw)
    if isinstance(default, bool):
        return parse_bool(raw, name)
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a whole number") from None
    return raw


def run_id() -> str:
    """The identity of this test run, shared with every worker process it starts.

    ``PACT_UNITTEST_RUN_ID`` if set (a CI job spreading one run over several machines sets
    it), else pytest-xdist's ``PYTEST_XDIST_TESTRUNUID``, else a new id which is put into
    the environment so that processes started later (Django ``--parallel`` workers)
    inherit it. The pact writer uses it: the first write of a run replaces stale content,
    later writes of the same run merge.
    """
    existing = os.environ.get(RUN_ID_ENV) or os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if existing:
        return existing
    new = uuid.uuid4().hex
    os.environ[RUN_ID_ENV] = new
    return new
