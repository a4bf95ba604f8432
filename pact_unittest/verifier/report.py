"""A verification report for people and for machines: a readable summary, JSON, JUnit XML.

The summary reads like the official verifiers' output, per consumer and per interaction
(passed / FAILED / pending), each failure under its heading with every mismatch; the JUnit
XML is what CI servers show as a test report (one testcase per interaction, a failure per
broken one, pending ones as skipped with the reason).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List
from xml.etree import ElementTree

from .results import InteractionResult, VerificationReport

__all__ = ["render_text", "render_json", "render_junit", "report_json", "progress_line"]

_MARK = {"passed": "OK", "failed": "FAILED", "pending": "FAILED (pending)", "skipped": "SKIPPED"}


def progress_line(result: InteractionResult) -> str:
    """One line for a long run: ``FAILED  Consumer: 'desc' (given 'state')  12.3 ms``."""
    return (f"{_MARK[result.status]:<17} {result.consumer}: {result.label()}  "
            f"{result.duration * 1000:.1f} ms")


def render_text(report: VerificationReport) -> str:
    """The readable summary, ending with the counts and the verdict."""
    lines: List[str] = []
    for error in report.errors:
        lines.append(f"ERROR: {error}")
    for warning in report.warnings:
        lines.append(f"WARNING: {warning}")
    for pact in report.pacts:
        flags = " [pending]" if pact.pending else ""
        flags += " [WIP]" if pact.wip else ""
        lines.append(f"Verifying a pact between {pact.consumer} and {report.provider}{flags}")
        lines.append(f"  from {pact.origin}")
        for notice in pact.notices:
            lines.append(f"  {notice}")
        for result in pact.results:
            lines.append(f"  {result.label()} ... {_MARK[result.status]}")
            if result.request_line:
                lines.append(f"    {result.request_line}" + (
                    f" -> {result.response_status}" if result.response_status is not None else ""))
            if result.skipped is not None:
                lines.append(f"    ({result.skipped})")
            comments = result.comments or {}
            texts = comments.get("text")
            for text in texts if isinstance(texts, list) else []:
                lines.append(f"    comment: {text}")
            if comments.get("testname"):
                lines.append(f"    test name: {comments['testname']}")
            for warning in result.warnings:
                lines.append(f"    WARNING: {warning}")
            for line in result.problems():
                lines.append("    " + line)
        lines.append("")
    counts = report.counts()
    failing = report.failures()
    if failing:
        lines.append("Failures:")
        for number, result in enumerate(failing, 1):
            lines.append(f"  {number}) {result.consumer}: {result.label()}")
            lines.extend("      " + line for line in result.problems())
        lines.append("")
    lines.append(", ".join(f"{n} {k}" for k, n in counts.items() if n or k in ("passed", "failed"))
                 + f" -- {'verification succeeded' if report.success else 'verification FAILED'}")
    return "\n".join(lines) + "\n"


def report_json(report: VerificationReport) -> Dict[str, Any]:
    return {
        "provider": report.provider,
        "success": report.success,
        "exitCode": report.exit_code,
        "counts": report.counts(),
        "errors": list(report.errors),
        "warnings": list(report.warnings),
        "pacts": [{
            "consumer": pact.consumer, "origin": pact.origin, "pending": pact.pending,
            "wip": pact.wip, "notices": list(pact.notices), "success": pact.ok,
            "interactions": [result.to_json() for result in pact.results],
        } for pact in report.pacts],
    }


def render_json(report: VerificationReport) -> str:
    return json.dumps(report_json(report), indent=2, sort_keys=False) + "\n"


def render_junit(report: VerificationReport) -> str:
    """JUnit XML: a testsuite per pact, a testcase per interaction."""
    suites = ElementTree.Element("testsuites", name=f"Pact verification of {report.provider}")
    for pact in report.pacts:
        counts = {"failed": 0, "skipped": 0}
        suite = ElementTree.SubElement(suites, "testsuite", name=f"{pact.consumer} -> {report.provider}")
        for result in pact.results:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"{pact.consumer}.{report.provider}",
                name=result.label(), time=f"{result.duration:.6f}")
            if result.status == "failed":
                counts["failed"] += 1
                failure = ElementTree.SubElement(case, "failure", message=(result.problems() or [""])[0])
                failure.text = "\n".join(result.problems())
            elif result.status in ("pending", "skipped"):
                counts["skipped"] += 1
                reason = result.skipped or "pending pact: " + "; ".join(result.problems())
                ElementTree.SubElement(case, "skipped", message=reason)
        suite.set("tests", str(len(pact.results)))
        suite.set("failures", str(counts["failed"]))
        suite.set("skipped", str(counts["skipped"]))
        suite.set("errors", "0")
    for error in report.errors:
        suite = ElementTree.SubElement(suites, "testsuite", name="verification", tests="1",
                                       failures="0", errors="1", skipped="0")
        case = ElementTree.SubElement(suite, "testcase", classname="verification", name="setup")
        ElementTree.SubElement(case, "error", message=error).text = error
    return ElementTree.tostring(suites, encoding="unicode") + "\n"
