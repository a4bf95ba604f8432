"""The Pact Broker side of verification: which pacts to verify, and the verdicts sent back.

:func:`pacts_for_verification` asks as the official verifiers ask: the index, then a POST to
``pb:provider-pacts-for-verification`` with the consumer version selectors, pending and WIP
options and the provider's branch and tags, then each pact by its link. A broker too old for
that relation is asked through ``pb:latest-provider-pacts`` (and ``-with-tag`` per tag), as
the Ruby verifier falls back. Each pact keeps the broker's notices, its pending/WIP status
and its ``pb:publish-verification-results`` link.

:func:`publish_results` sends one pact's verdict the way the Ruby verifier does: the provider
version created on its branch (PUT), tagged (PUT), then the results POSTed with Ruby's
``testResults`` body (one test per status, body and header check). Secrets never reach a
message: the broker client redacts them.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from .._version import __version__
from ..broker import BrokerClient
from ..broker.client import expand
from ..broker.errors import BrokerProtocolError
from ..matching import Mismatch
from .results import InteractionResult, PactResult
from .sources import PactSource, pact_from_document

__all__ = ["pacts_for_verification", "publish_results", "selectors_from_tags",
           "ProviderVersionRecorder", "results_body"]

logger = logging.getLogger("pact_unittest.verifier")

Say = Callable[[str], None]


def _href(links: Any, rel: str) -> Optional[str]:
    link = links.get(rel) if isinstance(links, Mapping) else None
    if isinstance(link, list):
        link = link[0] if link else None
    return link.get("href") if isinstance(link, Mapping) and isinstance(link.get("href"), str) \
        else None


def selectors_from_tags(tags: Sequence[str]) -> List[Dict[str, Any]]:
    """pact-python v2's ``consumer_tags`` as selectors: ``{"tag": t, "latest": true}`` each."""
    return [{"tag": tag, "latest": True} for tag in tags if tag]


def pacts_for_verification(
        client: BrokerClient, provider: str, *,
        selectors: Optional[Sequence[Mapping[str, Any]]] = None,
        include_pending: bool = False,
        include_wip_pacts_since: Optional[str] = None,
        provider_version_branch: Optional[str] = None,
        provider_tags: Optional[Sequence[str]] = None,
        say: Say = logger.info,
        links: Optional[Mapping[str, Any]] = None) -> List[PactSource]:
    """The pacts ``provider`` should verify, fetched from the broker ``client`` talks to
    (``links``: the broker index's ``_links``, when the caller has them already)."""
    if links is None:
        links = client.index().json["_links"]
    template = _href(links, "pb:provider-pacts-for-verification")
    if template is None:
        return _old_broker_pacts(client, links, provider, selectors or [], say)
    body: Dict[str, Any] = {"consumerVersionSelectors": [dict(s) for s in selectors or []],
                            "includePendingStatus": bool(include_pending)}
    if provider_tags:
        body["providerVersionTags"] = list(provider_tags)
    if provider_version_branch:
        body["providerVersionBranch"] = provider_version_branch
    if include_wip_pacts_since:
        body["includeWipPactsSince"] = include_wip_pacts_since
    url = expand(template, provider=provider)
    say(f"Fetching pacts for {provider} from {client.config.base_url}"
        + (f" with the selection criteria: {_describe(body['consumerVersionSelectors'])}"
           if selectors else ""))
    reply = client.request("POST", url, json_body=body)
    entries = (reply.json or {}).get("_embedded", {}).get("pacts") if isinstance(reply.json, dict) else None
    if not isinstance(entries, list):
        raise BrokerProtocolError(f"POST {url} did not answer a list of pacts (_embedded.pacts)",
                                  status=reply.status, url=reply.url, method="POST")
    out: List[PactSource] = []
    for entry in entries:
        href = _href(entry.get("_links"), "self") if isinstance(entry, Mapping) else None
        if href is None:
            raise BrokerProtocolError(f"POST {url}: a pact without a self link: {entry!r}",
                                      status=reply.status, url=reply.url, method="POST")
        props = entry.get("verificationProperties") or {}
        notices = [n for n in props.get("notices") or [] if isinstance(n, Mapping)]
        out.append(_fetch(client, href, say, pending=props.get("pending") is True,
                          wip=props.get("wip") is True, notices=notices))
    return out


def _describe(selectors: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for selector in selectors:
        parts.append(", ".join(f"{k}={v}" for k, v in selector.items()))
    return "; ".join(parts) or "the broker's default"


def _fetch(client: BrokerClient, href: str, say: Say, **details: Any) -> PactSource:
    say(f"Reading pact at {href}")
    reply = client.request("GET", href, accept="application/hal+json, application/json")
    document = reply.json
    source = pact_from_document(document, href)
    source.pending, source.wip = details.get("pending", False), details.get("wip", False)
    notices = details.get("notices") or []
    source.notices = [str(n.get("text")) for n in notices
                      if str(n.get("when", "before_verification")) == "before_verification"]
    source.after_notices = {str(n.get("when")): str(n.get("text")) for n in notices
                            if str(n.get("when", "")).startswith("after_verification")}
    return source


def _old_broker_pacts(client: BrokerClient, links: Mapping[str, Any], provider: str,
                      selectors: Sequence[Mapping[str, Any]], say: Say) -> List[PactSource]:
    """Brokers before pacts-for-verification: latest pacts, or latest per tag."""
    tags = [str(s["tag"]) for s in selectors if s.get("tag")]
    urls: List[str] = []
    if tags:
        template = _href(links, "pb:latest-provider-pacts-with-tag")
        if template is None:
            raise BrokerProtocolError("the broker offers neither pacts-for-verification nor "
                                      "latest-provider-pacts-with-tag", url=client.config.base_url)
        urls = [expand(template, provider=provider, tag=tag) for tag in tags]
    else:
        template = _href(links, "pb:latest-provider-pacts")
        if template is None:
            raise BrokerProtocolError("the broker offers neither pacts-for-verification nor "
                                      "latest-provider-pacts", url=client.config.base_url)
        urls = [expand(template, provider=provider)]
    out: List[PactSource] = []
    for url in urls:
        reply = client.request("GET", url)
        for link in (reply.json or {}).get("_links", {}).get("pb:pacts") or []:
            if isinstance(link, Mapping) and isinstance(link.get("href"), str):
                out.append(_fetch(client, link["href"], say))
    return out


class ProviderVersionRecorder:
    """Creates the provider version on its branch and tags it, once per run."""

    def __init__(self, client: BrokerClient, provider: str, version: str,
                 branch: Optional[str] = None, tags: Sequence[str] = (), say: Say = logger.info,
                 links: Optional[Mapping[str, Any]] = None):
        self.client, self.provider, self.version = client, provider, version
        self.branch, self.tags, self.say = branch, list(tags), say
        self.links = links
        self.done = False

    def record(self) -> None:
        if self.done:
            return
        self.done = True
        if not self.branch and not self.tags:
            return
        links = self.links if self.links is not None else self.client.index().json["_links"]
        template = _href(links, "pb:pacticipant")
        pacticipant = self.client.request("GET", expand(template or "", pacticipant=self.provider)).json \
            if template else None
        plinks = pacticipant.get("_links", {}) if isinstance(pacticipant, dict) else {}
        base = self.client.config.base_url
        if self.branch:
            branch_template = _href(plinks, "pb:branch-version") or \
                f"{base}/pacticipants/{{pacticipant}}/branches/{{branch}}/versions/{{version}}"
            self.say(f'Creating {self.provider} version {self.version} with branch "{self.branch}"')
            self.client.request("PUT", expand(branch_template, pacticipant=self.provider,
                                              branch=self.branch, version=self.version), json_body={})
        tag_template = _href(plinks, "pb:version-tag") or \
            f"{base}/pacticipants/{{pacticipant}}/versions/{{version}}/tags/{{tag}}"
        for tag in self.tags:
            self.say(f'Tagging version {self.version} of {self.provider} as "{tag}"')
            self.client.request("PUT", expand(tag_template, pacticipant=self.provider,
                                              version=self.version, tag=tag), json_body={})


def publish_results(client: BrokerClient, pact: PactResult, provider_version: str, *,
                    recorder: Optional[ProviderVersionRecorder] = None,
                    build_url: Optional[str] = None, say: Say = logger.info) -> Optional[str]:
    """Send ``pact``'s verdict to its ``pb:publish-verification-results`` link.

    Only a pact every interaction of which ran is published (a filtered run proves nothing
    about the others). Returns the URL of the published result, or None when not published.
    """
    if not pact.publish_url:
        say(f"Not publishing results for the pact with {pact.consumer}: it did not come "
            "from a broker (no pb:publish-verification-results link)")
        return None
    if not pact.complete:
        say(f"Not publishing results for the pact with {pact.consumer}: not every "
            "interaction was verified (a filter was applied)")
        return None
    if recorder is not None:
        recorder.record()
    body = results_body(pact, provider_version, build_url)
    reply = client.request("POST", pact.publish_url, json_body=body,
                           accept="application/hal+json, */*")
    location = _href(reply.json, "self") if isinstance(reply.json, dict) else None
    say(f"Verification results published to {location or pact.publish_url}")
    return location or pact.publish_url


def results_body(pact: PactResult, provider_version: str,
                 build_url: Optional[str] = None) -> Dict[str, Any]:
    """The results body the Ruby verifier POSTs (its beta ``testResults`` format)."""
    tests: List[Dict[str, Any]] = []
    for result in pact.results:
        tests.extend(_tests_of(pact, result))
    failures = sum(1 for t in tests if t["status"] == "failed")
    return {
        "success": pact.ok,
        "providerApplicationVersion": provider_version,
        "testResults": {
            "tests": tests,
            "summary": {"testCount": len(tests), "failureCount": failures},
            "metadata": {
                "warning": "These test results use a beta format. Do not rely on it, as it "
                           "will definitely change.",
                "pactVerificationResultsSpecification": {"version": "1.0.0-beta.1"}},
        },
        "buildUrl": build_url,
        # Who verified, as the Rust and JVM verifiers say it (the broker shows it with the
        # result; the compatibility suite's broker fixture requires it).
        "verifiedBy": {"implementation": "pact_unittest", "version": __version__},
    }


def _tests_of(pact: PactResult, result: InteractionResult) -> List[Dict[str, Any]]:
    prefix = f"Verifying a pact between {pact.consumer} and {result.provider}"
    prefix += " [PENDING]" if pact.pending else ""
    given = (" Given " + " and ".join(result.states)) if result.states else ""
    head = f"{prefix}{given} {result.description}"
    common: Dict[str, Any] = {"interactionDescription": result.description}
    if result.states:
        common["interactionProviderState"] = result.states[0]
    if result.interaction_id:
        common["interactionId"] = result.interaction_id
    if result.errors:
        return [{"testDescription": category, "testFullDescription": f"{head} {category}",
                 "status": "failed", **common,
                 "exception": {"class": "PactUnittest::VerificationError", "message": text}}
                for category, text in result.errors]
    by_kind: Dict[str, List[Mismatch]] = {}
    for mismatch in result.mismatches:
        by_kind.setdefault(mismatch.kind, []).append(mismatch)
    expected = result.expected or {}
    actual = result.actual or {}
    tests = [_test(f"has status code {expected.get('status', 200)}", head, common,
                   by_kind.get("status"), actualStatus=actual.get("status"))]
    if "body" in expected:
        tests.append(_test("has a matching body", head, common,
                           by_kind.get("body", []) + by_kind.get("body-content-type", []),
                           actualBody=actual.get("body")))
    for name, value in (expected.get("headers") or {}).items():
        problems = [m for m in by_kind.get("header", []) if m.path.lower() == str(name).lower()]
        tests.append(_test(f'"{name}" which equals "{value}"', head, common, problems,
                           actualHeaders=actual.get("headers")))
    return tests


def _test(what: str, head: str, common: Dict[str, Any], problems: Optional[List[Mismatch]],
          **actual: Any) -> Dict[str, Any]:
    test: Dict[str, Any] = {"testDescription": what, "testFullDescription": f"{head} {what}",
                            "status": "failed" if problems else "passed", **common, **actual}
    if problems:
        test["differences"] = [{"description": m.message} for m in problems]
    return test
