"""The broker client against a fake broker answering as the recorded transcripts do.

Request conformance: for the Ruby CLI's recorded scenarios, our client (given the same
inputs) sends the same requests in the same order with the same information; the pact
content is compared decoded. Allowed differences, on purpose: User-Agent and
Accept-Encoding, header order and case, contracts' order within the body (compared sorted
by provider), and the legacy fallback's ``GET`` of each pact, which the Ruby client makes
only to print a warning.
"""
from __future__ import annotations

import json
import pickle

import pytest

from fake_broker import (
    SENTINEL,
    FakeBroker,
    Sleeps,
    credentials,
    decoded,
    header,
    load_transcript,
    needs_transcripts,
    pact_files_for,
    publish_request,
    sample_pact_files,
    sequence,
)
from pact_unittest.broker import (
    BrokerAuthError,
    BrokerClient,
    BrokerConfigError,
    BrokerConflictError,
    BrokerError,
    BrokerProtocolError,
    BrokerUnavailableError,
    BrokerValidationError,
    publish_pacts,
)
from pact_unittest.broker import errors as broker_errors
from reference import free_port

pytestmark = needs_transcripts()

MODERN_RUBY = [
    "stub/ruby_publish_modern_basic",
    "stub/ruby_publish_modern_token",
    "stub/ruby_publish_modern_merge",
    "stub/pact_python_v2_broker_publish",
    "real/real_ruby_publish_new_version",
    "real/real_ruby_publish_no_branch",
    "real/real_ruby_republish_same_content",
    "real/real_auth_ruby_basic_ok",
    "real/real_pact_python_v2_broker_publish",
]


def _prefix(transcript):
    first = transcript["exchanges"][0]["request"]["path"]
    return first.rstrip("/") if first.count("/") == 1 else ""


def _inputs(transcript, tmp_path):
    """Our publish_pacts arguments for the scenario the Ruby CLI recorded."""
    request = publish_request(transcript)
    body = request["body_json"]
    files = pact_files_for(request["decoded_contracts"], tmp_path / "pacts")
    kwargs = dict(branch=body.get("branch"), tags=body.get("tags", []),
                  build_url=body.get("buildUrl"),
                  merge=any(c.get("onConflict") == "merge" for c in body["contracts"]))
    kwargs.update(credentials(request["headers"]))
    return files, body["pacticipantVersionNumber"], kwargs


@pytest.mark.parametrize("name", MODERN_RUBY)
def test_same_requests_as_the_ruby_cli(name, tmp_path):
    transcript = load_transcript(name)
    files, version, kwargs = _inputs(transcript, tmp_path)
    with FakeBroker(prefix=_prefix(transcript)) as broker:
        broker.replay(transcript)
        result = publish_pacts(files, version, broker_base_url=broker.url, sleep=Sleeps(), **kwargs)
    ours = broker.requests
    assert [(r.method, r.path) for r in ours] == sequence(transcript)
    for mine, exchange in zip(ours, transcript["exchanges"]):
        theirs = exchange["request"]
        assert mine.headers.get("accept") == header(theirs["headers"], "Accept")
        assert mine.headers.get("authorization") == header(theirs["headers"], "Authorization")
        assert mine.headers.get("content-type") == header(theirs["headers"], "Content-Type")
        if theirs.get("body_json") is not None:
            assert decoded(mine.json) == decoded(theirs["body_json"])
    assert result.api == "contracts"
    assert [n.text for n in result.notices] == [
        broker._rewrite(n["text"]) for n in transcript["exchanges"][-1]["response"]["body_json"]["notices"]]
    assert broker.pending() == []


def test_notices_are_returned_in_order_and_render_like_the_cli(tmp_path):
    transcript = load_transcript("real/real_ruby_publish_new_version")
    files, version, kwargs = _inputs(transcript, tmp_path)
    with FakeBroker() as broker:
        broker.replay(transcript)
        result = publish_pacts(files, version, broker_base_url=broker.url, **kwargs)
    assert result.text() + "\n" == transcript["stdout"].replace(
        "http://127.0.0.1:9300", broker.origin)
    assert result.broker_version == "2.112.0"
    urls = {p.provider: p.url for p in result.pacts}
    assert urls["OtherAPI"] == broker.origin + "/pacts/provider/OtherAPI/consumer/ConsumerApp/version/1.0.0"


def test_fallback_to_the_older_api_sends_what_ruby_sends(tmp_path):
    transcript = load_transcript("stub/ruby_publish_old_api_fallback")
    pact_requests = [e["request"] for e in transcript["exchanges"]
                     if e["request"]["path"].startswith("/old/pacts/") and e["request"]["method"] == "PUT"]
    files = pact_files_for([r["body_json"] for r in pact_requests], tmp_path / "pacts")
    with FakeBroker(prefix="/old") as broker:
        broker.replay(transcript)
        result = publish_pacts(tmp_path / "pacts", "2.0.0", branch="main", tags=["main", "dev"],
                               build_url="https://ci.example/builds/43", broker_base_url=broker.url,
                               broker_username="ci-user", broker_password="not-a-real-secret")
    expected = [(m, p) for m, p in sequence(transcript)
                if not (m == "GET" and "/pacts/" in p)]  # Ruby's GETs only print a warning
    assert [(r.method, r.path) for r in broker.requests] == expected
    assert not any("contracts/publish" in r.path for r in broker.requests)
    put_bodies = [r.json for r in broker.requests if r.method == "PUT" and "/pacts/" in r.path]
    assert put_bodies == [r["body_json"] for r in pact_requests]
    tag_puts = [r for r in broker.requests if "/tags/" in r.path]
    assert all(r.body == b"" and r.headers["content-type"] == "application/json" for r in tag_puts)
    assert all(r.headers["authorization"].startswith("Basic ") for r in broker.requests)
    assert result.api == "legacy" and len(result.pacts) == len(files)
    warnings = [n.text for n in result.notices if n.type == "warning"]
    assert any("build URL" in w for w in warnings) and any("branch" in w for w in warnings)


def test_fallback_puts_branch_version_before_tags_and_pact_when_advertised(tmp_path):
    files = sample_pact_files(tmp_path)
    with FakeBroker(publish_contracts=False, branch_versions=True) as broker:
        publish_pacts(files, "2.0.0", branch="feat/x", tags=["main"], broker_base_url=broker.url)
    assert [(r.method, r.path) for r in broker.requests] == [
        ("GET", "/"),
        ("PUT", "/pacticipants/ConsumerApp/branches/feat%2Fx/versions/2.0.0"),
        ("PUT", "/pacticipants/ConsumerApp/versions/2.0.0/tags/main"),
        ("PUT", "/pacts/provider/ProviderAPI/consumer/ConsumerApp/version/2.0.0"),
    ]
    # the branch is escaped in the expanded template: one path segment (feat%2Fx)
    assert broker.requests[1].headers["content-type"] == "application/json"


def test_fallback_merge_uses_patch_like_ruby(tmp_path):
    transcript = load_transcript("stub/ruby_publish_old_api_merge")
    req = [e["request"] for e in transcript["exchanges"] if e["request"]["method"] == "PATCH"][0]
    files = pact_files_for([req["body_json"]], tmp_path)
    with FakeBroker(prefix="/old") as broker:
        broker.replay(transcript)
        publish_pacts(files, "2.0.2", merge=True, broker_base_url=broker.url)
    assert [(r.method, r.path) for r in broker.requests] == [
        (m, p) for m, p in sequence(transcript) if m != "GET" or p == "/old"]
    assert broker.requests[-1].json == req["body_json"]


def test_one_post_per_consumer_with_all_its_pacts(tmp_path):
    pacts = tmp_path / "pacts"
    pacts.mkdir()
    for consumer, provider in (("A", "P1"), ("A", "P2"), ("B", "P1")):
        (pacts / f"{consumer}-{provider}.json").write_text(json.dumps(
            {"consumer": {"name": consumer}, "provider": {"name": provider}, "interactions": []}))
    with FakeBroker() as broker:
        result = publish_pacts(pacts, "1.0.0", broker_base_url=broker.url)
    posts = [r.json for r in broker.requests if r.method == "POST"]
    assert [(p["pacticipantName"], [c["providerName"] for c in p["contracts"]]) for p in posts] == [
        ("A", ["P1", "P2"]), ("B", ["P1"])]
    assert len(result.pacts) == 3
    assert all("onConflict" not in c for p in posts for c in p["contracts"])


def test_sent_content_is_the_file_bytes(tmp_path):
    raw = b'{\n  "consumer": {"name": "C"},\n  "provider": {"name": "P"},\n  "interactions": []\n}\n'
    (tmp_path / "c-p.json").write_bytes(raw)
    with FakeBroker() as broker:
        publish_pacts(tmp_path / "c-p.json", "1", broker_base_url=broker.url)
    import base64
    assert base64.b64decode(broker.requests[-1].json["contracts"][0]["content"]) == raw


# -- recorded error answers -> exceptions ------------------------------------------------

ERROR_CASES = [
    # transcript, which request gets the recorded answer, exception, text the message must show
    ("real/real_ruby_publish_changed_content_409", "publish", BrokerConflictError,
     ['"name": "Bob"', "Cannot change the content", "new consumer version"]),
    ("real/real_ruby_publish_merge", "publish", BrokerConflictError, ["Cannot change the content"]),
    ("real/probe_on_conflict_merge_new_interaction", "publish", BrokerConflictError,
     ['"description": "another request"']),
    ("stub/ruby_publish_conflict_409", "publish", BrokerConflictError, ["Cannot change the content"]),
    ("real/real_ruby_old_api_changed_content_409", "legacy", BrokerConflictError,
     ["Cannot change the content", "new consumer version"]),
    ("stub/ruby_publish_old_api_conflict_409", "legacy", BrokerConflictError, ["Cannot change the content"]),
    ("stub/ruby_publish_invalid_400", "publish", BrokerValidationError,
     ["pacticipantVersionNumber: pacticipantVersionNumber must be filled",
      "contracts[0].content: content must be filled"]),
    ("stub/ruby_publish_problem_json_400", "publish", BrokerValidationError,
     ["pacticipantVersionNumber: pacticipantVersionNumber must be filled"]),
    ("real/probe_missing_version_problem_json_400", "publish", BrokerValidationError,
     ["pacticipantVersionNumber: is missing"]),
    ("real/probe_missing_version_400", "publish", BrokerValidationError,
     ["pacticipantVersionNumber: is missing"]),
    ("real/probe_bad_base64_400", "publish", BrokerValidationError,
     ["contracts: is not valid Base64 (at index 0)",
      "contracts: content could not be parsed as application/json (at index 0)"]),
    ("real/probe_blank_tag_400", "publish", BrokerValidationError, ["tags: must be filled (at index 0)"]),
    ("real/probe_consumer_name_mismatch_400", "publish", BrokerValidationError,
     ["consumerName ('ConsumerApp') must match pacticipantName ('SomeoneElse')"]),
    ("real/probe_provider_name_mismatch_400", "publish", BrokerValidationError,
     ["must match providerName in contract params"]),
    ("real/probe_wrong_content_type_400", "publish", BrokerValidationError,
     ["contentType must be one of: application/json"]),
    ("real/probe_wrong_specification_400", "publish", BrokerValidationError,
     ["specification must be one of: pact"]),
    ("real/probe_invalid_json_400", "publish", BrokerValidationError, ["JSON::ParserError"]),
    ("real/probe_old_put_pact_name_mismatch_400", "legacy", BrokerValidationError,
     ["consumer.name: name in pact 'ConsumerApp' does not match name in URL path 'Wrong'."]),
    ("real/real_auth_ruby_no_credentials_401", "index", BrokerAuthError,
     ["requires authentication", "PACT_BROKER_USERNAME", "PACT_BROKER_TOKEN"]),
    ("real/real_auth_ruby_wrong_password_401", "index", BrokerAuthError,
     ["rejected the Basic credentials", "PACT_BROKER_PASSWORD"]),
    ("stub/ruby_publish_unauth_401", "index", BrokerAuthError, ["rejected the Basic credentials"]),
    ("real/real_auth_ruby_bearer_on_basic_broker_401", "index", BrokerAuthError,
     ["Bearer", "basic auth", "PACT_BROKER_USERNAME"]),
    ("real/probe_text_plain_415", "publish", BrokerProtocolError, ["415", "JSON"]),
    ("real/probe_get_not_allowed_405", "publish", BrokerProtocolError, ["405", "Pact Broker"]),
    ("real/probe_get_pact_404", "index", BrokerProtocolError, ["404", "PACT_BROKER_BASE_URL"]),
]


@pytest.mark.parametrize("name,where,exc_type,shown", ERROR_CASES,
                         ids=[c[0].split("/")[1] for c in ERROR_CASES])
def test_recorded_error_answers_map_to_exceptions(name, where, exc_type, shown, tmp_path):
    transcript = load_transcript(name)
    recorded = transcript["exchanges"][-1]
    auth_header = header(recorded["request"]["headers"], "Authorization")
    files = sample_pact_files(tmp_path)
    creds = credentials(recorded["request"]["headers"]) if auth_header else {}
    with FakeBroker(publish_contracts=(where != "legacy")) as broker:
        path = {"index": "/", "publish": "/contracts/publish",
                "legacy": "/pacts/provider/ProviderAPI/consumer/ConsumerApp/version/6.0.0"}[where]
        method = {"index": "GET", "publish": "POST", "legacy": "PUT"}[where]
        fake = dict(transcript, exchanges=[{"request": {"method": method, "path": path},
                                            "response": recorded["response"]}])
        broker.replay(fake)
        sleeps = Sleeps()
        with pytest.raises(exc_type) as info:
            publish_pacts(files, "6.0.0", broker_base_url=broker.url, sleep=sleeps, **creds)
    exc = info.value
    message = str(exc)
    for text in shown:
        assert text in message, message
    assert "What to do" in message
    assert exc.status == recorded["response"]["status"]
    assert exc.method == method and exc.url == (broker.url if path == "/" else broker.origin + path)
    assert sleeps == []  # none of these answers is retried
    assert sum(1 for r in broker.requests if r.method == method and r.path == path) == 1
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is exc_type and str(clone) == message and clone.notices == exc.notices
    assert clone.errors == exc.errors and clone.status == exc.status


def test_conflict_carries_the_broker_notices_with_the_diff(tmp_path):
    transcript = load_transcript("real/real_ruby_publish_changed_content_409")
    files, version, kwargs = _inputs(transcript, tmp_path)
    with FakeBroker() as broker:
        broker.replay(transcript)
        with pytest.raises(BrokerConflictError) as info:
            publish_pacts(files, version, broker_base_url=broker.url, **kwargs)
    notices = transcript["exchanges"][-1]["response"]["body_json"]["notices"]
    assert info.value.notices == tuple((n["type"], n["text"]) for n in notices)
    for line in notices[1]["text"].splitlines():  # the diff, columns kept
        assert "  " + line in str(info.value)
    assert isinstance(info.value, RuntimeError)  # v2 code catching RuntimeError still works


# -- retries -----------------------------------------------------------------------------

def test_recorded_503s_are_retried_with_backoff(tmp_path):
    transcript = load_transcript("stub/ruby_publish_flaky_503")
    files, version, kwargs = _inputs(transcript, tmp_path)
    sleeps = Sleeps()
    with FakeBroker(prefix="/flaky") as broker:
        broker.replay(transcript)
        result = publish_pacts(files, version, broker_base_url=broker.url, sleep=sleeps, **kwargs)
    assert [(r.method, r.path) for r in broker.requests] == sequence(transcript)
    assert sleeps == [0.5, 1.0]
    assert "Pact successfully published" in result.text()
    bodies = [r.body for r in broker.requests if r.method == "POST"]
    assert bodies[0] == bodies[1] == bodies[2]


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_retryable_statuses_give_up_after_max_retries(status, tmp_path):
    files = sample_pact_files(tmp_path)
    sleeps = Sleeps()
    with FakeBroker() as broker:
        for _ in range(5):
            broker.script("POST", "/contracts/publish", status, "busy", content_type="text/plain")
        with pytest.raises(BrokerUnavailableError) as info:
            publish_pacts(files, "1", broker_base_url=broker.url, sleep=sleeps)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert info.value.status == status and "after 5 attempts" in str(info.value)
    assert len([r for r in broker.requests if r.method == "POST"]) == 5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500])
def test_other_statuses_are_not_retried(status, tmp_path):
    files = sample_pact_files(tmp_path)
    sleeps = Sleeps()
    with FakeBroker() as broker:
        broker.script("POST", "/contracts/publish", status, {"error": "no"})
        with pytest.raises(BrokerError) as info:
            publish_pacts(files, "1", broker_base_url=broker.url, sleep=sleeps)
    assert sleeps == [] and info.value.status == status
    assert len([r for r in broker.requests if r.method == "POST"]) == 1
    if status == 500:
        assert isinstance(info.value, BrokerUnavailableError)


def test_retry_after_seconds_and_http_date_are_honoured(tmp_path):
    import email.utils
    import time
    files = sample_pact_files(tmp_path)
    sleeps = Sleeps()
    with FakeBroker() as broker:
        broker.script("POST", "/contracts/publish", 429, None, headers=[("Retry-After", "7")])
        date = email.utils.formatdate(time.time() + 20, usegmt=True)
        broker.script("POST", "/contracts/publish", 503, None, headers=[("Retry-After", date)])
        broker.script("POST", "/contracts/publish", 503, None, headers=[("Retry-After", "3600")])
        publish_pacts(files, "1", broker_base_url=broker.url, sleep=sleeps)
    assert sleeps[0] == 7.0
    assert 15.0 <= sleeps[1] <= 21.0
    assert sleeps[2] == 30.0  # capped


def test_dropped_connection_is_retried(tmp_path):
    files = sample_pact_files(tmp_path)
    sleeps = Sleeps()
    with FakeBroker() as broker:
        broker.script("GET", "/", drop=True)
        result = publish_pacts(files, "1", broker_base_url=broker.url, sleep=sleeps)
    assert sleeps == [0.5] and result.pacts


def test_connection_refused_is_unavailable_after_retries_without_waiting(tmp_path):
    files = sample_pact_files(tmp_path)
    sleeps = Sleeps()
    port = free_port()  # nothing listens there
    with pytest.raises(BrokerUnavailableError) as info:
        publish_pacts(files, "1", broker_base_url=f"http://127.0.0.1:{port}/nothing", sleep=sleeps)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert f"127.0.0.1:{port}" in str(info.value) and "after 5 attempts" in str(info.value)
    assert "PACT_BROKER_BASE_URL" in str(info.value)


# -- discovery and configuration --------------------------------------------------------

def test_index_without_any_publish_relation_is_a_protocol_error(tmp_path):
    files = sample_pact_files(tmp_path)
    with FakeBroker() as broker:
        broker.script("GET", "/", 200, {"_links": {"self": {"href": broker.url}}})
        with pytest.raises(BrokerProtocolError, match="pb:publish-contracts"):
            publish_pacts(files, "1", broker_base_url=broker.url)
        broker.script("GET", "/", 200, "<html>not a broker</html>", content_type="text/html")
        with pytest.raises(BrokerProtocolError, match="HAL index"):
            publish_pacts(files, "1", broker_base_url=broker.url)


def test_missing_url_names_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    with pytest.raises(BrokerConfigError, match="PACT_BROKER_BASE_URL"):
        publish_pacts(tmp_path, "1")


def test_environment_supplies_url_and_token_and_token_wins(monkeypatch, tmp_path):
    files = sample_pact_files(tmp_path)
    with FakeBroker(token="not-a-real-token") as broker:
        monkeypatch.setenv("PACT_BROKER_BASE_URL", broker.url)
        monkeypatch.setenv("PACT_BROKER_USERNAME", "ci-user")
        monkeypatch.setenv("PACT_BROKER_PASSWORD", "pw")
        monkeypatch.setenv("PACT_BROKER_TOKEN", "not-a-real-token")
        publish_pacts(files, "1")
    assert {r.headers["authorization"] for r in broker.requests} == {"Bearer not-a-real-token"}


def test_credentials_in_the_url_become_basic_auth_and_leave_the_url(tmp_path):
    files = sample_pact_files(tmp_path)
    with FakeBroker(username="ci-user", password=SENTINEL) as broker:
        url = broker.url.replace("http://", f"http://ci-user:{SENTINEL}@")
        with BrokerClient(url) as client:
            assert client.config.base_url == broker.url
            client.publish_pacts(files, "1")
    assert all(r.status == 200 for r in broker.requests)


@pytest.mark.parametrize("kwargs,text", [
    (dict(consumer_version=""), "No consumer version"),
    (dict(consumer_version="1\n2"), "single line"),
    (dict(consumer_version="1", branch=" "), "branch must not be blank"),
    (dict(consumer_version="1", tags=["ok", ""]), "non-blank"),
])
def test_bad_version_properties_fail_before_sending(kwargs, text, tmp_path):
    files = sample_pact_files(tmp_path)
    with FakeBroker() as broker:
        version = kwargs.pop("consumer_version")
        with pytest.raises(BrokerConfigError, match=text):
            publish_pacts(files, version, broker_base_url=broker.url, **kwargs)
    assert broker.requests == []


def test_bad_pact_files_fail_before_sending(tmp_path):
    (tmp_path / "a.json").write_text("[1, 2]")
    (tmp_path / "b.json").write_text('{"consumer": {"name": "C"}}')
    with FakeBroker() as broker:
        with pytest.raises(BrokerConfigError, match="top level is not an object"):
            publish_pacts(tmp_path / "a.json", "1", broker_base_url=broker.url)
        with pytest.raises(BrokerConfigError, match="no provider.name"):
            publish_pacts(tmp_path / "b.json", "1", broker_base_url=broker.url)
        with pytest.raises(BrokerConfigError, match="does not exist"):
            publish_pacts(tmp_path / "nope", "1", broker_base_url=broker.url)
        with pytest.raises(BrokerConfigError, match="No pact files"):
            publish_pacts([], "1", broker_base_url=broker.url)
    assert broker.requests == []


def test_default_version_warns(tmp_path, caplog):
    files = sample_pact_files(tmp_path)
    with FakeBroker() as broker:
        with pytest.warns(UserWarning, match="0.0.0"):
            publish_pacts(files, "0.0.0", broker_base_url=broker.url)
    assert any("0.0.0" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_dry_run_sends_nothing_and_masks(tmp_path):
    files = sample_pact_files(tmp_path)
    with FakeBroker() as broker:
        result = publish_pacts(files, "1", branch="main", broker_base_url=broker.url,
                               broker_username="u", broker_password=SENTINEL, dry_run=True)
    assert broker.requests == [] and result.dry_run
    text = json.dumps(list(result.planned))
    assert SENTINEL not in text and "Basic ********" in text
    post = result.planned[1]["json"]
    assert post["branch"] == "main"
    assert "1 interaction(s)" in post["contracts"][0]["content"]["summary"]


def test_every_exception_pickles():
    for name in broker_errors.__all__:
        cls = getattr(broker_errors, name)
        exc = cls("msg", status=409, url="http://x/", method="POST",
                  notices=[("error", "e")], errors=["a: b"])
        clone = pickle.loads(pickle.dumps(exc))
        assert type(clone) is cls and clone.args == exc.args
        assert (clone.status, clone.url, clone.method, clone.notices, clone.errors) == (
            409, "http://x/", "POST", (("error", "e"),), ("a: b",))
