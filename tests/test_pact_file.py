"""pact_unittest.pact_file: names, layouts (v1-v4), modes, conflicts, locking, atomicity.

Interactions are built directly in the internal pact form (see model.py), so these
tests depend on nothing but the writer. Real files in tmp dirs, real threads and real
processes; the reference verifiers (Rust ``pact verifier``, Ruby
``pact-provider-verifier``) check that what we write is read as we mean it.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pact_unittest import pact_file
from pact_unittest.pact_file import state as _state
from pact_unittest.pact_file.layout import file_key
from pact_unittest.model import Interaction, ProviderState
from pact_unittest.pact_file import (
    PactConflictError,
    pact_document,
    pact_file_name,
    read_pact,
    render_pact,
    write_pact,
)

REPO = Path(__file__).resolve().parent.parent


def v2(description, path="/x", *, state=None, body=None, status=200, spec="2.0.0", **extra):
    """A v2-form interaction (spec 1/2)."""
    response = {"status": status}
    if body is not None:
        response["headers"] = {"Content-Type": "application/json"}
        response["body"] = body
    response.update(extra.pop("response_extra", {}))
    request = {"method": "GET", "path": path}
    request.update(extra.pop("request_extra", {}))
    states = (ProviderState(state),) if state else ()
    return Interaction(description, request, response, spec_version=spec, provider_states=states, **extra)


def v3(description, request, response, *, states=(), spec="3.0.0", **extra):
    return Interaction(description, request, response, spec_version=spec,
                       provider_states=tuple(states), **extra)


def descriptions(path):
    return [i["description"] for i in read_pact(path)["interactions"]]


# -- spec 1 and 2 layouts ---------------------------------------------------------------------

#: ruby-mock-service.md §9.2 (cases/151) verbatim, the "second copy" written out, plus the
#: final newline we add (Ruby writes none).
RUBY_151 = """{
  "consumer": {
    "name": "Consumer"
  },
  "provider": {
    "name": "Provider"
  },
  "interactions": [
    {
      "description": "gen",
      "request": {
        "method": "GET",
        "path": "/r"
      },
      "response": {
        "status": 200,
        "headers": {
          "Content-Type": "application/json"
        },
        "body": {
          "id": 5,
          "tags": [
            "a1",
            "a1",
            "a1"
          ],
          "nested": [
            {
              "x": 1.5,
              "y": [
                1,
                "s"
              ]
            },
            {
              "x": 1.5,
              "y": [
                1,
                "s"
              ]
            }
          ],
          "n": null,
          "f": 1.0,
          "b": false,
          "u": "ü"
        },
        "matchingRules": {
          "$.body.id": {
            "match": "type"
          },
          "$.body.tags": {
            "min": 3
          },
          "$.body.tags[*].*": {
            "match": "type"
          },
          "$.body.tags[*]": {
            "match": "regex",
            "regex": "a\\\\d"
          },
          "$.body.nested": {
            "min": 2
          },
          "$.body.nested[*].*": {
            "match": "type"
          },
          "$.body.nested[*].x": {
            "match": "type"
          },
          "$.body.nested[*].y[1]": {
            "match": "type"
          }
        }
      }
    }
  ],
  "metadata": {
    "pactSpecification": {
      "version": "2.0.0"
    }
  }
}
"""


def ruby_151_interaction(spec="2.0.0"):
    nested = {"x": 1.5, "y": [1, "s"]}
    rules = {
        "$.body.id": {"match": "type"},
        "$.body.tags": {"min": 3},
        "$.body.tags[*].*": {"match": "type"},
        "$.body.tags[*]": {"match": "regex", "regex": "a\\d"},
        "$.body.nested": {"min": 2},
        "$.body.nested[*].*": {"match": "type"},
        "$.body.nested[*].x": {"match": "type"},
        "$.body.nested[*].y[1]": {"match": "type"},
    }
    body = {"id": 5, "tags": ["a1"] * 3, "nested": [dict(nested), dict(nested)],
            "n": None, "f": 1.0, "b": False, "u": "ü"}
    return Interaction(
        "gen", {"method": "GET", "path": "/r"},
        {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body,
         "matchingRules": rules},
        spec_version=spec,
    )


def test_v2_layout_equals_the_ruby_example_byte_for_byte(tmp_path):
    path = write_pact(tmp_path, "Consumer", "Provider", [ruby_151_interaction()], run_id="r1")
    assert path == tmp_path / "consumer-provider.json"
    assert path.read_bytes() == RUBY_151.encode("utf-8")
    assert render_pact(pact_document("Consumer", "Provider", [ruby_151_interaction()], "2.0.0")) == RUBY_151


def test_v2_interaction_key_order_and_optional_parts():
    interaction = Interaction(
        "create",
        {"method": "POST", "path": "/u", "query": "a=1&b=2", "headers": {"X": "1"},
         "body": {"n": 1}, "matchingRules": {"$.body.n": {"match": "type"}}},
        {"status": 201},
        provider_states=(ProviderState("empty"),),
    )
    doc = pact_document("C", "P", [interaction], "2")
    item = doc["interactions"][0]
    assert list(doc) == ["consumer", "provider", "interactions", "metadata"]
    assert list(item) == ["description", "providerState", "request", "response"]
    assert item["providerState"] == "empty"
    assert list(item["request"]) == ["method", "path", "query", "headers", "body", "matchingRules"]
    # Ruby: response headers always, {} when none; no body key when none was given.
    assert item["response"] == {"status": 201, "headers": {}}


@pytest.mark.parametrize("spec", ["1.0.0", "1.1.0", "1"])
def test_v1_has_no_matching_rules_and_says_major_dot_zero(spec):
    doc = pact_document("C", "P", [ruby_151_interaction(spec="1.0.0")], spec)
    assert doc["metadata"] == {"pactSpecification": {"version": "1.0.0"}}
    response = doc["interactions"][0]["response"]
    assert "matchingRules" not in response
    assert response["body"]["id"] == 5  # reified example values, never json_class objects


def test_spec_family_mismatch_and_non_json_values_are_value_errors():
    with pytest.raises(ValueError, match="internal form of spec 2.0.0"):
        pact_document("C", "P", [v2("a")], "3.0.0")
    with pytest.raises(ValueError, match="'nan'.*cannot be written as JSON"):
        pact_document("C", "P", [v2("nan", body={"x": float("nan")})], "2.0.0")
    with pytest.raises(ValueError, match="unsupported pact specification"):
        pact_document("C", "P", [v2("a")], "5")


# -- spec 3 and 4 layouts -----------------------------------------------------------------------

def v3_interaction(spec="3.0.0", **extra):
    return v3(
        "get user",
        {"method": "GET", "path": "/users/42", "query": {"a": ["1", "2"]},
         "headers": {"Accept": "application/json"},
         "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "/users/\\d+"}]}}},
        {"status": 200, "headers": {"Content-Type": "application/json"},
         "body": {"id": 42, "name": "Ada"},
         "matchingRules": {"body": {"$.name": {"matchers": [{"match": "type"}]}}},
         "generators": {"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9}}}},
        states=(ProviderState("user exists", {"id": 42}), ProviderState("logged in")),
        spec=spec, **extra,
    )


def test_v3_layout():
    doc = pact_document("C", "P", [v3_interaction()], "3.0.0")
    assert doc["metadata"] == {"pactSpecification": {"version": "3.0.0"}}
    item = doc["interactions"][0]
    assert list(item) == ["description", "providerStates", "request", "response"]
    assert item["providerStates"] == [{"name": "user exists", "params": {"id": 42}}, {"name": "logged in"}]
    assert item["request"] == {
        "method": "GET", "path": "/users/42", "query": {"a": ["1", "2"]},
        "headers": {"Accept": "application/json"},
        "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "/users/\\d+"}]}},
    }
    assert list(item["response"]) == ["status", "headers", "body", "matchingRules", "generators"]
    assert item["response"]["body"] == {"id": 42, "name": "Ada"}
    # No headers at all: no headers key (the Rust layout), unlike v2's "headers": {}.
    bare = pact_document("C", "P", [v3("b", {"method": "GET", "path": "/"}, {"status": 204})], "3")
    assert bare["interactions"][0]["response"] == {"status": 204}


def test_v4_layout():
    interaction = v3_interaction(spec="4.0.0", comments={"text": ["hello"], "testname": "t"}, pending=True)
    doc = pact_document("C", "P", [interaction], "4.0")
    assert doc["metadata"] == {"pactSpecification": {"version": "4.0"}}
    item = doc["interactions"][0]
    assert list(item) == ["description", "type", "key", "pending", "comments", "providerStates",
                          "request", "response"]
    assert item["type"] == "Synchronous/HTTP"
    assert item["pending"] is True
    assert item["comments"] == {"text": ["hello"], "testname": "t"}
    assert item["request"]["headers"] == {"Accept": ["application/json"]}
    assert item["request"]["query"] == {"a": ["1", "2"]}
    assert item["response"]["headers"] == {"Content-Type": ["application/json"]}
    assert item["response"]["body"] == {"content": {"id": 42, "name": "Ada"},
                                        "contentType": "application/json", "encoded": False}
    assert len(item["key"]) == 16 and int(item["key"], 16) >= 0


def test_v4_pending_false_and_no_comments_by_default():
    item = pact_document("C", "P", [v3_interaction(spec="4.0.0")], "4.0.0")["interactions"][0]
    assert item["pending"] is False
    assert "comments" not in item


@pytest.mark.parametrize("body, headers, expected", [
    ({"a": 1}, {}, {"content": {"a": 1}, "contentType": "application/json", "encoded": False}),
    ([1, 2], {}, {"content": [1, 2], "contentType": "application/json", "encoded": False}),
    ("hello", {}, {"content": "hello", "contentType": "text/plain", "encoded": False}),
    ('{"a": 1}', {}, {"content": '{"a": 1}', "contentType": "application/json", "encoded": False}),
    ("<?xml version='1.0'?><a/>", {}, {"content": "<?xml version='1.0'?><a/>",
                                       "contentType": "application/xml", "encoded": False}),
    ("a=1&b=2", {"content-type": "application/x-www-form-urlencoded"},
     {"content": "a=1&b=2", "contentType": "application/x-www-form-urlencoded", "encoded": False}),
    (b"\x89PNG\x00\x01", {"Content-Type": "image/png"},
     {"content": "iVBORwAB", "contentType": "image/png", "encoded": "base64"}),
    (b"\xff\x00", {}, {"content": "/wA=", "contentType": "application/octet-stream", "encoded": "base64"}),
    ({"content": "aGk=", "contentType": "text/plain", "encoded": "base64"}, {},
     {"content": "aGk=", "contentType": "text/plain", "encoded": "base64"}),
])
def test_v4_bodies(body, headers, expected):
    interaction = v3("b", {"method": "POST", "path": "/", "headers": headers, "body": body},
                     {"status": 200}, spec="4.0.0")
    assert pact_document("C", "P", [interaction], "4")["interactions"][0]["request"]["body"] == expected


def test_v4_key_is_stable_and_tracks_the_contract_not_comments():
    def key(interaction):
        return pact_document("C", "P", [interaction], "4")["interactions"][0]["key"]

    base = key(v3_interaction(spec="4.0.0"))
    assert base == key(v3_interaction(spec="4.0.0"))
    assert base == key(v3_interaction(spec="4.0.0", comments={"text": ["x"]}, pending=True))
    changed = v3_interaction(spec="4.0.0")
    changed.response["body"]["name"] = "Bob"
    assert key(changed) != base
    chosen = v3_interaction(spec="4.0.0")
    chosen.v4_key = "123ABC"  # a key the user chose (compatibility suite V4 http_consumer)
    assert key(chosen) == "123ABC"


def test_v4_key_is_pinned():
    """The key must not change between releases, or every v4 pact file churns."""
    interaction = v3("a", {"method": "GET", "path": "/"}, {"status": 200}, spec="4.0.0")
    item = pact_document("C", "P", [interaction], "4")["interactions"][0]
    core = {"description": "a", "type": "Synchronous/HTTP",
            "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}
    import hashlib
    text = json.dumps(core, sort_keys=True, separators=(",", ":"))
    assert item["key"] == hashlib.sha256(text.encode()).hexdigest()[:16]


def test_binary_body_in_v3_becomes_text_or_base64():
    text = {"Content-Type": "text/plain; charset=utf-8"}
    binary = {"Content-Type": "application/octet-stream"}
    utf8 = v3("u", {"method": "POST", "path": "/", "headers": text, "body": "é".encode()},
              {"status": 200})
    raw = v3("r", {"method": "POST", "path": "/", "headers": text, "body": b"\xff\x00"},
             {"status": 200})
    # Valid UTF-8 but declared binary: base64, or a verifier would decode the text as base64.
    octets = v3("o", {"method": "POST", "path": "/", "headers": binary, "body": b"abcd"},
                {"status": 200})
    items = pact_document("C", "P", [utf8, raw, octets], "3")["interactions"]
    assert [i["request"]["body"] for i in items] == ["YWJjZA==", "/wA=", "é"]


# -- determinism ----------------------------------------------------------------------------------

def many_interactions(n=30):
    items = []
    for i in range(n):
        items.append(v2(f"request {i % 10}", f"/items/{i}", state=f"state {i // 10}",
                        body={"i": i, "ü": [1, 2.5, None]}))
    return items


def test_same_input_same_bytes_and_shuffled_input_same_bytes(tmp_path):
    items = many_interactions()
    first = render_pact(pact_document("C", "P", items, "2"))
    assert render_pact(pact_document("C", "P", many_interactions(), "2")) == first
    for seed in range(5):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert render_pact(pact_document("C", "P", shuffled, "2")) == first
    keys = [(i["description"], i["providerState"]) for i in json.loads(first)["interactions"]]
    assert keys == sorted(keys)
    assert first.endswith("}\n") and "\\u" not in first  # raw UTF-8, one final newline


def test_split_writes_of_one_run_equal_one_serial_write(tmp_path):
    items = many_interactions()
    serial = write_pact(tmp_path / "serial", "C", "P", items, run_id="s")
    shuffled = list(items)
    random.Random(7).shuffle(shuffled)
    for start in range(0, len(shuffled), 7):
        split = write_pact(tmp_path / "split", "C", "P", shuffled[start:start + 7], run_id="p")
    assert split.read_bytes() == serial.read_bytes()


def test_rewriting_unchanged_content_leaves_the_file_alone(tmp_path):
    path = write_pact(tmp_path, "C", "P", many_interactions(), run_id="r1")
    before = os.stat(path)
    path2 = write_pact(tmp_path, "C", "P", many_interactions(), run_id="r2")
    after = os.stat(path2)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)



# -- fast rendering (pact_unittest.pact_file.text) ------------------------------------------------------

def stdlib_text(document):
    """The reference: what render_pact must equal byte for byte."""
    return json.dumps(document, indent=2, separators=(",", ": "), ensure_ascii=False,
                      allow_nan=False) + "\n"


EDGE_DOCUMENTS = [
    {"consumer": {"name": "C"}, "provider": {"name": "P"}, "interactions": [],
     "metadata": {"pactSpecification": {"version": "2.0.0"}}},
    {"interactions": [{"a": {}, "b": [], "c": [{}], "d": "line\nbreak \"q\" \u2028 \t ü 😀"},
                      1, None, "x", [[]], {"nested": {"deep": [1, 2.5, True, False, None]}}]},
    {"interactions": "not a list", "metadata": {}},
    {"z": 1, "interactions": [{"k": "v"}], "a\nb": {"x": [1, {"y": []}]}},
    {},
    [],
    {"only": []},
]


@pytest.mark.parametrize("spec", ["1.0.0", "2.0.0", "3.0.0", "4.0.0"])
def test_render_pact_equals_the_stdlib_indent_encoder_for_every_layout(spec):
    items = [v3_interaction(spec=spec)] if spec[0] in "34" else many_interactions() + [
        ruby_151_interaction(spec=spec)]
    document = pact_document("Consumer ü", "Provider", items, spec)
    assert render_pact(document) == stdlib_text(document)
    assert render_pact(document) == stdlib_text(document)  # from the text cache this time


@pytest.mark.parametrize("document", EDGE_DOCUMENTS)
def test_render_pact_equals_the_stdlib_indent_encoder_on_edge_documents(document):
    assert render_pact(document) == stdlib_text(document)


def test_render_pact_equals_the_stdlib_indent_encoder_on_any_json():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False,
                                                                                 allow_infinity=False)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20)
    documents = st.dictionaries(st.text(max_size=8), values, max_size=4) | st.fixed_dictionaries(
        {"consumer": values, "interactions": st.lists(values, max_size=5), "metadata": values})

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(documents)
    def check(document):
        assert render_pact(document) == stdlib_text(document)

    check()


def test_render_pact_rejects_nan_like_the_stdlib():
    with pytest.raises(ValueError):
        render_pact({"interactions": [{"x": float("nan")}]})


def test_a_render_cache_gives_the_same_bytes_and_tracks_the_interactions_written(tmp_path):
    cache = {}
    items = many_interactions(12)
    for count in range(1, len(items) + 1):
        path = write_pact(tmp_path / "cached", "C", "P", items[:count], run_id="r", render_cache=cache)
        assert set(cache) == {id(i) for i in items[:count]}
    plain = write_pact(tmp_path / "plain", "C", "P", items, run_id="r")
    assert path.read_bytes() == plain.read_bytes() == stdlib_text(read_pact(plain)).encode()
    # the same objects written for another spec version are rendered for that version
    v1 = write_pact(tmp_path / "v1", "C", "P", items, "1.0.0", run_id="r", render_cache=cache)
    assert "matchingRules" not in v1.read_text()
    assert {entry[1] for entry in cache.values()} == {"1.0.0"}


def test_a_writer_merges_what_another_process_wrote_since_its_own_last_write(tmp_path):
    """The writer skips re-reading a file only when it holds exactly the bytes it wrote."""
    cache = {}
    mine = [v2("mine 1")]
    write_pact(tmp_path, "Consumer", "Provider", mine, run_id="r", render_cache=cache)
    env = dict(os.environ, PACT_UNITTEST_RUN_ID="r",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    subprocess.run([sys.executable, "-c", _WORKER, str(tmp_path), "7", "2"], env=env, check=True)
    mine.append(v2("mine 2"))
    path = write_pact(tmp_path, "Consumer", "Provider", mine, run_id="r", render_cache=cache)
    assert descriptions(path) == ["mine 1", "mine 2", "worker 7 write 0", "worker 7 write 1"]
    # a same-size edit in place (no new inode, maybe the same mtime) is seen too
    text = path.read_text().replace("worker 7 write 1", "worker 7 write 9")
    path.write_text(text)
    mine.append(v2("mine 3"))
    write_pact(tmp_path, "Consumer", "Provider", mine, run_id="r", render_cache=cache)
    assert descriptions(path) == ["mine 1", "mine 2", "mine 3", "worker 7 write 0", "worker 7 write 9"]

# -- names ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("consumer, provider, expected", [
    ("My Web App", "User Service", "my_web_app-user_service.json"),
    ("PRO_vider", "tab\there", "pro_vider-tab_here.json"),
    ("Ünïcode", "ß", "ünïcode-ß.json"),
    ("a/b", "c\\d", "a_b-c_d.json"),
    ("con:sole", 'x<>"|?*y', "con_sole-x______y.json"),
    ("nul\x00l", "ctl\x1f\x7f", "nul_l-ctl__.json"),
    (".hidden", "..", "_hidden-_..json"),
    ("con", "P", "con-p.json"),
    ("NUL.x", "P", "_nul.x-p.json"),
    ("Con.Sumer-2", "PRO_vider", "_con.sumer-2-pro_vider.json"),
])
def test_pact_file_names(consumer, provider, expected):
    assert pact_file_name(consumer, provider) == expected


@pytest.mark.parametrize("evil", [
    "../evil", "../../etc/passwd", "/abs", "/", "a\\b", "..\\..\\x", "con:sole", ".", "..",
    "C:\\Windows", "x/../../y", "\x00", "a\nb", "~", "~/x", "$HOME", "*", "a" * 400,
])
def test_names_never_escape_pact_dir(tmp_path, evil):
    pact_dir = tmp_path / "pacts"
    for consumer, provider in ((evil, "P"), ("C", evil), (evil, evil)):
        path = write_pact(pact_dir, consumer, provider, [v2("a")], run_id="r")
        assert path.parent == pact_dir
        assert path.resolve().parent == pact_dir.resolve()
        assert path.is_file() and path.name.endswith(".json")
        assert len(path.name.encode()) <= 200
        assert read_pact(path)["consumer"]["name"] == consumer  # the name itself is kept
    assert list(tmp_path.iterdir()) == [pact_dir]
    assert all(p.parent == pact_dir and p.is_file() for p in pact_dir.rglob("*"))


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_names_are_rejected(tmp_path, name):
    with pytest.raises(ValueError, match="must not be empty"):
        pact_file_name(name, "P")
    with pytest.raises(ValueError, match="provider name must not be empty"):
        write_pact(tmp_path, "C", name, [v2("a")], run_id="r")
    with pytest.raises(TypeError):
        pact_file_name(None, "P")
    assert list(tmp_path.iterdir()) == []


# -- modes and run ids -------------------------------------------------------------------------------

def test_overwrite_replaces_stale_content_on_a_new_run_and_merges_within_a_run(tmp_path):
    write_pact(tmp_path, "C", "P", [v2("old 1"), v2("old 2")], run_id="run-1")
    write_pact(tmp_path, "C", "P", [v2("kept")], run_id="run-2")
    assert descriptions(tmp_path / "c-p.json") == ["kept"]
    write_pact(tmp_path, "C", "P", [v2("also")], run_id="run-2")  # a later class of run 2
    path = write_pact(tmp_path, "C", "P", [v2("kept")], run_id="run-2")
    assert descriptions(path) == ["also", "kept"]
    run_file = _state.state_paths(path)[1]
    assert run_file.read_text().strip() == "run-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-p.json"]


def test_lock_and_run_id_live_in_a_private_per_user_state_dir_not_in_pact_dir(tmp_path):
    import stat
    import tempfile

    pact_dir = tmp_path / "pacts"
    for run in ("1", "1", "2"):
        for mode in ("overwrite", "merge", "update"):
            path = write_pact(pact_dir, "C", "P", [v2(f"{mode} {run}")], run_id=run, mode=mode)
    assert [p.name for p in pact_dir.iterdir()] == ["c-p.json"]  # nothing to commit but the pact
    lock_file, run_file = _state.state_paths(path)
    state = pact_file.state_dir()
    assert lock_file.parent == run_file.parent == state
    assert state.parent == Path(tempfile.gettempdir())
    if hasattr(os, "getuid"):
        assert state.name == f"pact_unittest-{os.getuid()}"
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert lock_file.name.endswith("-c-p.json.lock") and run_file.name.endswith("-c-p.json.run")
    assert lock_file.is_file() and run_file.read_text().strip() == "2"


def test_state_files_are_per_resolved_pact_path(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    write_pact(one, "C", "P", [v2("a")], run_id="r")
    write_pact(two, "C", "P", [v2("b")], run_id="r")
    lock_one, run_one = _state.state_paths(one / "c-p.json")
    assert lock_one != _state.state_paths(two / "c-p.json")[0]
    link = tmp_path / "link"
    link.symlink_to(one, target_is_directory=True)
    assert _state.state_paths(link / "c-p.json") == (lock_one, run_one)
    write_pact(link, "C", "P", [v2("c")], run_id="r")  # same file, same run: merges
    assert descriptions(one / "c-p.json") == ["a", "c"]


def test_a_wiped_state_file_makes_the_next_write_the_first_of_its_run(tmp_path):
    write_pact(tmp_path, "C", "P", [v2("a")], run_id="r")
    path = write_pact(tmp_path, "C", "P", [v2("b")], run_id="r")
    assert descriptions(path) == ["a", "b"]
    _state.state_paths(path)[1].unlink()  # as a cleaned temp dir would
    write_pact(tmp_path, "C", "P", [v2("c")], run_id="r")
    assert descriptions(path) == ["c"]  # replaced: the safe default
    write_pact(tmp_path, "C", "P", [v2("d")], run_id="r")
    assert descriptions(path) == ["c", "d"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership checks")
def test_the_state_dir_is_created_private_and_a_planted_one_is_refused(tmp_path, monkeypatch):
    import stat
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    state = tmp_path / f"pact_unittest-{os.getuid()}"
    old_umask = os.umask(0)
    try:
        assert pact_file.state_dir() == state
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    state.chmod(0o777)
    pact_file.state_dir()
    assert stat.S_IMODE(state.stat().st_mode) == 0o700  # loosened: tightened again
    state.rmdir()
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir()
    state.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(PermissionError, match="not a directory owned by this user"):
        write_pact(tmp_path / "pacts", "C", "P", [v2("a")], run_id="r")
    assert not (tmp_path / "pacts" / "c-p.json").exists()
    assert list(elsewhere.iterdir()) == []


def test_overwrite_uses_the_settings_run_id_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("PACT_UNITTEST_RUN_ID", "from-env")
    write_pact(tmp_path, "C", "P", [v2("a")])
    write_pact(tmp_path, "C", "P", [v2("b")])
    assert descriptions(tmp_path / "c-p.json") == ["a", "b"]
    monkeypatch.setenv("PACT_UNITTEST_RUN_ID", "next run")
    write_pact(tmp_path, "C", "P", [v2("c")])
    assert descriptions(tmp_path / "c-p.json") == ["c"]
    # This process's own run shrank the file: checked at exit, or now (then not again).
    from pact_unittest.pact_file import shrink as _pact_state

    assert str(tmp_path / "c-p.json") in _pact_state._replaced_here
    assert "2 -> 1 interactions" in (pact_file.warn_if_shrunk(tmp_path / "c-p.json") or "")


def test_zero_interactions_on_the_first_write_of_a_run_empties_the_file(tmp_path):
    write_pact(tmp_path, "C", "P", [v2("stale")], run_id="1")
    path = write_pact(tmp_path, "C", "P", [], run_id="2")
    assert read_pact(path)["interactions"] == []
    path = write_pact(tmp_path, "C", "P", [], spec_version="4.0", mode="merge", run_id="3")
    assert read_pact(path)["interactions"] == []


def test_merge_mode_adds_and_keeps_equal_ones_once(tmp_path):
    write_pact(tmp_path, "C", "P", [v2("b", state="s"), v2("a")], mode="merge", run_id="1")
    path = write_pact(tmp_path, "C", "P", [v2("a"), v2("c"), v2("b", state="other")],
                      mode="merge", run_id="2")
    doc = read_pact(path)
    assert [(i["description"], i.get("providerState")) for i in doc["interactions"]] == [
        ("a", None), ("b", "other"), ("b", "s"), ("c", None)]
    assert path.read_text().count('"description": "a"') == 1


def test_merge_never_conflicts_spuriously_on_what_ruby_trips_over(tmp_path):
    # Ruby §14.1: regexes with "/", form bodies and spec 1 files re-merge as conflicts.
    tricky = v2("t", "/items/1", request_extra={
        "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "a=1&b=x",
        "matchingRules": {"$.path": {"match": "regex", "regex": "\\/items\\/\\d+"}}})
    for spec in ("1.0.0", "2.0.0"):
        tricky.spec_version = spec
        first = write_pact(tmp_path / spec, "C", "P", [tricky], spec, mode="merge", run_id="1")
        content = first.read_bytes()
        again = write_pact(tmp_path / spec, "C", "P", [tricky], spec, mode="merge", run_id="2")
        assert again.read_bytes() == content


def test_update_mode_replaces_a_same_key_interaction(tmp_path):
    write_pact(tmp_path, "C", "P", [v2("a", body={"v": 1})], mode="merge", run_id="1")
    path = write_pact(tmp_path, "C", "P", [v2("a", body={"v": 2})], mode="update", run_id="2")
    assert read_pact(path)["interactions"][0]["response"]["body"] == {"v": 2}


def test_none_mode_writes_nothing_and_modes_are_checked(tmp_path):
    path = write_pact(tmp_path / "d", "C", "P", [v2("a")], mode="none")
    assert path == tmp_path / "d" / "c-p.json" and not (tmp_path / "d").exists()
    assert write_pact(tmp_path, "C", "P", [v2("a")], mode=" Merge ", run_id="1").is_file()
    with pytest.raises(ValueError, match="unknown pact file write mode 'append'"):
        write_pact(tmp_path, "C", "P", [v2("a")], mode="append")


def test_merging_into_a_corrupt_or_empty_file_replaces_it_with_a_warning(tmp_path, caplog):
    path = tmp_path / "c-p.json"
    for junk in (b"", b"{not json", b"[1, 2]", b"\xff\xfe", b'{"interactions": 3}'):
        path.write_bytes(junk)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="pact_unittest.pact_file"):
            write_pact(tmp_path, "C", "P", [v2("a")], mode="merge", run_id="1")
        assert descriptions(path) == ["a"]
        assert str(path) in caplog.text and "replacing it" in caplog.text


def test_merging_across_spec_versions_is_refused(tmp_path):
    path = write_pact(tmp_path, "C", "P", [v2("a")], "2.0.0", run_id="1")
    before = path.read_bytes()
    with pytest.raises(PactConflictError, match="spec 3 interactions into .* a spec 2 pact"):
        write_pact(tmp_path, "C", "P", [v3_interaction()], "3.0.0", mode="merge", run_id="2")
    assert path.read_bytes() == before
    # A new run in overwrite mode simply replaces it.
    write_pact(tmp_path, "C", "P", [v3_interaction()], "3.0.0", run_id="3")
    assert read_pact(path)["metadata"]["pactSpecification"]["version"] == "3.0.0"


def test_merge_keeps_foreign_interactions_and_ignores_foreign_v4_keys(tmp_path):
    ours = v3_interaction(spec="4.0.0")
    item = pact_document("C", "P", [ours], "4")["interactions"][0]
    foreign = json.loads(json.dumps(item))
    foreign["key"] = "rust-computed"
    message = {"type": "Asynchronous/Messages", "description": "get user", "key": "m",
               "contents": {"content": "x"}}
    path = tmp_path / "c-p.json"
    path.write_text(json.dumps({"consumer": {"name": "C"}, "provider": {"name": "P"},
                                "interactions": [message, foreign],
                                "metadata": {"pactSpecification": {"version": "4.0"}}}))
    write_pact(tmp_path, "C", "P", [ours], "4.0.0", mode="merge", run_id="1")
    written = read_pact(path)["interactions"]
    assert [i["type"] for i in written] == ["Asynchronous/Messages", "Synchronous/HTTP"]
    assert written[1] == item  # ours replaces the equal one written by another tool


# -- conflicts --------------------------------------------------------------------------------------

def test_conflict_within_one_write(tmp_path):
    one = v2("get", state="s", body={"id": 1}, origin="test_one")
    two = v2("get", state="s", body={"id": 2}, origin="test_two")
    with pytest.raises(PactConflictError) as info:
        write_pact(tmp_path, "C", "P", [one, two], run_id="1")
    text = str(info.value)
    assert "'get' (given 's')" in text and "test_one" in text and "test_two" in text
    assert "response.body.id: 1 != 2" in text
    assert info.value.differences == ("response.body.id: 1 != 2",)
    assert not (tmp_path / "c-p.json").exists()
    # Identical duplicates are fine and written once.
    path = write_pact(tmp_path, "C", "P", [one, v2("get", state="s", body={"id": 1})], run_id="1")
    assert descriptions(path) == ["get"]


@pytest.mark.parametrize("mode, run", [("merge", "2"), ("overwrite", "1")])
def test_conflict_with_the_file_leaves_it_untouched(tmp_path, mode, run):
    path = write_pact(tmp_path, "C", "P", [v2("get", body={"id": 1}), v2("other")], run_id="1")
    before = path.read_bytes()
    changed = v2("get", body={"id": 1}, request_extra={"headers": {"Accept": "text/html"}})
    with pytest.raises(PactConflictError) as info:
        write_pact(tmp_path, "C", "P", [v2("new"), changed], mode=mode, run_id=run)
    assert path.read_bytes() == before
    text = str(info.value)
    assert str(path) in text and "'get'" in text and "request.headers" in text
    assert "already in the file" in text and "left untouched" in text
    assert isinstance(info.value, ValueError)


def test_json_types_are_compared_strictly(tmp_path):
    # In Python 1 == True == 1.0; in a pact file they are different contracts.
    for a, b in ((1, True), (1, 1.0), (0, False)):
        with pytest.raises(PactConflictError, match=f"response.body.v: {json.dumps(a)} != {json.dumps(b)}"):
            write_pact(tmp_path, "C", "P", [v2("x", body={"v": a}), v2("x", body={"v": b})], run_id="1")
        write_pact(tmp_path, "C", "P", [v2("x", body={"v": a})], run_id=f"r{a!r}")
        with pytest.raises(PactConflictError):
            write_pact(tmp_path, "C", "P", [v2("x", body={"v": b})], mode="merge", run_id="2")


def test_run_id_is_compared_stripped_and_must_not_be_empty(tmp_path):
    write_pact(tmp_path, "C", "P", [v2("a")], run_id=" r1\n")
    write_pact(tmp_path, "C", "P", [v2("b")], run_id="r1")
    assert descriptions(tmp_path / "c-p.json") == ["a", "b"]
    with pytest.raises(ValueError, match="run_id"):
        write_pact(tmp_path, "C", "P", [v2("c")], run_id="  ")


def test_conflict_error_pickles():
    error = PactConflictError("boom", "first", "second", ["a: 1 != 2"], "/p.json")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.first, copy.second, copy.differences, copy.path) == (
        "boom", "first", "second", ("a: 1 != 2",), "/p.json")
    assert isinstance(copy, ValueError)
    plain = pickle.loads(pickle.dumps(PactConflictError("only a message")))
    assert str(plain) == "only a message" and plain.differences == ()


# -- reading -------------------------------------------------------------------------------------------

def test_read_pact(tmp_path):
    path = write_pact(tmp_path, "Consumer", "Provider", [ruby_151_interaction()], run_id="1")
    assert read_pact(path) == json.loads(RUBY_151)
    bad = tmp_path / "bad.json"
    for junk in (b"", b"{", b"null", b"\xff"):
        bad.write_bytes(junk)
        with pytest.raises(ValueError, match="bad.json"):
            read_pact(bad)


def test_file_key_agrees_with_interaction_key():
    for spec in ("2.0.0", "3.0.0", "4.0.0"):
        interaction = v3_interaction(spec=spec) if spec != "2.0.0" else v2("a", state="s")
        item = pact_document("C", "P", [interaction], spec)["interactions"][0]
        assert file_key(item)[1:] == interaction.key()


# -- concurrency ------------------------------------------------------------------------------------

def test_readers_always_see_whole_json_while_writers_write(tmp_path):
    path = write_pact(tmp_path, "C", "P", [v2("seed", body={"pad": "x" * 5000})], run_id="r")
    stop = threading.Event()
    reads, errors = [], []

    def reader():
        while not stop.is_set():
            try:
                reads.append(len(read_pact(path)["interactions"]))
            except ValueError as exc:  # a torn file
                errors.append(exc)

    def writer(n):
        for i in range(15):
            write_pact(tmp_path, "C", "P", [v2(f"w{n}-{i}", body={"pad": "y" * 5000})], run_id="r")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads + writers:
        thread.start()
    for thread in writers:
        thread.join()
    settled = len(reads)  # let each reader finish a read begun after the last write
    while len(reads) < settled + 4 and not errors:
        threading.Event().wait(0.001)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert reads and max(reads) == 61
    assert len(read_pact(path)["interactions"]) == 61
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-p.json"]


def test_a_failed_replace_leaves_the_old_file_and_no_temp_files(tmp_path, monkeypatch):
    path = write_pact(tmp_path, "C", "P", [v2("a")], run_id="1")
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        write_pact(tmp_path, "C", "P", [v2("b")], run_id="2")
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_lock_held_too_long_is_a_timeout_error(tmp_path, monkeypatch):
    from filelock import FileLock

    monkeypatch.setattr(_state, "LOCK_TIMEOUT", 0.05)
    holder = FileLock(str(_state.state_paths(tmp_path / "c-p.json")[0]))
    held, release = threading.Event(), threading.Event()

    def hold():  # another thread, its own lock file descriptor: like another process
        with holder:
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(30)
    try:
        with pytest.raises(TimeoutError, match=r"c-p\.json within .* lock file .*-c-p\.json\.lock"):
            write_pact(tmp_path, "C", "P", [v2("a")], run_id="1")
    finally:
        release.set()
        thread.join()
    assert not (tmp_path / "c-p.json").exists()
    assert write_pact(tmp_path, "C", "P", [v2("a")], run_id="1").is_file()


_WORKER = r"""
import sys
from pact_unittest.model import Interaction
from pact_unittest.pact_file import write_pact
pact_dir, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    interaction = Interaction(f"worker {worker} write {i}", {"method": "GET", "path": f"/{worker}/{i}"},
                              {"status": 200, "headers": {}, "body": {"worker": worker, "i": i}})
    write_pact(pact_dir, "Consumer", "Provider", [interaction])
"""

#: Like a mock service session: each write passes every interaction so far, with a cache.
_ACCUMULATING_WORKER = r"""
import sys
from pact_unittest.model import Interaction
from pact_unittest.pact_file import write_pact
pact_dir, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cache, mine = {}, []
for i in range(count):
    mine.append(Interaction(f"worker {worker} write {i}", {"method": "GET", "path": f"/{worker}/{i}"},
                            {"status": 200, "headers": {}, "body": {"worker": worker, "i": i}}))
    write_pact(pact_dir, "Consumer", "Provider", mine, render_cache=cache)
"""


@pytest.mark.parametrize("worker", [_WORKER, _ACCUMULATING_WORKER], ids=["one-each", "accumulating"])
def test_four_processes_writing_one_pact_lose_nothing(tmp_path, worker):
    pact_dir = tmp_path / "pacts"
    write_pact(pact_dir, "Consumer", "Provider", [v2("stale from an earlier run")], run_id="old")
    env = dict(os.environ, PACT_UNITTEST_RUN_ID="shared-run",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    count = 20
    procs = [subprocess.Popen([sys.executable, "-c", worker, str(pact_dir), str(n), str(count)],
                              env=env, stderr=subprocess.PIPE) for n in range(4)]
    failures = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        if proc.returncode:
            failures.append(err.decode())
    assert failures == []
    path = pact_dir / "consumer-provider.json"
    expected = sorted(f"worker {n} write {i}" for n in range(4) for i in range(count))
    assert descriptions(path) == expected  # stale content gone, every write there, sorted
    serial = write_pact(tmp_path / "serial", "Consumer", "Provider", [
        Interaction(f"worker {n} write {i}", {"method": "GET", "path": f"/{n}/{i}"},
                    {"status": 200, "headers": {}, "body": {"worker": n, "i": i}})
        for n in range(4) for i in range(count)], run_id="x")
    assert path.read_bytes() == serial.read_bytes()


# -- the official verifiers read what we write --------------------------------------------------------

def verifiable_interactions(spec):
    get_user = v3(
        "a request for user 42",
        {"method": "GET", "path": "/users/42", "query": {"detail": ["full"]},
         "headers": {"Accept": "application/json"}},
        {"status": 200, "headers": {"Content-Type": "application/json"},
         "body": {"id": 42, "name": "Ada", "roles": ["admin"]},
         "matchingRules": {"body": {"$.name": {"matchers": [{"match": "type"}]},
                                    "$.roles": {"matchers": [{"match": "type", "min": 1}]}}}},
        states=(ProviderState("user 42 exists", {"id": 42}),), spec=spec,
    )
    text = v3("a request for a greeting", {"method": "GET", "path": "/hello"},
              {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "hello"}, spec=spec)
    create = v3("a request to create a user",
                {"method": "POST", "path": "/users", "headers": {"Content-Type": "application/json"},
                 "body": {"name": "Bob"}},
                {"status": 201}, spec=spec)
    return [get_user, text, create]


def provider(honest=True):
    from provider_app import ProviderApp, Route

    json_type = {"Content-Type": "application/json"}
    return ProviderApp([
        Route("GET", "/users/42", 200, {"id": 42, "name": "Someone" if honest else 7,
                                        "roles": ["reader", "admin"]}, json_type,
              query={"detail": ["full"]}, state="user 42 exists"),
        Route("GET", "/hello", 200, "hello" if honest else "bye", {"Content-Type": "text/plain"}),
        Route("POST", "/users", 201, None, {}),
    ])


@pytest.mark.reference
@pytest.mark.parametrize("spec", ["3.0.0", "4.0.0"])
def test_rust_verifier_accepts_our_v3_and_v4_files(tmp_path, spec):
    from reference import verify_with_rust

    path = write_pact(tmp_path, "C", "P", verifiable_interactions(spec), spec, run_id="1")
    with provider() as app:
        ok, output = verify_with_rust(path, app.host, app.port, app.states_url)
    assert ok, output
    assert "a request for user 42" in output
    with provider(honest=False) as app:  # the same file must catch a broken provider
        ok, output = verify_with_rust(path, app.host, app.port, app.states_url)
    assert not ok, output
    assert "$.name" in output and "using equality" in output


@pytest.mark.reference
def test_rust_verifier_reads_v4_pending(tmp_path):
    from reference import verify_with_rust

    interactions = verifiable_interactions("4.0.0")
    for interaction in interactions:
        interaction.pending = True
    path = write_pact(tmp_path, "C", "P", interactions, "4.0.0", run_id="1")
    with provider(honest=False) as app:
        ok, output = verify_with_rust(path, app.host, app.port, app.states_url)
    assert ok, output  # failures of pending interactions are reported but don't fail
    assert "pending" in output.lower() and "$.name" in output


@pytest.mark.reference
def test_ruby_verifier_accepts_our_v2_file(tmp_path):
    from reference import verify_with_ruby

    get_user = Interaction(
        "a request for user 42",
        {"method": "GET", "path": "/users/42", "query": "detail=full",
         "headers": {"Accept": "application/json"}},
        {"status": 200, "headers": {"Content-Type": "application/json"},
         "body": {"id": 42, "name": "Ada", "roles": ["admin"]},
         "matchingRules": {"$.body.name": {"match": "type"}, "$.body.roles": {"min": 1},
                           "$.body.roles[*].*": {"match": "type"}}},
        provider_states=(ProviderState("user 42 exists"),),
    )
    text = v2("a request for a greeting", "/hello",
              response_extra={"headers": {"Content-Type": "text/plain"}, "body": "hello"})
    path = write_pact(tmp_path, "C", "P", [get_user, text], "2.0.0", run_id="1")
    with provider() as app:
        ok, output = verify_with_ruby(path, app.base_url, app.states_url)
    assert ok, output
    with provider(honest=False) as app:
        ok, output = verify_with_ruby(path, app.base_url, app.states_url)
    assert not ok, output


def test_a_run_that_ends_with_fewer_interactions_than_it_replaced_is_warned_once(
        tmp_path, caplog):
    three = [v2("a", "/a"), v2("b", "/b"), v2("c", "/c")]
    path = write_pact(tmp_path, "C", "P", three, run_id="run-1")
    assert pact_file.warn_if_shrunk(path, "run-1") is None  # nothing was replaced
    write_pact(tmp_path, "C", "P", [v2("b", "/b")], run_id="run-2")  # first write: replaces
    with caplog.at_level(logging.WARNING, logger="pact_unittest"):
        message = pact_file.warn_if_shrunk(path, "run-2")
        assert pact_file.warn_if_shrunk(path, "run-2") is None  # once per file
    assert message is not None and "3 -> 1 interactions (dropped 'a', 'c')" in message
    assert "file_write_mode='merge'" in message
    assert [r.getMessage() for r in caplog.records if r.name == "pact_unittest"] == [message]
    # A later write of the same run merges back what the first one dropped: a whole run.
    write_pact(tmp_path, "C", "P", [v2("c", "/c"), v2("a", "/a")], run_id="run-3")
    write_pact(tmp_path, "C", "P", [v2("b", "/b")], run_id="run-3")
    assert pact_file.warn_if_shrunk(path, "run-3") is None
    # Merge mode never replaces, so it never warns.
    write_pact(tmp_path, "C", "P", [v2("a", "/a")], mode="merge", run_id="run-4")
    assert pact_file.warn_if_shrunk(path, "run-4") is None
