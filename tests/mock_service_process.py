"""Our mock service CLI (``python -m pact_unittest.mock_service``) as a real subprocess.

Shared by the CLI tests: start it with this checkout on ``PYTHONPATH``, wait for the
``port=NNNN`` line it prints once listening, and stop it with a signal, collecting its
output (the shutdown pact write reports on stderr).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Dict, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = [sys.executable, "-m", "pact_unittest.mock_service"]


def cli_env() -> Dict[str, str]:
    """The environment with this checkout first on ``PYTHONPATH``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_cli(*flags: str, cwd: Optional[str] = None) -> Tuple[subprocess.Popen, int]:
    """Start the CLI with ``flags``; return the process and the port it printed."""
    proc = subprocess.Popen([*MODULE, *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=cli_env(), cwd=cwd)
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    if not line.startswith("port="):
        proc.kill()
        raise AssertionError(f"no port line: {line!r} {proc.stderr.read()}")
    return proc, int(line.strip().split("=", 1)[1])


def stop_cli(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> Tuple[int, str, str]:
    """Signal the process and wait for it: ``(returncode, stdout rest, stderr)``."""
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        raise
    return proc.returncode, out, err

