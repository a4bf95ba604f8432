"""The standalone service in a real subprocess: flags, ``port=N``, signals, pact on shutdown."""
from __future__ import annotations

import json
import signal
import subprocess

import pytest
import requests

from mock_service_process import MODULE, cli_env, start_cli, stop_cli
from pact_unittest.mock_service.cli import build_parser

ADMIN = {"X-Pact-Mock-Service": "true"}
INTERACTION = {"description": "a request", "provider_state": "st",
               "request": {"method": "GET", "path": "/a"},
               "response": {"status": 200, "body": {"ok": True}}}


def test_flags_match_rubys():
    args = build_parser().parse_args(
        ["-p", "1234", "-h", "0.0.0.0", "-d", "pacts", "-l", "x.log", "--log-level", "info",
         "--consumer", "C", "--provider", "P", "-i", "3.0.0", "-m", "merge", "-o", "--ssl",
         "--sslcert", "c.pem", "--sslkey", "k.pem", "--partial-regex"])
    assert (args.port, args.host, args.pact_dir, args.log, args.log_level) == \
        (1234, "0.0.0.0", "pacts", "x.log", "INFO")
    assert (args.consumer, args.provider, args.spec, args.mode) == ("C", "P", "3.0.0", "merge")
    assert args.cors and args.ssl and args.partial_regex
    assert (args.sslcert, args.sslkey) == ("c.pem", "k.pem")


def test_help_is_long_option_only(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--help"])
    assert exit_info.value.code == 0
    assert "--pact-dir" in capsys.readouterr().out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_then_writes_pact_on_signal_and_exits_0(tmp_path, sig):
    proc, port = start_cli("service", "--port", "0", "--host", "127.0.0.1", "--consumer",
                           "My App", "--provider", "Their API", "--pact-dir",
                           str(tmp_path / "pacts"), "--log", str(tmp_path / "logs" / "mock.log"))
    try:
        uri = f"http://127.0.0.1:{port}"
        assert requests.get(uri + "/", headers=ADMIN).text == "Mock service running\n"
        assert requests.put(uri + "/interactions", headers=ADMIN,
                            json={"interactions": [INTERACTION]}).status_code == 200
        assert requests.get(uri + "/a").json() == {"ok": True}
        assert requests.get(uri + "/interactions/verification", headers=ADMIN).status_code == 200
    finally:
        code, out, err = stop_cli(proc, sig)
    assert code == 0, err
    pact = json.loads((tmp_path / "pacts" / "my_app-their_api.json").read_text())
    assert [i["description"] for i in pact["interactions"]] == ["a request"]
    assert "Writing pact" in err
    assert "Registered" in (tmp_path / "logs" / "mock.log").read_text()


def test_writes_the_pact_on_shutdown_even_when_nobody_reads_its_output(tmp_path):
    """What happens when the test process died and its watchdog stops the service."""
    proc, port = start_cli("-h", "127.0.0.1", "--consumer", "C", "--provider", "P",
                           "--pact-dir", str(tmp_path))
    uri = f"http://127.0.0.1:{port}"
    requests.put(uri + "/interactions", headers=ADMIN, json={"interactions": [INTERACTION]})
    assert requests.get(uri + "/a").status_code == 200
    proc.stdout.close()
    proc.stderr.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert json.loads((tmp_path / "c-p.json").read_text())["interactions"]


def test_no_write_on_shutdown_after_post_pact_or_without_verified(tmp_path):
    proc, port = start_cli("--consumer", "C", "--provider", "P", "--pact-dir", str(tmp_path),
                           "-h", "127.0.0.1")
    uri = f"http://127.0.0.1:{port}"
    try:
        requests.put(uri + "/interactions", headers=ADMIN, json={"interactions": [INTERACTION]})
        requests.get(uri + "/a")
        assert requests.post(uri + "/pact", headers=ADMIN).status_code == 200
        (tmp_path / "c-p.json").unlink()
    finally:
        code, _, err = stop_cli(proc)
    assert code == 0, err
    assert not (tmp_path / "c-p.json").exists()
    proc, port = start_cli("--consumer", "C", "--provider", "P", "--pact-dir",
                           str(tmp_path / "none"), "-h", "127.0.0.1")
    code, _, err = stop_cli(proc)
    assert code == 0, err
    assert not (tmp_path / "none").exists()


def test_without_consumer_and_provider_the_log_says_so_not_none(tmp_path):
    proc, port = start_cli("-h", "127.0.0.1")
    code, _, err = stop_cli(proc)
    assert code == 0, err
    assert "None" not in err, err
    assert f"Mock service listening on http://127.0.0.1:{port}; consumer/provider not set: " \
        "POST /pact will fail unless its body names the consumer and provider" in err, err
    proc, port = start_cli("-h", "127.0.0.1", "--consumer", "C")
    code, _, err = stop_cli(proc)
    assert "; provider not set: POST /pact will fail unless its body names the provider" \
        in err and "None" not in err, err


def test_debug_log_shows_the_service_not_third_party_debug_lines(tmp_path):
    proc, port = start_cli("-h", "127.0.0.1", "--consumer", "C", "--provider", "P",
                           "--pact-dir", str(tmp_path))  # --log-level DEBUG by default
    uri = f"http://127.0.0.1:{port}"
    try:
        requests.put(uri + "/interactions", headers=ADMIN, json={"interactions": [INTERACTION]})
        requests.get(uri + "/a")
        assert requests.post(uri + "/pact", headers=ADMIN).status_code == 200
        requests.get(uri + "/log", params={"msg": "hello"}, headers=ADMIN)
    finally:
        code, _, err = stop_cli(proc)
    assert code == 0, err
    assert "Debug message from client - hello" in err and "Wrote pact" in err, err
    assert "lock" not in err.lower(), err  # filelock's "Attempting to acquire lock ..."


@pytest.mark.parametrize("args, expected", [
    (["--version"], "pact_unittest {}\n"),
    (["service", "--version"], "pact_unittest {}\n"),
    (["version"], "{}\n"),  # Ruby's `pact-mock-service version` prints the bare number
])
def test_version(args, expected):
    from pact_unittest import __version__

    done = subprocess.run([*MODULE, *args], capture_output=True, text=True, env=cli_env(),
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected.format(__version__)


@pytest.mark.reference
def test_version_sub_command_prints_what_rubys_prints():
    import re

    import reference

    ruby = subprocess.run([str(reference.require_ruby()), "version"], capture_output=True,
                          text=True, env=reference.reference_env(), timeout=60)
    ours = subprocess.run([*MODULE, "version"], capture_output=True, text=True, env=cli_env(),
                          timeout=30)
    for done in (ruby, ours):
        assert done.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+\n", done.stdout), done


def test_busy_port_exits_non_zero_naming_it():
    with socket_listening() as port:
        done = subprocess.run([*MODULE, "-p", str(port), "-h", "127.0.0.1"],
                              capture_output=True, text=True, env=cli_env(), timeout=30)
    assert done.returncode != 0
    assert f"127.0.0.1:{port}" in done.stderr


def test_a_missing_certificate_file_is_named(tmp_path):
    missing = str(tmp_path / "nonexist.pem")
    done = subprocess.run([*MODULE, "-p", "0", "-h", "127.0.0.1", "--sslcert", missing,
                           "--sslkey", missing], capture_output=True, text=True, env=cli_env(),
                          timeout=30)
    assert done.returncode == 2
    assert "sslcert" in done.stderr and missing in done.stderr, done.stderr


class socket_listening:
    def __enter__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()
