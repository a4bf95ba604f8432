"""``python -m pact_unittest verify ...``: the ``pact-verifier`` command under the dispatcher.

The arguments go to :func:`pact_unittest.verifier.cli.main` untouched, so both spellings
parse, print and exit alike.
"""
from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = "Verify pacts against a provider (the pact-verifier command)."


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("verify", help=DESCRIPTION, description=DESCRIPTION,
                                   add_help=False, prefix_chars="\0")
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    parser.set_defaults(handler=_handle)
    return parser


def _handle(args: argparse.Namespace) -> int:
    from .cli import main

    return main(list(args.arguments), prog="pact-unittest verify")
