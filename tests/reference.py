"""Test harness that runs the same work against the reference Pact tools and against ours.

The reference tools (Ruby ``pact-mock-service`` and ``pact-provider-verifier`` from the
pact-python 2.3.3 wheel, the Rust ``pact`` CLI from pact-python-cli) are test-only: they live
in a separate virtualenv so that nothing of them can leak into the package's runtime. This
module finds that virtualenv, starts one shared Ruby mock service per test session (Ruby
costs ~0.7 s to start, so every differential test reuses it and isolates itself with
``DELETE /session``), runs a *scenario* (interactions + application requests) against any
service speaking the Ruby admin API, normalises what comes back so the two can be compared,
and runs the official verifiers on pact files.

When a tool is missing the test is skipped with the reason, except in CI with
``PACT_UNITTEST_REQUIRE_REFERENCE=1``: there the CI installed the tools, so their absence is
a broken job and must fail loudly rather than turn into a green run that proved nothing.
"""
from __future__ import annotations

import http.client
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import psutil
import pytest

REF_VENV_ENV = "PACT_UNITTEST_REF_VENV"
REQUIRE_ENV = "PACT_UNITTEST_REQUIRE_REFERENCE"
ADMIN = {"X-Pact-Mock-Service": "true"}
CONSUMER = "C"
PROVIDER = "P"
_REPO = pathlib.Path(__file__).resolve().parent.parent
_PACT_BIN = pathlib.Path("lib", "python3.11", "site-packages", "pact", "bin")


# ---------------------------------------------------------------------------------------
# Locating the reference tools
# ---------------------------------------------------------------------------------------
def ref_venv() -> Optional[pathlib.Path]:
    """The reference virtualenv: $PACT_UNITTEST_REF_VENV, /opt/refvenv, or the repo's .refvenv."""
    explicit = os.environ.get(REF_VENV_ENV)
    if explicit:  # an explicit choice wins, even when it is missing (= no reference tools)
        path = pathlib.Path(explicit)
        return path if path.is_dir() else None
    for path in (pathlib.Path("/opt/refvenv"), _REPO / ".refvenv"):
        if path.is_dir():
            return path
    return None


def _pact_wheel_bin(name: str) -> Optional[pathlib.Path]:
    venv = ref_venv()
    if venv is None:
        return None
    # The wheel's bin dir sits in site-packages; find it whatever the Python minor version.
    for site in sorted(venv.glob("lib/python3*/site-packages/pact/bin")):
        path = site / name
        if path.is_file():
            return path
    return None


def ruby_mock_service_bin() -> Optional[pathlib.Path]:
    """Ruby ``pact-mock-service`` shipped in the pact-python 2.3.3 wheel, or None."""
    return _pact_wheel_bin("pact-mock-service")


def ruby_verifier_bin() -> Optional[pathlib.Path]:
    """Ruby ``pact-provider-verifier`` shipped in the pact-python 2.3.3 wheel, or None."""
    return _pact_wheel_bin("pact-provider-verifier")


def rust_pact_bin() -> Optional[pathlib.Path]:
    """The Rust ``pact`` CLI (pact-python-cli), or None."""
    venv = ref_venv()
    path = venv / "bin" / "pact" if venv else None
    return path if path is not None and path.is_file() else None


def pact_python_interpreter() -> Optional[pathlib.Path]:
    """The reference venv's python, where pact-python 2.3.3 is importable as ``pact``, or None."""
    venv = ref_venv()
    if venv is None:
        return None
    for name in ("bin/python", "Scripts/python.exe"):
        if (venv / name).is_file():
            return venv / name
    return None


def reference_required() -> bool:
    """True when a missing reference tool must fail the test instead of skipping it."""
    return (
        os.environ.get("CI", "").strip().lower() == "true"
        and os.environ.get(REQUIRE_ENV, "").strip() == "1"
    )


def _require(path: Optional[pathlib.Path], what: str) -> pathlib.Path:
    if path is not None:
        return path
    reason = (
        f"{what} not found: install the test extra's reference tools into a virtualenv "
        f"(pip install pact-python==2.3.3 pact-python-cli) at /opt/refvenv, ./.refvenv "
        f"or ${REF_VENV_ENV}"
    )
    if reference_required():
        pytest.fail(f"{reason} (CI=true and {REQUIRE_ENV}=1: the CI must provide it)")
    pytest.skip(reason)
    raise AssertionError("unreachable")  # pragma: no cover - pytest.skip raises


def require_ruby() -> pathlib.Path:
    return _require(ruby_mock_service_bin(), "Ruby pact-mock-service (pact-python 2.3.3)")


def require_ruby_verifier() -> pathlib.Path:
    return _require(ruby_verifier_bin(), "Ruby pact-provider-verifier (pact-python 2.3.3)")


def require_ruby_broker() -> pathlib.Path:
    return _require(_pact_wheel_bin("pact-broker"), "Ruby pact-broker CLI (pact-python 2.3.3)")


def require_rust() -> pathlib.Path:
    return _require(rust_pact_bin(), "Rust pact CLI (pact-python-cli)")


def require_pact_python() -> pathlib.Path:
    return _require(pact_python_interpreter(), "pact-python 2.3.3 interpreter")


def reference_env() -> Dict[str, str]:
    """The environment for reference processes: never phone home."""
    env = dict(os.environ)
    env["PACT_DO_NOT_TRACK"] = "true"
    return env


def free_port() -> int:
    """A port that was free a moment ago (for tools that cannot bind port 0 and report it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kill_tree(pid: int, timeout: float = 5.0) -> None:
    """Terminate a process and all its descendants (psutil: same code on every OS)."""
    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    procs = parent.children(recursive=True) + [parent]
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=timeout)


# ---------------------------------------------------------------------------------------
# Talking HTTP exactly (http.client: no re-encoding, method case and headers as given)
# ---------------------------------------------------------------------------------------
@dataclass
class Exchange:
    """One HTTP answer: status, headers (lower-cased names), body parsed as JSON when it is."""

    status: int
    headers: Dict[str, str]
    text: str
    body: Any = None

    @classmethod
    def from_response(cls, resp: http.client.HTTPResponse) -> "Exchange":
        raw = resp.read()
        text = raw.decode("utf-8", errors="replace")
        headers = {k.lower(): v for k, v in resp.getheaders()}
        body: Any = text
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                body = text
        else:
            body = None
        return cls(resp.status, headers, text, body)


def http_call(
    base_url: str,
    method: str,
    path: str,
    *,
    query: Optional[str] = None,
    headers: Optional[Dict[str, str]] = None,
    body: Optional[Union[bytes, str]] = None,
    timeout: float = 10.0,
) -> Exchange:
    """Send one request on a new connection (as pact-python's bare ``requests`` calls do)."""
    scheme, _, hostport = base_url.partition("://")
    host, _, port = hostport.rstrip("/").rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        target = path + ("?" + query if query is not None else "")
        data = body.encode("utf-8") if isinstance(body, str) else body
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        elif method.upper() in ("POST", "PUT", "PATCH"):  # as requests does; WEBrick needs it
            conn.putheader("Content-Length", "0")
        conn.endheaders(data)
        return Exchange.from_response(conn.getresponse())
    finally:
        conn.close()


def admin(base_url: str, method: str, path: str, payload: Any = None) -> Exchange:
    """An admin API call (with the X-Pact-Mock-Service header), JSON payload if given."""
    headers = dict(ADMIN)
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return http_call(base_url, method, path, headers=headers, body=body)


def wait_for_admin(base_url: str, timeout: float = 15.0, proc: Any = None) -> None:
    """Poll ``GET /`` with the admin header until the service answers 200."""
    deadline = time.monotonic() + timeout
    last: Optional[BaseException] = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"mock service at {base_url} exited with {proc.returncode}")
        try:
            if admin(base_url, "GET", "/").status == 200:
                return
        except OSError as exc:
            last = exc
        time.sleep(0.02)
    raise RuntimeError(f"mock service at {base_url} not ready after {timeout} s: {last}")


# ---------------------------------------------------------------------------------------
# The shared Ruby mock service
# ---------------------------------------------------------------------------------------
class RubyMockService:
    """A Ruby ``pact-mock-service`` process (by default consumer C, provider P, spec 2.0.0)."""

    def __init__(self, pact_dir: pathlib.Path, consumer: str = CONSUMER,
                 provider: str = PROVIDER, spec: str = "2.0.0",
                 extra_args: Sequence[str] = ()) -> None:
        self.pact_dir = pact_dir
        self.consumer, self.provider, self.spec = consumer, provider, spec
        self.extra_args = list(extra_args)  # e.g. ["--cors"]
        self.proc: Optional[subprocess.Popen] = None
        self.port = 0

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "RubyMockService":
        exe = require_ruby()
        for attempt in range(3):  # a free port can be taken between probe and bind: retry
            self.port = free_port()
            log = open(self.pact_dir / f"ruby-mock-{self.port}.out", "wb")
            self.proc = subprocess.Popen(
                [str(exe), "service", "--host", "127.0.0.1", "--port", str(self.port),
                 "--pact-dir", str(self.pact_dir), "--consumer", self.consumer,
                 "--provider", self.provider, "--pact-specification-version", self.spec,
                 *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, env=reference_env(),
                cwd=str(self.pact_dir),
            )
            log.close()
            try:
                wait_for_admin(self.uri, proc=self.proc)
                return self
            except RuntimeError:
                self.stop()
                if attempt == 2:
                    raise
        return self

    def stop(self) -> None:
        if self.proc is not None:
            kill_tree(self.proc.pid)
            self.proc.wait(timeout=5)
            self.proc = None

    @property
    def pact_path(self) -> pathlib.Path:
        return self.pact_dir / f"{self.consumer.lower()}-{self.provider.lower()}.json"


@pytest.fixture(scope="session")
def ruby_mock_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RubyMockService]:
    """ONE Ruby mock service for the whole session; tests isolate with ``DELETE /session``."""
    service = RubyMockService(tmp_path_factory.mktemp("ruby-pacts")).start()
    try:
        yield service
    finally:
        service.stop()


# ---------------------------------------------------------------------------------------
# Scenarios: the same steps against any admin-API base URL
# ---------------------------------------------------------------------------------------
#: An application request: {"method", "path", "query" (raw string), "headers", and either
#: "json" (serialised, Content-Type application/json added unless given) or "data" (raw)}.
AppRequest = Dict[str, Any]


@dataclass
class Scenario:
    """Interactions (pact-python v2 wire form) registered with PUT, then requests.

    ``steps`` replaces the default flow for scenarios that need POST, a second PUT or
    DELETE /interactions in between: a list of ``("put", [interactions])``,
    ``("post", interaction)``, ``("request", app_request)``, ``("delete_interactions",)``.
    """

    name: str
    interactions: List[Dict[str, Any]] = field(default_factory=list)
    requests: List[AppRequest] = field(default_factory=list)
    steps: Optional[List[Tuple[Any, ...]]] = None

    def flow(self) -> List[Tuple[Any, ...]]:
        if self.steps is not None:
            return list(self.steps)
        return [("put", self.interactions)] + [("request", r) for r in self.requests]


@dataclass
class ScenarioResult:
    admin: List[Exchange]            # answers to the PUT/POST/DELETE steps, in order
    responses: List[Exchange]        # answers to the application requests, in order
    verification: Exchange
    missing: Exchange
    pact_post: Exchange              # POST /pact: body is the pact as written (or error)

    @property
    def pact(self) -> Optional[Dict[str, Any]]:
        body = self.pact_post.body
        return body if self.pact_post.status == 200 and isinstance(body, dict) else None

    @property
    def verified(self) -> bool:
        return self.verification.status == 200


def send_app_request(base_url: str, req: AppRequest) -> Exchange:
    headers = dict(req.get("headers") or {})
    body: Optional[Union[str, bytes]] = None
    if "json" in req:
        body = json.dumps(req["json"])
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    elif "data" in req:
        body = req["data"]
    return http_call(base_url, req.get("method", "GET"), req["path"],
                     query=req.get("query"), headers=headers, body=body)


def run_scenario(base_url: str, scenario: Scenario, *, write_pact: bool = True) -> ScenarioResult:
    """Run a scenario from a clean session and collect everything the service answered."""
    reset = admin(base_url, "DELETE", "/session")
    assert reset.status == 200, f"DELETE /session failed at {base_url}: {reset.text}"
    admin_answers: List[Exchange] = []
    responses: List[Exchange] = []
    for step in scenario.flow():
        kind = step[0]
        if kind == "put":
            admin_answers.append(admin(base_url, "PUT", "/interactions",
                                       {"interactions": step[1]}))
        elif kind == "post":
            admin_answers.append(admin(base_url, "POST", "/interactions", step[1]))
        elif kind == "delete_interactions":
            admin_answers.append(admin(base_url, "DELETE", "/interactions"))
        elif kind == "request":
            responses.append(send_app_request(base_url, step[1]))
        else:
            raise ValueError(f"unknown scenario step {step!r}")
    verification = admin(base_url, "GET", "/interactions/verification")
    missing = admin(base_url, "GET", "/interactions/missing")
    pact_post = admin(base_url, "POST", "/pact") if write_pact else missing
    return ScenarioResult(admin_answers, responses, verification, missing, pact_post)


# ---------------------------------------------------------------------------------------
# Normalising for comparison
# ---------------------------------------------------------------------------------------
def _state_key(interaction: Dict[str, Any]) -> str:
    if "providerStates" in interaction:
        return json.dumps(interaction["providerStates"], sort_keys=True)
    return interaction.get("providerState") or ""


def normalise_pact(pact: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """Drop metadata and sort interactions by description and provider state.

    Ruby writes interactions in first-matched order; we write them sorted (deterministic
    files). Content and key names are left alone: everything else must be equal.
    """
    if pact is None:
        return None
    out = {k: v for k, v in pact.items() if k != "metadata"}
    interactions = [
        {k: v for k, v in i.items() if k != "metadata"} for i in pact.get("interactions", [])
    ]
    out["interactions"] = sorted(interactions, key=lambda i: (i.get("description") or "",
                                                              _state_key(i)))
    return out


def error_shape(body: Any) -> Any:
    """The part of a mock error body that client code relies on, in Ruby's shape.

    ``{"message", "interaction_diffs": [{"description", "provider_state", <diff keys>}]}``
    for a mismatch/unexpected request, ``{"message", "matching_interactions":
    [descriptions]}`` for a multiple match. Diff leaves are compared by :func:`assert_subset`
    where a scenario wants them; our extra debugging fields are ignored.
    """
    if not isinstance(body, dict):
        return body
    shape: Dict[str, Any] = {"message": body.get("message")}
    if "interaction_diffs" in body:
        diffs = []
        for diff in body["interaction_diffs"]:
            entry = {"description": diff.get("description")}
            if "provider_state" in diff:
                entry["provider_state"] = diff["provider_state"]
            entry["keys"] = sorted(k for k in diff if k in
                                   ("method", "path", "headers", "query", "body"))
            diffs.append(entry)
        shape["interaction_diffs"] = sorted(diffs, key=lambda d: json.dumps(d, sort_keys=True))
    if "matching_interactions" in body:
        shape["matching_interactions"] = sorted(
            m.get("description") for m in body["matching_interactions"])
    return shape


def assert_subset(expected: Any, actual: Any, where: str = "$") -> None:
    """Every key/value of Ruby's body (``expected``) is in ours (``actual``), recursively.

    Our bodies may carry extra keys (debugging detail); lists must have equal length.
    """
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: key {key!r} missing from {sorted(actual)}"
            assert_subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{where}: expected {expected!r}, got {actual!r}")
        for i, (exp, act) in enumerate(zip(expected, actual)):
            assert_subset(exp, act, f"{where}[{i}]")
    else:
        assert expected == actual, f"{where}: expected {expected!r}, got {actual!r}"


def verification_sections(text: str) -> Dict[str, List[str]]:
    """The Incorrect/Missing/Unexpected request lines of a Ruby-style verification text."""
    sections: Dict[str, List[str]] = {}
    current: Optional[str] = None
    for line in text.splitlines():
        if line.endswith("requests:") and not line.startswith("\t"):
            current = line[: -len(" requests:")]
            sections[current] = []
        elif current and line.startswith("\t"):
            sections[current].append(line[1:])
        else:
            current = None
    return sections


# ---------------------------------------------------------------------------------------
# Provider verifiers
# ---------------------------------------------------------------------------------------
def verify_with_ruby(pact_path: Union[str, os.PathLike], provider_base_url: str,
                     states_url: Optional[str] = None, timeout: float = 60.0) -> Tuple[bool, str]:
    """Run the Ruby ``pact-provider-verifier``; return (passed, combined output)."""
    exe = require_ruby_verifier()
    cmd = [str(exe), str(pact_path), "--provider-base-url", provider_base_url,
           "--log-level", "warn"]
    if states_url:
        cmd += ["--provider-states-setup-url", states_url]
    with tempfile.TemporaryDirectory() as logs:
        cmd += ["--log-dir", logs]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=reference_env(), timeout=timeout, cwd=logs)
    return proc.returncode == 0, proc.stdout.decode("utf-8", errors="replace")


def verify_with_rust(pact_path: Union[str, os.PathLike], host: str, port: int,
                     states_url: Optional[str] = None, timeout: float = 60.0,
                     provider_name: str = PROVIDER) -> Tuple[bool, str]:
    """Run the Rust ``pact verifier``; return (passed, combined output)."""
    exe = require_rust()
    cmd = [str(exe), "verifier", "--file", str(pact_path), "--hostname", host,
           "--port", str(port), "--provider-name", provider_name, "--no-colour"]
    if states_url:
        cmd += ["--state-change-url", states_url]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=reference_env(), timeout=timeout)
    return proc.returncode == 0, proc.stdout.decode("utf-8", errors="replace")


def python_cli(*args: str, **kwargs: Any) -> subprocess.Popen:
    """Start ``python -m <args>`` with this interpreter, the repo on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_REPO), env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-m", *args], env=env, **kwargs)


def read_port_line(proc: subprocess.Popen, timeout: float = 15.0) -> int:
    """Wait for the ``port=NNNN`` line a CLI prints once listening; fail after ``timeout``.

    A reader thread keeps a hung or silent process from blocking the test forever.
    """
    import queue
    import re
    import threading

    lines: "queue.Queue[Optional[str]]" = queue.Queue()
    seen: List[str] = []

    def _reader() -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            lines.put(raw.decode("utf-8", errors="replace"))
        lines.put(None)

    threading.Thread(target=_reader, name="port-line-reader", daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            raise AssertionError(f"no port=NNNN line within {timeout} s; output: {seen}")
        if line is None:
            raise AssertionError(f"process exited ({proc.poll()}) before port=NNNN: {seen}")
        seen.append(line)
        match = re.search(r"\bport=(\d+)", line)
        if match:
            return int(match.group(1))


def interactions_of(pact: Dict[str, Any]) -> Sequence[str]:
    """Descriptions of a pact's interactions, sorted: a compact thing to assert on."""
    return sorted(i.get("description") or "" for i in pact.get("interactions", []))
