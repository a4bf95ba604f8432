"""One verification run as the command line and pact-python v2's ``Verifier`` describe it:
options in, pacts gathered (files, directories, URLs, a broker), verified, reported, results
published, exit code out.

Both front ends (:mod:`.cli` and :mod:`.v2`) build a :class:`RunOptions` and call
:func:`run`, so ``pact-verifier ...`` and ``Verifier(...).verify_pacts(...)`` behave alike.
"""
from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, TextIO, Tuple
from urllib.parse import urlsplit

from ..broker import BrokerClient, BrokerError
from .broker_pacts import ProviderVersionRecorder, pacts_for_verification, publish_results, \
    selectors_from_tags
from .engine import ProviderVerifier
from .report import progress_line, render_json, render_junit, render_text
from .results import VerificationReport
from .sources import PactSource, PactSourceError, load_pacts
from .states import StateChangeUrl, StateSetup

__all__ = ["RunOptions", "run", "parse_header"]

logger = logging.getLogger("pact_unittest.verifier")

#: A run with more interactions than this prints a progress line per interaction.
PROGRESS_FROM = 20


@dataclass
class RunOptions:
    provider: str
    provider_base_url: Any
    pacts: List[str] = field(default_factory=list)
    broker_url: Optional[str] = None
    broker_username: Optional[str] = None
    broker_password: Optional[str] = None
    broker_token: Optional[str] = None
    consumer_selectors: List[Dict[str, Any]] = field(default_factory=list)
    consumer_tags: List[str] = field(default_factory=list)
    provider_tags: List[str] = field(default_factory=list)
    provider_version_branch: Optional[str] = None
    provider_app_version: Optional[str] = None
    publish: bool = False
    enable_pending: bool = False
    include_wip_pacts_since: Optional[str] = None
    states_setup_url: Optional[str] = None
    state_change_style: str = "ruby"
    states: Optional[StateSetup] = None
    headers: Dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    verbose: bool = False
    log_dir: Optional[str] = None
    log_level: Optional[str] = None
    json_report: Optional[str] = None
    junit_report: Optional[str] = None
    consumers: List[str] = field(default_factory=list)
    description: Optional[str] = None
    state: Optional[str] = None
    build_url: Optional[str] = None
    request_filter: Optional[Callable[..., Any]] = None
    #: Message producers by description or provider state (see verifier.messages).
    messages: Optional[Dict[str, Callable[..., Any]]] = None


def parse_header(text: str) -> Tuple[str, str]:
    """``"Authorization: Basic xyz"`` -> ``("Authorization", "Basic xyz")``."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise ValueError(f"custom provider header {text!r} is not of the form 'Name: value'")
    return name.strip(), value.strip()


def run(options: RunOptions, out: TextIO = sys.stdout) -> Tuple[int, VerificationReport, str]:
    """Run the verification; returns ``(exit_code, report, text)`` (the text also went to ``out``)."""
    lines: List[str] = []

    def say(text: str) -> None:
        lines.append(text)
        out.write(text + "\n")
        out.flush()

    level = getattr(logging, str(options.log_level or "").upper(), None)
    if isinstance(level, int):
        logger.setLevel(level)
    report = VerificationReport(options.provider)
    client: Optional[BrokerClient] = None
    links: Dict[str, Any] = {}
    try:
        sources, client = _gather(options, say, links)
    except (PactSourceError, BrokerError, ValueError) as exc:
        report.errors.append(_redacted(client, str(exc)))
        sources = []
    verifier = None
    if not report.errors:
        try:
            verifier = _verifier(options, sources, say)
        except ValueError as exc:
            report.errors.append(str(exc))
    if verifier is not None:
        try:
            for source in sources:
                for notice in source.notices:
                    say(notice)
                report.pacts.append(verifier.verify_pact(source))
        finally:
            verifier.close()
        published = _publish(options, client, report, say, links or None) \
            if options.publish else set()
        for source, pact in zip(sources, report.pacts):
            key = (f"after_verification:success_{str(pact.ok).lower()}_published_"
                   f"{str(id(pact) in published).lower()}")
            if source.after_notices.get(key):
                say(source.after_notices[key])
    text = render_text(report)
    for line in text.splitlines():
        say(line)
    _write_reports(options, report, "\n".join(lines) + "\n")
    if client is not None:
        client.close()
    return report.exit_code, report, "\n".join(lines) + "\n"


def _redacted(client: Optional[BrokerClient], text: str) -> str:
    return client.redact(text) if client is not None else text


def _gather(options: RunOptions, say: Callable[[str], None], links: Dict[str, Any]
            ) -> Tuple[List[PactSource], Optional[BrokerClient]]:
    """The pacts to verify and the broker client (``links`` gets the broker's index links)."""
    sources: List[PactSource] = []
    auth: Any = options.broker_token or (
        (options.broker_username or "", options.broker_password or "")
        if options.broker_username else None)
    if options.pacts:
        sources.extend(load_pacts(options.pacts, auth=auth, timeout=options.timeout))
    client = None
    if options.broker_url and (not options.pacts or options.publish):
        client = BrokerClient(options.broker_url, options.broker_username,
                              options.broker_password, options.broker_token)
    if client is None and options.publish:
        origin = next((_origin(s.publish_url) for s in sources if s.publish_url), None)
        if origin:   # pacts given by their broker URLs: publish to that broker
            client = BrokerClient(origin, options.broker_username, options.broker_password,
                                  options.broker_token)
    if client is not None and not options.pacts:
        links.update(client.index().json["_links"])
        selectors = list(options.consumer_selectors) + selectors_from_tags(options.consumer_tags)
        sources.extend(pacts_for_verification(
            client, options.provider, selectors=selectors,
            include_pending=options.enable_pending,
            include_wip_pacts_since=options.include_wip_pacts_since,
            provider_version_branch=options.provider_version_branch,
            provider_tags=options.provider_tags, say=say, links=links))
    if not options.enable_pending:
        for source in sources:   # without --enable-pending a pending pact fails the run
            source.pending = False
    if not sources:
        raise PactSourceError("no pacts to verify: give pact files, directories or URLs, "
                              "or a Pact Broker with pacts for this provider")
    return sources, client


def _origin(url: Optional[str]) -> Optional[str]:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _verifier(options: RunOptions, sources: List[PactSource], say: Callable[[str], None]
              ) -> ProviderVerifier:
    states = options.states
    if states is None and options.states_setup_url:
        states = StateChangeUrl(options.states_setup_url, style=options.state_change_style,
                                headers=options.headers, timeout=options.timeout)
    total = sum(len(s.document.get("interactions") or []) + len(s.document.get("messages") or [])
                for s in sources)
    progress = (lambda result: say(progress_line(result))) \
        if options.verbose or total > PROGRESS_FROM else None
    return ProviderVerifier(
        options.provider, options.provider_base_url, states=states, headers=options.headers,
        request_filter=options.request_filter, timeout=options.timeout,
        consumers=options.consumers or None, description=options.description,
        state=options.state, progress=progress, messages=options.messages)


def _publish(options: RunOptions, client: Optional[BrokerClient], report: VerificationReport,
             say: Callable[[str], None], links: Optional[Dict[str, Any]]) -> Set[int]:
    """Publish each complete pact's results; the ids of the pacts published."""
    published: Set[int] = set()
    if client is None:
        say("Not publishing verification results: no Pact Broker URL given")
        return published
    if not options.provider_app_version:
        report.errors.append("publishing verification results needs the provider "
                             "application version (--provider-app-version)")
        return published
    recorder = ProviderVersionRecorder(client, options.provider, options.provider_app_version,
                                       options.provider_version_branch, options.provider_tags,
                                       say=say, links=links)
    for pact in report.pacts:
        try:
            if publish_results(client, pact, options.provider_app_version, recorder=recorder,
                               build_url=options.build_url, say=say):
                published.add(id(pact))
        except BrokerError as exc:
            report.errors.append(f"publishing the results for {pact.consumer} failed: "
                                 f"{client.redact(str(exc))}")
    return published


def _write_reports(options: RunOptions, report: VerificationReport, log: str) -> None:
    if options.json_report:
        Path(options.json_report).write_text(render_json(report), encoding="utf-8")
    if options.junit_report:
        Path(options.junit_report).write_text(render_junit(report), encoding="utf-8")
    if options.log_dir:
        os.makedirs(options.log_dir, exist_ok=True)
        with open(os.path.join(options.log_dir, "pact.log"), "a", encoding="utf-8") as handle:
            handle.write(log)
