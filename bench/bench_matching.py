#!/usr/bin/env python3
"""Benchmark: match 0.25 / 0.5 / 1 / 2 MB JSON bodies against a contract with 100 rules.

Run by hand from the project root (not in CI):  .venv/bin/python bench/bench_matching.py
Parsing is excluded (the mock service parses once anyway); each size is timed as the best
of several runs. Target (issue 2): under 100 ms for 1 MB, cost linear in the size (the
ms-per-MB column should stay flat).
"""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pact_unittest.matching import match_response  # noqa: E402


def _item(i: int) -> dict:
    return {
        "id": i,
        "name": f"user number {i}",
        "email": f"user{i}@example.com",
        "active": i % 2 == 0,
        "score": i * 1.5,
        "created": "2024-01-%02dT10:20:30" % (i % 28 + 1),
        "tags": ["a", "b"],
        "address": {"street": f"{i} Main St", "zip": "12345"},
    }


def contract() -> dict:
    """100 rules: the ones the items need, plus 88 on paths elsewhere in the body."""
    rules = {
        "$.items": {"matchers": [{"match": "type", "min": 1}]},
        "$.items[*].id": {"matchers": [{"match": "integer"}]},
        "$.items[*].name": {"matchers": [{"match": "type"}]},
        "$.items[*].email": {"matchers": [{"match": "regex", "regex": r"[^@]+@[^@]+\.com"}]},
        "$.items[*].active": {"matchers": [{"match": "boolean"}]},
        "$.items[*].score": {"matchers": [{"match": "number"}]},
        "$.items[*].created": {"matchers": [{"match": "timestamp",
                                             "timestamp": "yyyy-MM-dd'T'HH:mm:ss"}]},
        "$.items[*].tags": {"matchers": [{"match": "type", "min": 0}]},
        "$.items[*].address": {"matchers": [{"match": "type"}]},
        "$.items[*].address.zip": {"matchers": [{"match": "regex", "regex": r"\d{5}"}]},
        "$.meta.count": {"matchers": [{"match": "integer"}]},
        "$.meta.next": {"matchers": [{"match": "type"}]},
    }
    for i in range(88):
        rules[f"$.meta.extra{i}"] = {"matchers": [{"match": "type"}]}
    assert len(rules) == 100
    return {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"items": [_item(1)], "meta": {"count": 1, "next": "/page/2"}},
        "matchingRules": {"body": rules},
    }


def actual(size_bytes: int) -> dict:
    items = []
    total = 0
    i = 0
    while total < size_bytes:
        item = _item(i)
        total += len(json.dumps(item)) + 1
        items.append(item)
        i += 1
    return {"status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"items": items, "meta": {"count": len(items), "next": "/page/2"}}}


def best_of(func, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    expected = contract()
    print(f"{'size':>8} {'nodes':>8} {'ms':>8} {'ms/MB':>8}")
    per_mb = {}
    for mb in (0.25, 0.5, 1.0, 2.0):
        act = actual(int(mb * 1024 * 1024))
        result = match_response(expected, act, "3.0.0")
        assert result == [], result[:3]
        nodes = len(act["body"]["items"]) * 13
        seconds = best_of(lambda: match_response(expected, act, "3.0.0"))
        per_mb[mb] = seconds * 1000 / mb
        print(f"{mb:>6} MB {nodes:>8} {seconds * 1000:>8.1f} {per_mb[mb]:>8.1f}")
    plain = actual(1024 * 1024)
    same = json.loads(json.dumps(plain))
    seconds = best_of(lambda: match_response(plain, same, "2.0.0"))
    print(f"1 MB, no rules, equal bodies (fast path): {seconds * 1000:.1f} ms")
    changed = json.loads(json.dumps(plain))
    changed["body"]["items"][-1]["id"] = "x"
    seconds = best_of(lambda: match_response(plain, changed, "2.0.0"))
    print(f"1 MB, no rules, one difference at the end (full walk): {seconds * 1000:.1f} ms")
    print(f"linearity (ms/MB at 2 MB / at 0.25 MB): {per_mb[2.0] / per_mb[0.25]:.2f}")
    print("target: 1 MB under 100 ms -> " + ("OK" if per_mb[1.0] < 100 else "MISSED"))


if __name__ == "__main__":
    main()
