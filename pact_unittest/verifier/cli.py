"""``pact-verifier`` / ``python -m pact_unittest verify``: pact-python v2's command, in Python.

Every flag of pact-python 2.3.3's ``pact-verifier`` (``pact/cli/verify.py``), with its
environment variables, messages and exit codes: 0 verified, 1 a contract is broken or v2's
own argument checks refused (``Error: ...`` then ``Aborted!``), 2 a usage error or a
verification that could not run (an unreadable pact, a broker failure: the Rust CLI's 2).
Ours besides: ``--json FILE`` and ``--junit FILE`` reports, ``--state-change-style
ruby|rust``, ``--filter-consumer``, ``--filter-description``, ``--filter-state`` (or the
``PACT_DESCRIPTION``/``PACT_PROVIDER_STATE`` variables both official verifiers honour) and
``--build-url``.

pact-python installs a ``pact-verifier`` script too: with both installed, the one installed
last wins the name; ``python -m pact_unittest verify`` is always ours.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, NoReturn, Optional

from .run import RunOptions, parse_header, run

__all__ = ["main", "build_parser"]

DESCRIPTION = """Verify one or more contracts against a provider service.

Minimal example:

    pact-verifier --provider-base-url=http://localhost:8080 ./pacts"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:   # click's usage errors exit 2
        self.print_usage(sys.stderr)
        self.exit(2, f"Error: {message}\n")


def build_parser(prog: str = "pact-verifier") -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description=DESCRIPTION,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pacts", nargs="*", help="pact files, directories or URLs")
    p.add_argument("--provider-base-url", dest="base_url", required=True,
                   help="Base URL of the provider to verify against.")
    p.add_argument("--pact-url", action="append", default=[],
                   help="DEPRECATED: specify pacts as arguments instead.")
    p.add_argument("--pact-urls", action="append", default=[],
                   help="DEPRECATED: comma-separated pact URIs.")
    p.add_argument("--provider-states-url", dest="states_url", help="DEPRECATED, ignored.")
    p.add_argument("--provider-states-setup-url", dest="states_setup_url",
                   help="URL to send POST requests to setup a given provider state.")
    p.add_argument("--pact-broker-username", dest="username",
                   default=os.environ.get("PACT_BROKER_USERNAME"),
                   help="Pact Broker basic auth username (env PACT_BROKER_USERNAME).")
    p.add_argument("--pact-broker-url", dest="broker_base_url",
                   default=os.environ.get("PACT_BROKER_BASE_URL", ""),
                   help="Pact Broker base URL (env PACT_BROKER_BASE_URL).")
    p.add_argument("--consumer-version-tag", action="append", default=[],
                   help="Verify the latest pacts with this consumer version tag (repeatable).")
    p.add_argument("--consumer-version-selector", action="append", default=[],
                   help="A consumer version selector as JSON (repeatable).")
    p.add_argument("--provider-version-tag", action="append", default=[],
                   help="Tag to apply to the provider application version (repeatable).")
    p.add_argument("--provider-version-branch", default="",
                   help="The name of the branch the provider version belongs to.")
    p.add_argument("--pact-broker-password", dest="password",
                   default=os.environ.get("PACT_BROKER_PASSWORD"),
                   help="Pact Broker basic auth password (env PACT_BROKER_PASSWORD).")
    p.add_argument("--pact-broker-token", dest="token",
                   default=os.environ.get("PACT_BROKER_TOKEN"),
                   help="Pact Broker bearer token (env PACT_BROKER_TOKEN).")
    p.add_argument("--provider", default="", help="The provider's name (needed with a broker).")
    p.add_argument("--custom-provider-header", dest="headers", action="append", default=None,
                   help="'Name: value' header for state setup and verification requests "
                        "(repeatable; env CUSTOM_PROVIDER_HEADER, one per line).")
    p.add_argument("-t", "--timeout", type=int, default=30,
                   help="Seconds to wait for each answer from the provider (default 30).")
    p.add_argument("-a", "--provider-app-version",
                   help="The provider application version (needed to publish results).")
    p.add_argument("-r", "--publish-verification-results", action="store_true",
                   help="Publish verification results to the broker.")
    p.add_argument("--verbose", action="store_true", default=False, help="Verbose output.")
    p.add_argument("--no-verbose", dest="verbose", action="store_false")
    p.add_argument("--log-dir", help="The directory for the pact.log file.")
    p.add_argument("--log-level", help="The logging level.")
    p.add_argument("--enable-pending", action="store_true", default=False,
                   help="Pending pacts' failures do not fail the run.")
    p.add_argument("--no-enable-pending", dest="enable_pending", action="store_false")
    p.add_argument("--include-wip-pacts-since", default=None,
                   help="Include work-in-progress pacts created since this date.")
    ours = p.add_argument_group("pact_unittest's own options")
    ours.add_argument("--json", dest="json_report", metavar="FILE", help="Write a JSON report.")
    ours.add_argument("--junit", dest="junit_report", metavar="FILE",
                      help="Write a JUnit XML report.")
    ours.add_argument("--state-change-style", choices=("ruby", "rust"), default="ruby",
                      help="State setup URL protocol: ruby (default, v2's) or rust.")
    ours.add_argument("--filter-consumer", action="append", default=[],
                      help="Verify only the pacts of this consumer (repeatable).")
    ours.add_argument("--filter-description", help="Regex on interaction descriptions.")
    ours.add_argument("--filter-state", help="Regex on provider state names.")
    ours.add_argument("--build-url", help="CI build URL sent with published results.")
    return p


def _abort(message: str) -> int:
    print("Error: " + message)
    print("Aborted!", file=sys.stderr)
    return 1


def main(argv: Optional[List[str]] = None, prog: str = "pact-verifier") -> int:
    args = build_parser(prog).parse_args(argv)
    pacts = list(args.pacts) + list(args.pact_url)
    for urls in args.pact_urls:
        pacts.extend(p for p in urls.split(",") if p)
    if len(args.pact_urls) > 1:
        print("Warning: Multiple --pact-urls arguments are deprecated. Please provide a comma "
              "separated list of pacts to --pact-urls, or multiple --pact-url arguments.")
    if not pacts and (args.broker_base_url == "" or args.provider == ""):
        return _abort("You must supply at least one pact file or directory to verify OR a "
                      "Pact Broker and Provider.")
    missing = [p for p in pacts if not p.startswith(("http://", "https://"))
               and not os.path.exists(p)]
    if missing:
        return _abort("The following Pact files could not be found:\n" + "\n".join(missing))
    if args.publish_verification_results and not args.provider_app_version:
        return _abort("Provider application version is required to publish verification "
                      "results to broker")
    header_lines = args.headers if args.headers is not None else \
        [h for h in os.environ.get("CUSTOM_PROVIDER_HEADER", "").split("\n") if h.strip()]
    try:
        headers = dict(parse_header(h) for h in header_lines)
        selectors = [json.loads(s) for s in args.consumer_version_selector]
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    options = RunOptions(
        provider=args.provider or _provider_of(pacts), provider_base_url=args.base_url,
        pacts=pacts, broker_url=args.broker_base_url or None, broker_username=args.username,
        broker_password=args.password, broker_token=args.token, consumer_selectors=selectors,
        consumer_tags=args.consumer_version_tag, provider_tags=args.provider_version_tag,
        provider_version_branch=args.provider_version_branch or None,
        provider_app_version=args.provider_app_version,
        publish=args.publish_verification_results, enable_pending=args.enable_pending,
        include_wip_pacts_since=args.include_wip_pacts_since,
        states_setup_url=args.states_setup_url, state_change_style=args.state_change_style,
        headers=headers, timeout=float(args.timeout), verbose=args.verbose,
        log_dir=args.log_dir, log_level=args.log_level, json_report=args.json_report,
        junit_report=args.junit_report, consumers=args.filter_consumer,
        description=args.filter_description, state=args.filter_state, build_url=args.build_url)
    try:
        code, _report, _text = run(options)
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return code


def _provider_of(pacts: List[str]) -> str:
    """Without --provider, the provider named in the first readable pact (as Ruby does)."""
    from .sources import PactSourceError, load_pacts

    for place in pacts:
        try:
            for source in load_pacts([place]):
                if source.provider:
                    return source.provider
        except PactSourceError:
            continue
    return ""


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
