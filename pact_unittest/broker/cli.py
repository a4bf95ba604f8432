"""``python -m pact_unittest publish``: the ``pact-broker publish`` command, in Python.

Same flags as pact_broker-client 1.75's ``publish`` (including ``-h`` for ``--branch``, so
help is ``--help`` only), plus ``--dry-run`` and ``--ca-bundle``. Exit status 0 on
success, 1 on any failure (usage errors too, as pact-broker does), with the reason on
stderr. Secrets are never printed; the environment variables are the safe way to pass
them (a command-line argument is visible to other users in ``ps``).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from typing import Any, Iterator, List, Optional, TextIO

from .ci_env import resolve_version_properties
from .client import BrokerClient
from .errors import BrokerError

DESCRIPTION = "Publish pact files to a Pact Broker (like `pact-broker publish`)."
EPILOG = """\
environment variables (the safe way to pass secrets: command-line values are visible to
other users in `ps` and may end up in CI logs):
  PACT_BROKER_BASE_URL   broker base URL (when --broker-base-url is not given)
  PACT_BROKER_USERNAME   basic auth username
  PACT_BROKER_PASSWORD   basic auth password
  PACT_BROKER_TOKEN      bearer token (PactFlow); wins over username/password
  REQUESTS_CA_BUNDLE     CA bundle for a broker with a private CA (or --ca-bundle)

exit status: 0 published (or dry run), 1 any error (the reason is on stderr). With
pacts of several consumers, a consumer the broker refuses (409) does not stop the others;
a summary says which were published, unchanged and refused, and the exit status is 1.
-o json prints {"consumerVersion", "consumers": [{"consumer", "status", "providers",
"message", "response"}]} on stdout (status: published / unchanged / refused), and errors
as {"error": {"message", "status"}}.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``publish`` subcommand on a dispatcher's subparsers."""
    parser = subparsers.add_parser(
        "publish", help=DESCRIPTION, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False)
    parser.add_argument("--help", action="help", help="show this help message and exit")
    parser.add_argument("pact_files", nargs="+", metavar="PACT_DIRS_OR_FILES",
                        help="pact files, or directories whose *.json files are published")
    parser.add_argument("-a", "--consumer-app-version", help="the consumer application version")
    parser.add_argument("-h", "--branch", help="repository branch of the consumer version")
    parser.add_argument("-r", "--auto-detect-version-properties", action="store_true",
                        help="detect the commit (as version), branch and build URL from CI "
                             "environment variables or git when not given")
    parser.add_argument("-t", "--tag", action="append", default=[],
                        help="tag for the consumer version; repeat for several")
    parser.add_argument("-g", "--tag-with-git-branch", action="store_true",
                        help="also tag the version with the current git branch")
    parser.add_argument("--build-url", help="the URL of the build that created the pacts")
    parser.add_argument("--merge", action="store_true",
                        help="ask the broker to merge with an existing pact for this version "
                             "(a default broker still refuses changed content)")
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text",
                        help="text (the broker's notices) or json (its response bodies)")
    parser.add_argument("-b", "--broker-base-url", help="base URL of the Pact Broker "
                        "[env PACT_BROKER_BASE_URL]")
    parser.add_argument("-u", "--broker-username", help="basic auth username "
                        "[env PACT_BROKER_USERNAME]")
    parser.add_argument("-p", "--broker-password", help="basic auth password; prefer "
                        "env PACT_BROKER_PASSWORD")
    parser.add_argument("-k", "--broker-token", help="bearer token; prefer env "
                        "PACT_BROKER_TOKEN")
    parser.add_argument("--ca-bundle", help="CA bundle file to trust for https "
                        "[env REQUESTS_CA_BUNDLE]")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be sent (secrets masked, pact content "
                             "summarised) and send nothing")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log each request (credentials are never logged)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace, stdout: Optional[TextIO] = None,
        stderr: Optional[TextIO] = None) -> int:
    """Execute a parsed ``publish`` command; return the exit status."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    with verbose_logging(args.verbose, err):
        return _publish(args, out, err)


@contextlib.contextmanager
def verbose_logging(verbose: bool, err: TextIO) -> Iterator[None]:
    """With ``--verbose``, the broker client's log on ``err`` while a command runs."""
    if not verbose:
        yield
        return
    log = logging.getLogger("pact_unittest.broker")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        log.removeHandler(handler)


def _publish(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    as_json = args.output == "json"
    try:
        props = resolve_version_properties(
            args.consumer_app_version, branch=args.branch, tags=args.tag,
            build_url=args.build_url, tag_with_git_branch=args.tag_with_git_branch,
            auto_detect_version_properties=args.auto_detect_version_properties)
        with BrokerClient(args.broker_base_url, args.broker_username, args.broker_password,
                          args.broker_token, ca_bundle=args.ca_bundle) as client:
            result = client.publish_pacts(
                args.pact_files, props.version or "", branch=props.branch, tags=props.tags,
                build_url=props.build_url, merge=args.merge, dry_run=args.dry_run,
                keep_going=True)
    except BrokerError as exc:
        if as_json:
            error = {"message": str(exc), "status": exc.status}
            print(json.dumps({"error": error}, indent=2, ensure_ascii=False), file=out)
        print(f"error: {exc}", file=err)
        return 1
    if result.dry_run:
        print(f"Dry run: nothing was sent to {client.config.base_url}. Requests that would "
              "be sent:", file=out)
        print(json.dumps(list(result.planned), indent=2, ensure_ascii=False), file=out)
        return 0
    refused = result.refused
    if as_json:
        summary = {"consumerVersion": result.consumer_version,
                   "consumers": [c.as_json() for c in result.consumers]}
        print(json.dumps(summary, indent=2, ensure_ascii=False), file=out)
    else:
        if result.notices:
            print(result.text(), file=out)
        if len(result.consumers) > 1:
            print(_summary(result), file=out)
    for outcome in refused:
        print(f"error: {outcome.detail}", file=err)
    return 1 if refused else 0


def _summary(result: Any) -> str:
    """One line per outcome: ``Published: A, B`` / ``Unchanged: C`` / ``Refused: D``."""
    lines = []
    for status, label in (("published", "Published"), ("unchanged", "Unchanged (already "
                          "published with this content)"), ("refused", "NOT published (refused)")):
        names = [c.consumer for c in result.consumers if c.status == status]
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Run ``publish`` alone (the dispatcher in ``pact_unittest.__main__`` is the usual way)."""
    parser = argparse.ArgumentParser(prog="pact-unittest")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["publish", *(sys.argv[1:] if argv is None else argv)])
    return run(args)
