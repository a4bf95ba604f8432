"""Requests to the mocked provider: find the interaction, answer with its response.

The actual request is built once from HTTP (ruby-mock-service.md §7.1, with our deliberate
differences): method upper-cased, path percent-decoded (Ruby compares it raw: §14.6; an
interaction whose path is written percent-encoded still matches the raw path), query raw for
spec 1/2 and a map of lists for spec 3/4, headers joined with ", ", body absent when empty,
parsed when the actual Content-Type is JSON (invalid JSON is a body mismatch, not a 500
backtrace: §14.8), else text (bytes when it is not text).

Candidates are the interactions whose method and path fit (found through the session's
index, compared outside its lock: ``_index``); exactly one full match is
answered with its response; otherwise the 500 answers keep Ruby's JSON shape (§7.2) and add
``mismatches``, our readable lines, for whoever reads the client's logs.
"""
from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, unquote_plus

from ..model import Interaction, matching_version, spec_family
from ..model.verification import CandidateDiff, RequestSummary, describe_mismatch
from ._http import HttpRequest, Response, json_response
from ..model.received import read_body
from ..model.ruby_diff import interaction_diff

if TYPE_CHECKING:  # pragma: no cover
    from ._session import Session

_ROUTE_KINDS = ("method", "path")


class ActualRequest:
    """The request in the engine's ``actual`` form, plus what display and errors need."""

    def __init__(self, request: HttpRequest):
        self.raw = request
        self.method = request.method.upper()
        self.raw_path = request.path
        self.path = unquote(request.path)
        self.headers = request.headers_dict()
        self.body_error: Optional[str] = None
        self.has_body, self.body = self._read_body(request.body)
        self._query_map: Optional[Dict[str, List[str]]] = None

    def _read_body(self, raw: bytes) -> Tuple[bool, Any]:
        has_body, value, error = read_body(raw, self.raw.header("Content-Type"))
        if error:
            self.body_error = error.replace("the body", "the request body")
        return has_body, value

    def query_map(self) -> Dict[str, List[str]]:
        if self._query_map is None:
            result: Dict[str, List[str]] = {}
            for part in re.split(r"[&;] *", self.raw.query) if self.raw.query else []:
                if not part:
                    continue
                key, _, value = part.partition("=")
                result.setdefault(unquote_plus(key), []).append(unquote_plus(value))
            self._query_map = result
        return self._query_map

    def for_interaction(self, interaction: Interaction) -> Dict[str, Any]:
        """The ``actual`` dict for the engine, in the interaction's spec family."""
        expected_path = interaction.request.get("path")
        path = self.raw_path if expected_path == self.raw_path else self.path
        family = spec_family(interaction.spec_version)
        if family == 2 and path.startswith("//") and not str(expected_path).startswith("//"):
            # Spec 1/2: Ruby's WEBrick collapsed leading slashes (a client building
            # pact.uri + "/" + "/users" sent //users and matched); an interaction whose own
            # path starts with // asks for them to count.
            path = "/" + path.lstrip("/")
        actual: Dict[str, Any] = {"method": self.method, "path": path, "headers": self.headers}
        if family == 2:
            actual["query"] = self.raw.query
        else:
            actual["query"] = self.query_map()
        if self.has_body and not self.body_error:  # an unreadable body is compared by no one
            actual["body"] = self.body
        return actual

    def summary(self) -> RequestSummary:
        return RequestSummary(self.raw.method, self.raw_path, self.raw.query, dict(self.headers),
                              self.body if self.has_body else None)


def _body_error_mismatch(error: str, body: Any) -> Any:
    from ..matching import Mismatch

    shown = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return Mismatch(kind="body", path="$", expected="valid JSON", actual=str(shown)[:200],
                    message=error)


def compare(actual: ActualRequest, interaction: Interaction, partial_regex: bool) -> List[Any]:
    """The engine's mismatches for one interaction (plus the invalid-body one, if any)."""
    from ..matching import match_request

    try:
        mismatches = list(match_request(interaction.request, actual.for_interaction(interaction),
                                        matching_version(interaction.spec_version),
                                        partial_regex=partial_regex))
    except ValueError as exc:  # e.g. a text body nested too deeply to read as JSON
        from ..matching import Mismatch

        mismatches = [Mismatch(kind="body", path="$", expected=None, actual=None,
                               message=f"body: cannot be compared: {exc}")]
    if actual.body_error:
        mismatches = [m for m in mismatches if m.kind != "body"]
        mismatches.append(_body_error_mismatch(actual.body_error, actual.body))
    return mismatches


def request_matches(request: RequestSummary, interaction: Interaction,
                    partial_regex: bool = False) -> bool:
    """Whether a recorded request (a verification's summary) matches ``interaction``.

    For requests judged after the fact, e.g. an unexpected request compared with the
    interactions of an earlier test. The summary's body is turned back into bytes (JSON as
    compact JSON), which reads the same as what the client sent.
    """
    body = request.body
    if body is None:
        raw = b""
    elif isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    actual = ActualRequest(HttpRequest(request.method, request.path, request.query,
                                       list(request.headers.items()), raw))
    if str(interaction.request.get("method", "")).upper() != actual.method:
        return False
    return not compare(actual, interaction, partial_regex)


def _candidate(interaction: Interaction, mismatches: List[Any]) -> CandidateDiff:
    return CandidateDiff(interaction.description, interaction.provider_state, tuple(mismatches))


def _closest(actual: ActualRequest, expected: List[Interaction], partial_regex: bool) -> Optional[CandidateDiff]:
    best: Optional[Tuple[Tuple[int, int], Interaction, List[Any]]] = None
    for interaction in expected:
        mismatches = compare(actual, interaction, partial_regex)
        score = (sum(1 for m in mismatches if m.kind in _ROUTE_KINDS), len(mismatches))
        if best is None or score < best[0]:
            best = (score, interaction, mismatches)
    return _candidate(best[1], best[2]) if best else None


def render_response(interaction: Interaction, request: Optional[HttpRequest] = None,
                    context: Optional[Dict[str, Any]] = None) -> Response:
    """The interaction's response as HTTP, with its generators (spec 3+) applied.

    Generators run in consumer mode with ``context`` (``{"mockServer": {"href", "port"}}``),
    so a ``MockServerURL`` points at this service and ``ProviderState`` keeps its example.

    Headers as written (a value with a newline becomes repeated header lines, as WEBrick
    sends it; a list value becomes one line per item); a str body raw, bytes as is, any
    other body compact JSON in UTF-8; no body for ``None`` or an absent body.
    """
    data = interaction.response
    if data.get("generators") and spec_family(interaction.spec_version) == 3:
        from ..matchers.generators import apply_generators

        data = apply_generators(data, mode="consumer", context=context)
    headers: List[Tuple[str, str]] = []
    for name, value in (data.get("headers") or {}).items():
        for item in value if isinstance(value, list) else [value]:
            for line in str(item).split("\n"):
                headers.append((str(name), line))
    body = data.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(int(data.get("status", 200)), headers, raw)


#: How often a request is matched again when the interactions were replaced meanwhile.
_ATTEMPTS = 3


def _judge(actual: ActualRequest, pairs: List[Tuple[int, Interaction]], partial_regex: bool
           ) -> Tuple[List[Tuple[int, Interaction]], List[Tuple[Interaction, List[Any]]]]:
    """The full matches ``(position, interaction)`` and the route candidates with their
    mismatches. Runs users' regexes: never call it holding the session lock."""
    candidates: List[Tuple[Interaction, List[Any]]] = []
    matches: List[Tuple[int, Interaction]] = []
    for position, interaction in pairs:
        if str(interaction.request.get("method", "")).upper() != actual.method:
            continue
        mismatches = compare(actual, interaction, partial_regex)
        if not any(m.kind in _ROUTE_KINDS for m in mismatches):
            candidates.append((interaction, mismatches))
            if not mismatches:
                matches.append((position, interaction))
    return matches, candidates


def replay(session: "Session", request: HttpRequest, partial_regex: bool = False,
           context: Optional[Dict[str, Any]] = None) -> Response:
    """Answer an application request and record it in the session.

    The interactions it could match come from the session's index (method and literal
    path); they are compared outside the session lock, so a slow regex delays only this
    request. ``context`` is the generator context of the mock's responses (see
    render_response).
    """
    actual = ActualRequest(request)
    for attempt in range(_ATTEMPTS):
        paths = (actual.path, actual.raw_path, "/" + actual.path.lstrip("/"))  # // collapsed: spec 1/2
        generation, pairs = session.candidates(actual.method, paths)
        matches, candidates = _judge(actual, pairs, partial_regex)
        closest = None
        if not candidates:  # the slow path, for the report only: every interaction
            closest = _closest(actual, session.snapshot_expected(), partial_regex)
        with session.lock:
            if session.generation != generation:  # replaced meanwhile: positions name
                if attempt < _ATTEMPTS - 1:       # other registrations, so match again
                    continue
                # replaced at every attempt: judged against none of them
                matches, candidates, closest = [], [], None
            if len(matches) == 1:
                session.record_match(matches[0][0])
                break
            summary = actual.summary()
            if len(matches) > 1:
                session.record_mismatch(summary, [_candidate(i, []) for _, i in matches])
            elif candidates:
                session.record_mismatch(summary, [_candidate(i, m) for i, m in candidates])
            else:
                session.record_unexpected(summary, closest)
            break
    return _answer(session, request, actual, [i for _, i in matches], candidates, closest, context)


def _answer(session: "Session", request: HttpRequest, actual: ActualRequest,
            matches: List[Interaction], candidates: List[Tuple[Interaction, List[Any]]],
            closest: Optional[CandidateDiff], context: Optional[Dict[str, Any]]) -> Response:
    """The mock's answer, once the outcome is recorded."""
    if len(matches) == 1:
        if session.log.isEnabledFor(logging.INFO):
            session.log.info("Received request %s matched %s", request.line(), matches[0].label())
        return render_response(matches[0], request, context)
    if len(matches) > 1:
        session.log.warning("Received request %s matches %d interactions", request.line(), len(matches))
        return json_response(500, {
            "message": f"Multiple interaction found for {request.line()}",
            "matching_interactions": [_multi_entry(i) for i in matches],
            "mismatches": [f"matches {i.label()}" for i in matches],
        })
    if candidates:
        summary = actual.summary()
        diffs = [_candidate(i, m) for i, m in candidates]
        lines = [f"{d.label()}: {describe_mismatch(m)}" for d in diffs for m in d.mismatches]
        session.log.warning("No interaction found for %s:\n  %s", request.line(), "\n  ".join(lines))
        return json_response(500, {
            "message": f"No interaction found for {request.line()}",
            "interaction_diffs": [interaction_diff(d.description, d.provider_state, d.mismatches,
                                                   summary) for d in diffs],
            "mismatches": lines,
        })
    if closest is None:
        lines = ["no interaction is registered"]
    else:
        lines = [f"closest interaction {closest.label()}: {describe_mismatch(m)}"
                 for m in closest.mismatches]
    session.log.warning("Unexpected request %s:\n  %s", request.line(), "\n  ".join(lines))
    return json_response(500, {
        "message": f"No interaction found for {request.line()}",
        "interaction_diffs": [],
        "mismatches": lines,
    })


def _multi_entry(interaction: Interaction) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"description": interaction.description}
    if interaction.provider_state is not None:
        entry["provider_state"] = interaction.provider_state
    entry["request"] = interaction.request
    return entry
