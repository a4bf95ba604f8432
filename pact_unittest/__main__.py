"""``python -m pact_unittest`` / ``pact-unittest``: a small dispatcher of subcommands.

Each subcommand lives in its own module, which exposes ``add_parser(subparsers)``: it
registers its parser and sets ``handler`` (``handler(args) -> exit status``) as a default.
To add one, append ``"module:function"`` to ``SUBCOMMANDS``; modules are imported only
when the dispatcher runs, so importing the package stays cheap.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, NoReturn, Optional

from ._version import __version__

#: ``"module:add_parser function"`` for each subcommand, in --help order.
SUBCOMMANDS = [
    "pact_unittest.broker.cli:add_parser",  # publish
    "pact_unittest.broker.cli_commands:add_parsers",  # can-i-deploy, record-deployment, ...
    "pact_unittest.verifier.command:add_parser",  # verify (= pact-verifier)
    "pact_unittest.mock_service.stub:add_parser",  # stub (pact-stub-service)
]


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1 (as ``pact-broker`` does), not argparse's 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


#: Commands whose module is the only one imported when they are run (``stub`` must start
#: fast: a front-end's test script waits for it).
FAST_PATHS = {"stub": "pact_unittest.mock_service.stub:add_parser"}


def build_parser(entries: Optional[List[str]] = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="pact-unittest",
                     description="pact_unittest command-line tools.")
    parser.add_argument("--version", action="version", version=f"pact_unittest {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for entry in SUBCOMMANDS if entries is None else entries:
        module_name, _, func = entry.partition(":")
        getattr(importlib.import_module(module_name), func)(subparsers)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the subcommand, return its status."""
    words = sys.argv[1:] if argv is None else argv
    fast = FAST_PATHS.get(words[0]) if words else None
    args = build_parser([fast] if fast else None).parse_args(words)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
