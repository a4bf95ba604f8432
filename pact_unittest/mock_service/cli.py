"""The standalone mock service, with the Ruby ``pact-mock-service service`` flags.

``service`` is the default sub-command, as in Ruby; ``version`` prints the bare version
number, as Ruby's does. Like Ruby, ``-h`` is ``--host``; help is ``--help`` only. Once listening it prints ``port=NNNN`` (useful with ``--port 0``) and runs
until SIGINT or SIGTERM; then, when consumer, provider and pact dir are all known, something
was verified and no ``POST /pact`` happened since, it writes the pact (Ruby §1) and exits 0.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from typing import List, Optional

from .._version import __version__
from ..model import WRITE_MODES
from ._service import MockService

_LEVELS = ("DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pact-unittest-mock-service",
        description="Pact mock service (Ruby pact-mock-service compatible admin API). "
                    "Sub-command: service (the default).",
        add_help=False,
    )
    parser.add_argument("--help", action="help", help="show this help and exit")
    parser.add_argument("--version", action="version", version=f"pact_unittest {__version__}",
                        help="show the version and exit (the sub-command 'version' prints "
                             "the bare number, as Ruby's does)")
    parser.add_argument("--port", "-p", type=int, default=0,
                        help="port to listen on (default 0: a free port, printed as port=NNNN)")
    parser.add_argument("--host", "-h", default="localhost", help="host to bind (default localhost)")
    parser.add_argument("--pact-dir", "-d", dest="pact_dir", help="where to write pact files")
    parser.add_argument("--log", "-l", dest="log", help="log file (truncated at start)")
    parser.add_argument("--log-level", dest="log_level", default="DEBUG", type=str.upper,
                        choices=_LEVELS, help="log level (default DEBUG)")
    parser.add_argument("--consumer", help="consumer name")
    parser.add_argument("--provider", help="provider name")
    parser.add_argument("--pact-specification-version", "-i", dest="spec", default="2",
                        help="pact specification version: 1, 1.1, 2 (default), 3 or 4")
    parser.add_argument("--pact-file-write-mode", "-m", dest="mode", default="overwrite",
                        choices=WRITE_MODES, help="overwrite (default), merge, update or none")
    parser.add_argument("--cors", "-o", action="store_true", help="answer CORS preflights")
    parser.add_argument("--ssl", action="store_true", help="HTTPS with a self-signed certificate")
    parser.add_argument("--sslcert", help="certificate file (PEM) for HTTPS")
    parser.add_argument("--sslkey", help="key file (PEM) for HTTPS")
    parser.add_argument("--partial-regex", dest="partial_regex", action="store_true",
                        help="Ruby-compatible regex matching (search, not whole value): a "
                             "migration aid for suites that relied on it")
    return parser


def _level(name: str) -> int:
    return {"WARN": logging.WARNING, "FATAL": logging.CRITICAL}.get(name) or getattr(logging, name)


def main(argv: Optional[List[str]] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["version"]:  # Ruby's `pact-mock-service version` prints just the number
        print(__version__)
        return 0
    if args_list and args_list[0] == "service":
        args_list = args_list[1:]
    args = build_parser().parse_args(args_list)
    if not args.log:
        # --log-level is the service's level; other libraries' loggers (filelock logs every
        # lock attempt at DEBUG, urllib3...) stay at WARNING, or they drown its lines.
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                            format="%(levelname)s %(message)s")
        logging.getLogger("pact_unittest").setLevel(_level(args.log_level))
    try:
        service = MockService(
            args.consumer, args.provider, host=args.host, port=args.port, pact_dir=args.pact_dir,
            specification_version=args.spec, file_write_mode=args.mode, cors=args.cors,
            ssl=args.ssl, sslcert=args.sslcert, sslkey=args.sslkey, partial_regex=args.partial_regex,
            log_file=args.log, log_level=_level(args.log_level), truncate_log=True,
        )
        service.start()
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"pact-unittest-mock-service: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    _say(f"port={service.port}", sys.stdout)
    _say(f"Mock service listening on {service.uri}", sys.stderr)
    while not stop.wait(3600):
        pass
    code = 0
    try:
        if (service.consumer and service.provider and service.pact_dir
                and service.session.should_write_on_shutdown()):
            _say("INFO: Writing pact before shutting down", sys.stderr)
            path = service.write_pact()
            if path is not None:
                _say(f"Writing pact for {service.provider} to {path}", sys.stderr)
    except Exception as exc:  # report, but still stop cleanly
        _say(f"pact-unittest-mock-service: could not write the pact: {exc}", sys.stderr)
        code = 1
    finally:
        service.stop()
    return code


def _say(text: str, stream) -> None:
    """Print a line; a reader that went away (the process that started us died, and its
    watchdog is stopping us) must not keep the pact from being written on shutdown."""
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        try:  # no "Exception ignored ... BrokenPipeError" at exit either
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, stream.fileno())
            finally:
                os.close(devnull)
        except (OSError, ValueError):
            pass
