"""Provider states: put the provider into the state an interaction needs, and take it out.

Three ways, one protocol (:class:`StateSetup`):

* :class:`StateFunctions` -- Python callables registered by state name. A setup function
  takes the state's params (a dict, empty when none) and may return a dict: the values
  ``ProviderState`` generators read. An interaction's state with no function is a failure
  naming the state, or a warning when ``missing="warn"``.
* :class:`StateChangeUrl` -- the HTTP protocol of the official verifiers. ``style="ruby"``
  (what pact-python v2's ``provider_states_setup_url`` spoke, the default): a POST of
  ``{"consumer", "state", "states", "params"}`` once per state, and once with ``state: null``
  for an interaction without one; no teardown. ``style="rust"``: a POST of ``{"state",
  "params", "action": "setup"|"teardown"}`` per state (with ``body=False`` the same as query
  parameters); a JSON object answered to a setup feeds ``ProviderState`` generators.
* :class:`StateCallback` -- one function called as ``callback(name, params, action)`` for
  every state, ``""`` for an interaction without one (the compatibility suite's callback).

A setup that fails raises :class:`StateSetupError`: the interaction fails with "State change
request failed", nothing is sent to the provider and no teardown runs for it.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from ..model import ProviderState
from .request import ProviderRequest
from .transport import HttpTransport, ProviderUnreachable

__all__ = ["StateSetup", "StateSetupError", "StateFunctions", "StateChangeUrl", "StateCallback"]


class StateSetupError(Exception):
    """A provider state could not be set up (the interaction fails, unverified)."""


class StateSetup:
    """Sets up and tears down the provider states of one interaction."""

    def setup(self, consumer: str, states: Sequence[ProviderState]) -> Dict[str, Any]:
        """Set up ``states``; return the values for ``ProviderState`` generators."""
        return {}

    def teardown(self, consumer: str, states: Sequence[ProviderState]) -> None:
        """Undo what setup did (only called after a setup that succeeded)."""

    def warnings(self) -> List[str]:
        """What the last setup wants said (e.g. a state nobody handles); then forgotten."""
        return []

    def close(self) -> None:
        """Free what the state setup holds (connections)."""


def _merge_values(values: Dict[str, Any], returned: Any, who: str) -> None:
    if returned is None:
        return
    if not isinstance(returned, Mapping):
        raise StateSetupError(f"{who} returned {type(returned).__name__}; a state setup "
                              "returns None or a dict of values for ProviderState generators")
    values.update(returned)


class StateFunctions(StateSetup):
    """Setup and teardown functions registered by state name."""

    def __init__(self, setups: Optional[Mapping[str, Callable[..., Any]]] = None,
                 teardowns: Optional[Mapping[str, Callable[..., Any]]] = None,
                 missing: str = "fail"):
        if missing not in ("fail", "warn"):
            raise ValueError(f"missing must be 'fail' or 'warn', got {missing!r}")
        self.setups = dict(setups or {})
        self.teardowns = dict(teardowns or {})
        self.missing = missing
        self._warnings: List[str] = []

    def setup(self, consumer: str, states: Sequence[ProviderState]) -> Dict[str, Any]:
        values: Dict[str, Any] = {}
        for state in states:
            func = self.setups.get(state.name)
            if func is None:
                if state.name in self.teardowns:
                    continue
                text = f"no provider state handler for {state.name!r}"
                if self.missing == "fail":
                    known = ", ".join(repr(n) for n in sorted(self.setups)) or "none"
                    raise StateSetupError(f"{text} (handlers: {known})")
                self._warnings.append(text)
                continue
            try:
                returned = func(dict(state.params or {}))
            except Exception as exc:
                raise StateSetupError(f"setting up provider state {state.name!r} raised "
                                      f"{type(exc).__name__}: {exc}") from exc
            _merge_values(values, returned, f"the setup of provider state {state.name!r}")
        return values

    def teardown(self, consumer: str, states: Sequence[ProviderState]) -> None:
        for state in reversed(list(states)):
            func = self.teardowns.get(state.name)
            if func is not None:
                func(dict(state.params or {}))

    def warnings(self) -> List[str]:
        found, self._warnings = self._warnings, []
        return found


class StateCallback(StateSetup):
    """``callback(name, params, action)`` for each state; ``""`` when there is none."""

    def __init__(self, callback: Callable[[str, Dict[str, Any], str], Any], teardown: bool = True):
        self.callback = callback
        self.call_teardown = teardown

    def _each(self, states: Sequence[ProviderState]) -> Sequence[ProviderState]:
        return states or (ProviderState(""),)

    def setup(self, consumer: str, states: Sequence[ProviderState]) -> Dict[str, Any]:
        values: Dict[str, Any] = {}
        for state in self._each(states):
            try:
                returned = self.callback(state.name, dict(state.params or {}), "setup")
            except Exception as exc:
                raise StateSetupError(f"the state change callback for {state.name!r} raised "
                                      f"{type(exc).__name__}: {exc}") from exc
            _merge_values(values, returned, "the state change callback")
        return values

    def teardown(self, consumer: str, states: Sequence[ProviderState]) -> None:
        if self.call_teardown:
            for state in self._each(states):
                self.callback(state.name, dict(state.params or {}), "teardown")


class StateChangeUrl(StateSetup):
    """The official verifiers' state change URL protocol (see the module docstring)."""

    def __init__(self, url: str, style: str = "ruby", body: bool = True, teardown: bool = True,
                 headers: Optional[Mapping[str, str]] = None, timeout: float = 30.0):
        if style not in ("ruby", "rust"):
            raise ValueError(f"style must be 'ruby' or 'rust', got {style!r}")
        self.url, self.style, self.body = url, style, body
        self.call_teardown = teardown and style == "rust"
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._transport: Optional[HttpTransport] = None

    def _post(self, payload: Dict[str, Any], what: str) -> Any:
        """POST ``payload`` (JSON body, or query parameters with ``body=False``); the
        answer's JSON (None when it has none)."""
        if self._transport is None:
            self._transport = HttpTransport(self.url, timeout=self.timeout)
        if self.body:
            request = ProviderRequest("POST", "", headers={**self.headers,
                                                           "Content-Type": "application/json"},
                                      body=json.dumps(payload).encode("utf-8"))
        else:
            params = {k: (json.dumps(v) if isinstance(v, (dict, list)) else v)
                      for k, v in payload.items() if k != "params"}
            params.update({k: str(v) for k, v in (payload.get("params") or {}).items()})
            request = ProviderRequest("POST", "", query=urlencode(
                {k: "" if v is None else v for k, v in params.items()}), headers=dict(self.headers))
        try:
            answer = self._transport.send(request)
        except ProviderUnreachable as exc:
            raise StateSetupError(f"{what}: {exc}") from None
        if answer.status >= 300:
            raise StateSetupError(f"{what}: POST {self.url} answered {answer.status}: "
                                  f"{answer.body[:500].decode('utf-8', 'replace')}")
        try:
            return json.loads(answer.body) if answer.body else None
        except ValueError:
            return None

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def setup(self, consumer: str, states: Sequence[ProviderState]) -> Dict[str, Any]:
        values: Dict[str, Any] = {}
        if self.style == "ruby":
            for state in states or (None,):
                name = state.name if state is not None else None
                params = dict(state.params or {}) if state is not None else {}
                self._post({"consumer": consumer, "state": name, "states": [name],
                            "params": params}, f"setting up provider state {name!r}")
            return values
        for state in states:
            returned = self._post({"state": state.name, "params": dict(state.params or {}),
                                   "action": "setup"}, f"setting up provider state {state.name!r}")
            if isinstance(returned, Mapping):
                values.update(returned)
        return values

    def teardown(self, consumer: str, states: Sequence[ProviderState]) -> None:
        if self.call_teardown:
            for state in reversed(list(states)):
                self._post({"state": state.name, "params": dict(state.params or {}),
                            "action": "teardown"}, f"tearing down provider state {state.name!r}")
