"""Secrets stay secret; credentials do not follow redirects elsewhere; TLS is verified.

A planted dummy secret (password and token) must not appear in log output at DEBUG
(ours and urllib3's), exception messages, reprs, pickles or dry-run output, whatever the
broker answers -- even when the broker echoes it back.
"""
from __future__ import annotations

import base64
import json
import logging
import pickle
import ssl

import pytest
import requests

from fake_broker import SENTINEL, SENTINEL_TOKEN, FakeBroker, Sleeps
from pact_unittest.broker import (
    Broker,
    BrokerClient,
    BrokerConflictError,
    BrokerError,
    BrokerTLSError,
    publish_pacts,
)
from pact_unittest.broker.transport import same_origin
from reference import free_port

PACT = (b'{"consumer": {"name": "ConsumerApp"}, "provider": {"name": "ProviderAPI"}, '
        b'"interactions": [], "metadata": {"pactSpecification": {"version": "2.0.0"}}}')
FORMS = (SENTINEL, SENTINEL_TOKEN,
         base64.b64encode(f"ci-user:{SENTINEL}".encode()).decode())


@pytest.fixture
def pact_file(tmp_path):
    path = tmp_path / "consumerapp-providerapi.json"
    path.write_bytes(PACT)
    return path


def _assert_clean(*texts):
    for text in texts:
        for form in FORMS:
            assert form not in text, f"secret leaked: {text!r}"


SCENARIOS = [
    ("ok", None),
    ("unauthorized", (401, None)),
    ("conflict", (409, {"notices": [{"type": "error", "text": "Cannot change"}]})),
    ("server error echoing the secret", (500, "boom Authorization: {header} {secret}")),
    ("validation echoing the secret", (400, {"errors": {"password": ["{secret}"]}})),
    ("unavailable", "closed"),
]


@pytest.mark.parametrize("auth", ["basic", "token", "url"])
@pytest.mark.parametrize("name,answer", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_planted_secret_appears_nowhere(name, answer, auth, pact_file, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    texts = []
    with FakeBroker() as broker:
        base = broker.url if answer != "closed" else f"http://127.0.0.1:{free_port()}"
        creds = {"basic": dict(broker_username="ci-user", broker_password=SENTINEL),
                 "token": dict(broker_token=SENTINEL_TOKEN), "url": {}}[auth]
        if auth == "url":
            base = base.replace("http://", f"http://ci-user:{SENTINEL}@")
        if isinstance(answer, tuple):
            secret = SENTINEL_TOKEN if auth == "token" else SENTINEL
            header = f"Bearer {SENTINEL_TOKEN}" if auth == "token" else f"Basic {FORMS[2]}"
            body = answer[1]
            if body is not None:  # the broker echoes the secret in use back at us
                body = json.loads(json.dumps(body).replace("{secret}", secret).replace("{header}", header))
            broker.script("POST", "/contracts/publish", answer[0], body,
                          content_type="text/plain" if isinstance(answer[1], str) else
                          "application/hal+json")
        try:
            result = publish_pacts(pact_file, "1.0.0", broker_base_url=base, sleep=Sleeps(), **creds)
            texts += [repr(result), result.text(), str(result.responses)]
        except BrokerError as exc:
            texts += [str(exc), repr(exc), str(exc.args), str(exc.notices), str(exc.errors),
                      pickle.dumps(exc).decode("latin-1")]
        with BrokerClient(base, **{k.replace("broker_", ""): v for k, v in creds.items()}) as client:
            texts += [repr(client), str(client.config), repr(client.config)]
        texts.append(repr(Broker(base, **creds)))
    if answer is None:
        sent = {r.headers.get("authorization") for r in broker.requests}
        assert len(sent) == 1 and None not in sent  # the secret was really used
    _assert_clean(caplog.text, *texts)


def test_dry_run_and_verbose_cli_output_hide_the_secret(pact_file, capsys):
    from pact_unittest.__main__ import main
    with FakeBroker() as broker:
        status = main(["publish", str(pact_file), "-a", "1", "-b", broker.url, "-u", "ci-user",
                       "-p", SENTINEL, "--dry-run", "--verbose"])
        assert broker.requests == []
        status2 = main(["publish", str(pact_file), "-a", "1", "-b", broker.url, "-k",
                        SENTINEL_TOKEN, "--verbose"])
    out, err = capsys.readouterr()
    assert status == 0 and status2 == 0
    assert "Authorization" in out and "********" in out
    _assert_clean(out, err)
    assert "DEBUG: Pact Broker request: GET" in err  # --verbose really logged


# -- redirects ---------------------------------------------------------------------------

def test_requests_itself_strips_auth_on_a_cross_host_redirect():
    """What requests does on its own (documented; we do not rely on it)."""
    with FakeBroker() as target, FakeBroker() as origin:
        origin.script("GET", "/", 302, None, headers=[("Location", f"http://localhost:{target.port}/")])
        origin.script("GET", "/x", 302, None, headers=[("Location", f"http://127.0.0.1:{target.port}/")])
        requests.get(origin.url + "/", auth=("ci-user", SENTINEL), timeout=10)
        requests.get(origin.url + "/x", auth=("ci-user", SENTINEL), timeout=10)
    assert [r.headers.get("authorization") for r in target.requests] == [None, None]
    assert origin.requests[0].headers.get("authorization")


@pytest.mark.parametrize("target_host", ["localhost", "127.0.0.1"])
def test_no_credentials_on_a_redirect_to_another_origin(target_host, pact_file, caplog):
    with FakeBroker() as target, FakeBroker(username="ci-user", password=SENTINEL) as origin:
        other = f"http://{target_host}:{target.port}"
        origin.script("GET", "/", 302, None, headers=[("Location", other + "/")])
        publish_pacts(pact_file, "1", broker_base_url=origin.url, broker_username="ci-user",
                      broker_password=SENTINEL)
    assert origin.requests[0].headers.get("authorization")
    assert [(r.method, r.path) for r in target.requests] == [("GET", "/"), ("POST", "/contracts/publish")]
    assert all("authorization" not in r.headers for r in target.requests)
    assert "credentials are not sent" in caplog.text


def test_307_post_redirect_to_another_origin_keeps_method_and_body_but_not_auth(pact_file):
    with FakeBroker() as target, FakeBroker(username="ci-user", password=SENTINEL) as origin:
        origin.script("POST", "/contracts/publish", 307, None,
                      headers=[("Location", f"http://localhost:{target.port}/contracts/publish")])
        publish_pacts(pact_file, "1", broker_base_url=origin.url, broker_username="ci-user",
                      broker_password=SENTINEL)
    post = target.requests[-1]
    assert post.method == "POST" and post.json["pacticipantName"] == "ConsumerApp"
    assert "authorization" not in post.headers


def test_same_origin_redirect_keeps_credentials(pact_file):
    with FakeBroker(prefix="/broker", username="ci-user", password=SENTINEL) as broker:
        broker.script("GET", "/", 301, None, headers=[("Location", "/broker")])
        result = publish_pacts(pact_file, "1", broker_base_url=broker.origin,
                               broker_username="ci-user", broker_password=SENTINEL)
    assert [(r.path, r.status) for r in broker.requests] == [
        ("/", 301), ("/broker", 200), ("/broker/contracts/publish", 200)]
    assert result.pacts


def test_auth_error_after_cross_origin_link_explains_why(pact_file):
    with FakeBroker(username="ci-user", password=SENTINEL) as target, \
            FakeBroker(username="ci-user", password=SENTINEL) as origin:
        index = origin.index()
        index["_links"]["pb:publish-contracts"]["href"] = f"http://localhost:{target.port}/contracts/publish"
        origin.script("GET", "/", 200, index)
        with pytest.raises(BrokerError, match="Credentials were NOT sent"):
            publish_pacts(pact_file, "1", broker_base_url=origin.url, broker_username="ci-user",
                          broker_password=SENTINEL)


def test_same_origin_rules():
    assert same_origin("http://a:80/x", "http://A/y")
    assert not same_origin("http://a/", "https://a/")
    assert not same_origin("http://a:1/", "http://a:2/")
    assert not same_origin("http://127.0.0.1:1/", "http://localhost:1/")


# -- TLS ---------------------------------------------------------------------------------

@pytest.fixture
def tls_broker(tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with FakeBroker(ssl_context=context) as broker:
        yield broker, str(bundle)


def test_untrusted_certificate_is_a_tls_error_not_retried(tls_broker, pact_file, monkeypatch):
    broker, _ = tls_broker
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    sleeps = Sleeps()
    with pytest.raises(BrokerTLSError, match="REQUESTS_CA_BUNDLE") as info:
        publish_pacts(pact_file, "1", broker_base_url=broker.url, sleep=sleeps)
    assert sleeps == [] and broker.url.startswith("https://")
    assert pickle.loads(pickle.dumps(info.value)).url == broker.url


def test_ca_bundle_option_and_env_are_honoured(tls_broker, pact_file, monkeypatch):
    broker, bundle = tls_broker
    assert publish_pacts(pact_file, "1", broker_base_url=broker.url, ca_bundle=bundle).pacts
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    assert publish_pacts(pact_file, "2", broker_base_url=broker.url).pacts
    assert len([r for r in broker.requests if r.method == "POST"]) == 2


def test_conflict_exception_is_a_runtime_error_for_v2_callers():
    assert issubclass(BrokerConflictError, RuntimeError)


def test_netrc_does_not_replace_the_configured_credentials(pact_file, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login other password other-pw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with FakeBroker(token=SENTINEL_TOKEN) as broker:
        publish_pacts(pact_file, "1", broker_base_url=broker.url, broker_token=SENTINEL_TOKEN)
    assert {r.headers["authorization"] for r in broker.requests} == {f"Bearer {SENTINEL_TOKEN}"}
