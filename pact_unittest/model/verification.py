"""The result of checking what a mock service received against what was registered.

A :class:`Verification` is plain, frozen, picklable data: the embedded service returns it
from ``MockService.verification()``, the standalone service sends it as JSON (admin
``GET /interactions/verification`` with ``Accept: application/json``) and a remote client
rebuilds it with :meth:`Verification.from_json`. So a unittest assertion message reads the
same whichever way the service runs, and it survives Django's parallel runner (pickling).

Three texts are offered: :meth:`Verification.summary` (one line), :meth:`Verification.describe`
(our readable multi-line message: every missing, unexpected and mismatched request with the
mismatch paths) and :meth:`Verification.ruby_text` (byte for byte what the Ruby mock service
answers, for clients that parse it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple, Union

from .interaction import interaction_label

if TYPE_CHECKING:  # pragma: no cover
    from ..matching import Mismatch

__all__ = [
    "RequestSummary",
    "CandidateDiff",
    "MismatchedRequest",
    "UnexpectedRequest",
    "EarlierMatch",
    "MissingInteraction",
    "Verification",
    "describe_mismatch",
]

@dataclass(frozen=True)
class RequestSummary:
    """An actual request as the mock saw it. ``path`` and ``query`` are raw, for display."""

    method: str
    path: str
    query: str = ""
    headers: Dict[str, str] = field(default_factory=dict)
    #: parsed JSON, text, bytes (binary), or ``None`` when the request had no body.
    body: Any = None

    def line(self) -> str:
        """``GET /a?x=1``: method and raw path and query, as Ruby prints it."""
        text = f"{self.method.upper()} {self.path}"
        return text + ("?" + self.query if self.query else "")

    def to_json(self) -> Dict[str, Any]:
        body = self.body
        if isinstance(body, bytes):
            body = {"binary": body.hex()}
        return {"method": self.method, "path": self.path, "query": self.query,
                "headers": dict(self.headers), "body": body,
                "binary": isinstance(self.body, bytes)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "RequestSummary":
        body = data.get("body")
        if data.get("binary") and isinstance(body, dict):
            body = bytes.fromhex(body["binary"])
        return cls(data["method"], data["path"], data.get("query") or "",
                   dict(data.get("headers") or {}), body)


def describe_mismatch(mismatch: "Mismatch") -> str:
    """One readable line for a mismatch; the engine's own message when it has one."""
    message = getattr(mismatch, "message", "") or ""
    if message:
        return message
    where = f"{mismatch.kind} {mismatch.path!r}" if mismatch.path else mismatch.kind
    return f"{where}: expected {mismatch.expected!r}, got {mismatch.actual!r}"


def _mismatch_to_json(mismatch: "Mismatch") -> Dict[str, Any]:
    data = {"kind": mismatch.kind, "path": mismatch.path, "expected": _jsonable(mismatch.expected),
            "actual": _jsonable(mismatch.actual), "message": mismatch.message}
    if getattr(mismatch, "rule", None) is not None:
        data["rule"] = mismatch.rule  # lets a rebuilt Verification render Ruby's text exactly
    return data


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _mismatch_from_json(data: Mapping[str, Any]) -> "Mismatch":
    from ..matching import Mismatch

    return Mismatch(kind=data["kind"], path=data.get("path", ""), expected=data.get("expected"),
                    actual=data.get("actual"), message=data.get("message", ""),
                    rule=data.get("rule"))


def _label(description: str, provider_state: Optional[str]) -> str:
    return interaction_label(description, () if provider_state is None else (provider_state,))


@dataclass(frozen=True)
class CandidateDiff:
    """A registered interaction compared with a request, and why it did not match."""

    description: str
    provider_state: Optional[str]
    mismatches: Tuple["Mismatch", ...] = ()

    def label(self) -> str:
        return _label(self.description, self.provider_state)

    def to_json(self) -> Dict[str, Any]:
        return {"description": self.description, "provider_state": self.provider_state,
                "mismatches": [_mismatch_to_json(m) for m in self.mismatches]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "CandidateDiff":
        return cls(data["description"], data.get("provider_state"),
                   tuple(_mismatch_from_json(m) for m in data.get("mismatches") or ()))


@dataclass(frozen=True)
class MismatchedRequest:
    """A request that reached registered interactions of its route but matched none of them.

    When every candidate has an empty mismatch list, the request matched *several*
    interactions at once (ambiguous): Ruby records nothing then; we report it.
    """

    request: RequestSummary
    candidates: Tuple[CandidateDiff, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates) and all(not c.mismatches for c in self.candidates)

    def to_json(self) -> Dict[str, Any]:
        return {"request": self.request.to_json(),
                "candidates": [c.to_json() for c in self.candidates]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "MismatchedRequest":
        return cls(RequestSummary.from_json(data["request"]),
                   tuple(CandidateDiff.from_json(c) for c in data.get("candidates") or ()))


@dataclass(frozen=True)
class EarlierMatch:
    """An interaction of an earlier test that an unexpected request matches.

    Such a request was most likely sent after that test ended (by a thread or callback it
    started), so it landed in the next test of the same mock service: saying so saves a
    hunt for what is wrong with *this* test's interactions.
    """

    description: str
    provider_state: Optional[str]
    test: str

    def label(self) -> str:
        return _label(self.description, self.provider_state)

    def to_json(self) -> Dict[str, Any]:
        return {"description": self.description, "provider_state": self.provider_state,
                "test": self.test}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "EarlierMatch":
        return cls(data["description"], data.get("provider_state"), data["test"])


@dataclass(frozen=True)
class UnexpectedRequest:
    """A request no interaction's method and path fit; ``closest`` says what came nearest,
    ``earlier`` the interaction of an earlier test it matches, when the caller knows one."""

    request: RequestSummary
    closest: Optional[CandidateDiff] = None
    earlier: Optional[EarlierMatch] = None

    def to_json(self) -> Dict[str, Any]:
        data = {"request": self.request.to_json(),
                "closest": self.closest.to_json() if self.closest else None}
        if self.earlier is not None:
            data["earlier"] = self.earlier.to_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "UnexpectedRequest":
        closest, earlier = data.get("closest"), data.get("earlier")
        return cls(RequestSummary.from_json(data["request"]),
                   CandidateDiff.from_json(closest) if closest else None,
                   EarlierMatch.from_json(earlier) if earlier else None)


@dataclass(frozen=True)
class MissingInteraction:
    """A registered interaction that no request matched."""

    description: str
    provider_state: Optional[str]
    method: str
    path: str
    #: the expected query rendered as a string ("" when none), for display.
    query: str = ""

    def line(self) -> str:
        """``GET /users/1?a=1``: the expected request as Ruby's "Missing requests" prints it."""
        text = f"{self.method.upper()} {self.path or '/'}"
        return text + ("?" + self.query if self.query else "")

    def label(self) -> str:
        return _label(self.description, self.provider_state)

    def to_json(self) -> Dict[str, Any]:
        return {"description": self.description, "provider_state": self.provider_state,
                "method": self.method, "path": self.path, "query": self.query}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "MissingInteraction":
        return cls(data["description"], data.get("provider_state"), data["method"],
                   data["path"], data.get("query") or "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class Verification:
    """Missing, unexpected and mismatched requests of one mock-service session."""

    missing: Tuple[MissingInteraction, ...] = ()
    unexpected: Tuple[UnexpectedRequest, ...] = ()
    mismatched: Tuple[MismatchedRequest, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def __bool__(self) -> bool:  # a verification is truthy when it passed
        return self.ok

    def summary(self) -> str:
        """One line: ``Pact verification failed: 1 mismatched request, 1 missing interaction``."""
        if self.ok:
            return "Pact verification passed: interactions matched"
        parts = []
        if self.mismatched:
            parts.append(_plural(len(self.mismatched), "mismatched request"))
        if self.missing:
            parts.append(_plural(len(self.missing), "missing interaction"))
        if self.unexpected:
            parts.append(_plural(len(self.unexpected), "unexpected request"))
        return "Pact verification failed: " + ", ".join(parts)

    def describe(self) -> str:
        """The readable multi-line message a failing test shows (first line = summary)."""
        lines = [self.summary()]
        for item in self.mismatched:
            lines.extend(_describe_mismatched(item))
        attempted = self._attempted()
        for miss in self.missing:
            why = attempted.get((miss.description, miss.provider_state), "")
            lines.append(f"  Missing: {miss.line()} for {miss.label()}{why}")
        for unexpected in self.unexpected:
            lines.append(f"  Unexpected: {unexpected.request.line()}")
            earlier = unexpected.earlier
            if earlier is not None:
                lines.append(f"    matches {earlier.label()} of an earlier test ({earlier.test}): "
                             "a request sent after that test ended (a background thread?)")
            closest = unexpected.closest
            if closest is None:
                lines.append("    no interaction is registered")
            else:
                lines.append(f"    closest interaction: {closest.label()}")
                lines.extend("      " + describe_mismatch(m) for m in closest.mismatches)
        return "\n".join(lines)

    def _attempted(self) -> Dict[Tuple[str, Optional[str]], str]:
        """Why each interaction a mismatched request was compared with is still missing.

        Such an interaction really is missing (no request matched it), so it is counted
        and listed; but its Missing line points back at the Mismatched block instead of
        reading like a second, separate problem.
        """
        found: Dict[Tuple[str, Optional[str]], str] = {}
        for item in self.mismatched:
            why = (", whose request matched several interactions (see above)" if item.ambiguous
                   else ", whose request arrived mismatched (see above)")
            for cand in item.candidates:
                found.setdefault((cand.description, cand.provider_state), why)
        return found

    def ruby_text(self, log_description: str = "standard out/err") -> str:
        """Exactly the body Ruby's ``GET /interactions/verification`` answers (200 or 500)."""
        if self.ok:
            return "Interactions matched\n"
        from .ruby_text import ruby_verification_text

        return ruby_verification_text(self, log_description)

    def to_json(self) -> Dict[str, Any]:
        """A JSON-able dict (``json.dumps`` it to send it); :meth:`from_json` reads it back."""
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "missing": [m.to_json() for m in self.missing],
            "unexpected": [u.to_json() for u in self.unexpected],
            "mismatched": [m.to_json() for m in self.mismatched],
        }

    @classmethod
    def from_json(cls, data: Union[str, bytes, Mapping[str, Any]]) -> "Verification":
        """Rebuild a verification from :meth:`to_json`'s dict or its JSON text.

        Raises ValueError, saying why, for anything else: text that is not JSON, JSON that
        is not an object, or an object whose parts are not the shapes :meth:`to_json`
        writes. A remote service's answer is input, so it is checked, not asserted.
        """
        if isinstance(data, (str, bytes)):
            data = json.loads(data)  # json.JSONDecodeError is a ValueError
        if not isinstance(data, Mapping):
            raise ValueError(
                f"not a verification: a JSON object was expected, got {type(data).__name__}: "
                f"{data!r:.200}")
        try:
            return cls(
                tuple(MissingInteraction.from_json(m) for m in data.get("missing") or ()),
                tuple(UnexpectedRequest.from_json(u) for u in data.get("unexpected") or ()),
                tuple(MismatchedRequest.from_json(m) for m in data.get("mismatched") or ()),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a verification: {type(exc).__name__}: {exc}") from exc


def _describe_mismatched(item: MismatchedRequest) -> List[str]:
    line = item.request.line()
    if item.ambiguous:
        names = ", ".join(c.label() for c in item.candidates)
        return [f"  Mismatched: {line} matches {len(item.candidates)} interactions at once: "
                f"{names}; make them differ by request or register only one"]
    if len(item.candidates) == 1:
        cand = item.candidates[0]
        return [f"  Mismatched: {line} for {cand.label()}"] + [
            "    " + describe_mismatch(m) for m in cand.mismatches]
    lines = [f"  Mismatched: {line} (matches none of {len(item.candidates)} interactions)"]
    for cand in item.candidates:
        lines.append(f"    against {cand.label()}:")
        lines.extend("      " + describe_mismatch(m) for m in cand.mismatches)
    return lines

