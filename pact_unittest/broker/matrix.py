"""``can-i-deploy`` / ``can-i-merge``: the matrix query as the Ruby CLI sends it, polling
while results are unknown, and the verdict.

The query is ``GET {base}/matrix`` with Rails-style selector parameters, built exactly as
pact_broker-client 1.75 builds them (``q[][pacticipant]``, ``q[][version]``,
``q[][latest]``, ``q[][tag]``, ``q[][branch]``, ``q[][mainBranch]``, then ``latestby``
(``cvp`` for one selector, ``cvpv`` for several), ``environment`` or ``latest``/``tag``,
``ignore[][...]``). The verdict is the broker's ``summary.deployable``: only ``true``
passes; ``false`` and ``null`` (unknown) fail, whatever the output format.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO, Tuple

from .hal import Hal


@dataclass
class Selector:
    """One ``--pacticipant`` (or ``--ignore``) and what picks its version."""

    pacticipant: Optional[str] = None
    version: Optional[str] = None
    latest: bool = False
    tag: Optional[str] = None
    branch: Optional[str] = None
    main_branch: bool = False
    ignore: bool = False

    def has_version(self) -> bool:
        return bool(self.version or self.latest or self.tag or self.branch)

    def params(self, prefix: str) -> List[Tuple[str, str]]:
        out = [(f"{prefix}[][pacticipant]", self.pacticipant or "")]
        if self.version:
            out.append((f"{prefix}[][version]", self.version))
        if self.latest:
            out.append((f"{prefix}[][latest]", "true"))
        if self.tag:
            out.append((f"{prefix}[][tag]", self.tag))
        if self.branch:
            out.append((f"{prefix}[][branch]", self.branch))
        if self.main_branch:
            out.append((f"{prefix}[][mainBranch]", "true"))
        return out


def matrix_query(selectors: Sequence[Selector], *, to_tag: Optional[str] = None,
                 to_environment: Optional[str] = None, with_main_branches: bool = False,
                 ignore: Sequence[Selector] = (), limit: Optional[str] = None
                 ) -> List[Tuple[str, str]]:
    """The query pairs, in the Ruby CLI's order."""
    pairs: List[Tuple[str, str]] = []
    for selector in selectors:
        pairs.extend(selector.params("q"))
    pairs.append(("latestby", "cvp" if len(selectors) == 1 else "cvpv"))
    if limit:
        pairs.append(("limit", limit))
    if to_environment:
        pairs.append(("environment", to_environment))
    if to_tag:
        pairs += [("latest", "true"), ("tag", to_tag)]
    elif with_main_branches:
        pairs += [("latest", "true"), ("mainBranch", "true")]
    elif len(selectors) == 1 and not to_environment:
        pairs.append(("latest", "true"))
    for selector in ignore:
        pairs.extend(selector.params("ignore"))
    return pairs


@dataclass
class Matrix:
    """The broker's matrix answer."""

    data: Dict[str, Any]

    @property
    def summary(self) -> Dict[str, Any]:
        summary = self.data.get("summary")
        return summary if isinstance(summary, dict) else {}

    @property
    def deployable(self) -> bool:
        return self.summary.get("deployable") is True

    @property
    def unknown(self) -> Optional[int]:
        value = self.summary.get("unknown")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def reason(self) -> str:
        return str(self.summary.get("reason") or "")

    @property
    def notices(self) -> Optional[List[Dict[str, Any]]]:
        notices = self.data.get("notices")
        return [n for n in notices if isinstance(n, dict)] if isinstance(notices, list) else None

    @property
    def rows(self) -> List[Dict[str, Any]]:
        rows = self.data.get("matrix")
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def fetch_matrix(hal: Hal, query: Sequence[Tuple[str, str]]) -> Matrix:
    resource = hal.get(hal.path("matrix"), list(query),
                       missing=f"No matrix resource at {hal.base_url}/matrix: upgrade the "
                               "Pact Broker, or check the base URL")
    return Matrix(resource.data)


def poll_matrix(hal: Hal, query: Sequence[Tuple[str, str]], *, retry_while_unknown: int = 0,
                retry_interval: float = 10, sleep: Callable[[float], None] = time.sleep,
                err: Optional[TextIO] = None) -> Matrix:
    """Fetch; while results are unknown, fetch again up to ``retry_while_unknown`` times,
    ``retry_interval`` seconds apart (the first wait comes before the first retry), as
    the Ruby CLI does. Says on ``err`` that it is waiting."""
    matrix = fetch_matrix(hal, query)
    if retry_while_unknown <= 0:
        return matrix
    if matrix.unknown is None:
        raise ValueError("This version of the Pact Broker does not provide a count of the unknown "
                         "verification results. Please upgrade your Broker to >= v2.23.4")
    if not matrix.unknown:
        return matrix
    if err is not None:
        plural = "result" if matrix.unknown == 1 else "results"
        print(f"Waiting for {matrix.unknown} verification {plural} to be published (maximum of "
              f"{_seconds(retry_interval * retry_while_unknown)} seconds)", file=err)
    for attempt in range(retry_while_unknown):
        sleep(retry_interval)
        matrix = fetch_matrix(hal, query)
        if not matrix.unknown:
            break
    return matrix


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
