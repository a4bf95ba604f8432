"""What a verification found: one :class:`InteractionResult` per interaction, gathered per
pact into a :class:`VerificationReport`.

Failures are grouped under the headings the Rust verifier (and the compatibility suite) use
-- "Response status did not match", "Headers had differences", "Body had differences",
"State change request failed", "Request to provider failed" -- so a reader who knows either
official verifier finds the same words. Each mismatch keeps its JSON path, expected and
actual. Everything here pickles (the provider TestCase's failures cross Django's
``--parallel`` processes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from ..matching import Mismatch

__all__ = ["InteractionResult", "PactResult", "VerificationReport", "CATEGORIES", "category_of",
           "STATE_FAILED", "REQUEST_FAILED", "NOT_READABLE", "MESSAGE_FAILED"]

STATE_FAILED = "State change request failed"
REQUEST_FAILED = "Request to provider failed"
NOT_READABLE = "Interaction could not be read"
MESSAGE_FAILED = "Message could not be produced"
CATEGORIES = {
    "status": "Response status did not match",
    "header": "Headers had differences",
    "body": "Body had differences",
    "body-content-type": "Body had differences",
    "metadata": "Metadata had differences",
}


def category_of(mismatch: Mismatch) -> str:
    return CATEGORIES.get(mismatch.kind, "Response had differences")


@dataclass
class InteractionResult:
    """The verdict on one interaction (``status``: passed, failed, pending, skipped)."""

    consumer: str
    provider: str
    description: str
    states: List[str]
    origin: str
    mismatches: List[Mismatch] = field(default_factory=list)
    #: Failures that are not response mismatches: ``(category, text)``.
    errors: List[Any] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    pending: bool = False
    skipped: Optional[str] = None
    interaction_id: Optional[str] = None
    duration: float = 0.0
    comments: Optional[Dict[str, Any]] = None
    #: What was sent and received, for reports (method, target, status).
    request_line: str = ""
    response_status: Optional[int] = None
    #: The pact's expected response and what the provider answered, in the engine's form
    #: (for the results a broker is sent).
    expected: Optional[Dict[str, Any]] = field(default=None, repr=False)
    actual: Optional[Dict[str, Any]] = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.errors

    @property
    def status(self) -> str:
        if self.skipped is not None:
            return "skipped"
        if self.ok:
            return "passed"
        return "pending" if self.pending else "failed"

    @property
    def failing(self) -> bool:
        """Whether this result fails the run (a pending interaction never does)."""
        return self.status == "failed"

    def label(self) -> str:
        text = repr(self.description)
        if self.states:
            text += " (given " + ", ".join(repr(s) for s in self.states) + ")"
        return text

    def problems(self) -> List[str]:
        """Every failure as lines: a heading per category, then its items."""
        groups: Dict[str, List[str]] = {}
        for category, text in self.errors:
            groups.setdefault(category, []).append(text)
        for mismatch in self.mismatches:
            groups.setdefault(category_of(mismatch), []).append(mismatch.message)
        lines: List[str] = []
        for category, items in groups.items():
            lines.append(category)
            lines.extend("  " + item for item in items)
        return lines

    def to_json(self) -> Dict[str, Any]:
        return {
            "consumer": self.consumer, "description": self.description,
            "providerStates": self.states, "status": self.status, "pending": self.pending,
            "interactionId": self.interaction_id, "durationMs": round(self.duration * 1000, 3),
            "request": self.request_line, "responseStatus": self.response_status,
            "errors": [{"category": c, "message": t} for c, t in self.errors],
            "mismatches": [{"category": category_of(m), "kind": m.kind, "path": m.path,
                            "expected": _jsonable(m.expected), "actual": _jsonable(m.actual),
                            "message": m.message} for m in self.mismatches],
            "warnings": list(self.warnings),
            **({"skipped": self.skipped} if self.skipped is not None else {}),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return repr(value)


@dataclass
class PactResult:
    """The results of one pact (one consumer's contract, from one place)."""

    consumer: str
    provider: str
    origin: str
    pending: bool = False
    wip: bool = False
    notices: List[str] = field(default_factory=list)
    results: List[InteractionResult] = field(default_factory=list)
    publish_url: Optional[str] = None

    @property
    def complete(self) -> bool:
        """Every interaction of the pact ran (so its results may be published)."""
        return bool(self.results) and all(r.skipped is None for r in self.results)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results if r.skipped is None)


@dataclass
class VerificationReport:
    provider: str
    pacts: List[PactResult] = field(default_factory=list)
    #: Errors that stopped the run before or outside any interaction (exit code 2).
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    @property
    def results(self) -> List[InteractionResult]:
        return [r for pact in self.pacts for r in pact.results]

    @property
    def success(self) -> bool:
        return not self.errors and not any(r.failing for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 verified, 1 a contract is broken, 2 the verification could not run (as Rust)."""
        if self.errors:
            return 2
        return 0 if self.success else 1

    def counts(self) -> Dict[str, int]:
        out = {"passed": 0, "failed": 0, "pending": 0, "skipped": 0}
        for result in self.results:
            out[result.status] += 1
        return out

    def failures(self) -> Sequence[InteractionResult]:
        return [r for r in self.results if r.failing]
