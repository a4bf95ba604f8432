"""@interaction (records metadata only) and the settings resolution of PactMixin classes."""
from __future__ import annotations

import functools
import os
import unittest

import pytest

from pact_unittest.testcase.decorator import (
    CLASS_ATTR,
    METHOD_ATTR,
    InteractionDecorator,
    class_interactions,
    interaction,
    method_interactions,
)
from pact_unittest.testcase.settings import resolve_class_settings
from pact_unittest.matchers import Like, Term
from pact_unittest.testcase import PactMixin, PactTestCase


def _i(desc: str, **kw: object) -> InteractionDecorator:
    return interaction(
        upon_receiving=desc,
        with_request=kw.pop("with_request", {"method": "GET", "path": "/" + desc}),
        will_respond_with=kw.pop("will_respond_with", {"status": 200}),
        **kw,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------ decorator


def test_method_decorator_returns_the_function_itself_and_stacks_in_source_order():
    def test_x(self):
        pass

    decorated = _i("a")(_i("b")(_i("c")(test_x)))
    assert decorated is test_x  # no wrapper: nothing nests
    assert [d.description for d in getattr(test_x, METHOD_ATTR)] == ["a", "b", "c"]
    assert [d.description for d in method_interactions(test_x)] == ["a", "b", "c"]


def test_stacking_keeps_unittest_markers_working_in_any_order():
    @_i("a")
    @unittest.skip("why")
    @_i("b")
    def test_x(self):
        pass

    assert test_x.__unittest_skip__ is True
    assert [d.description for d in method_interactions(test_x)] == ["a", "b"]


def test_one_decorator_object_can_be_reused_on_several_tests():
    shared = _i("shared")

    @shared
    def test_a(self):
        pass

    @shared
    def test_b(self):
        pass

    assert method_interactions(test_a) == [shared] == method_interactions(test_b)


def test_class_decorator_appends_to_the_class_own_list_never_the_parents():
    @_i("base")
    class Base(unittest.TestCase):
        pass

    @_i("child-1")
    @_i("child-2")
    class Child(Base):
        pass

    assert Child.__dict__[CLASS_ATTR] is not Base.__dict__[CLASS_ATTR]
    assert [d.description for d in class_interactions(Base)] == ["base"]
    assert [d.description for d in class_interactions(Child)] == ["base", "child-1", "child-2"]


@pytest.mark.parametrize(
    "target",
    [42, "text", staticmethod(lambda: None), functools.partial(print), object()],
    ids=["int", "str", "staticmethod", "partial", "object"],
)
def test_anything_but_a_function_or_a_class_is_a_type_error(target):
    with pytest.raises(TypeError, match="decorates a test method or a TestCase class"):
        _i("x")(target)


def test_missing_arguments_are_type_errors_at_decoration_time():
    with pytest.raises(TypeError, match="upon_receiving"):
        interaction(with_request={}, will_respond_with={})
    with pytest.raises(TypeError, match="with_request= and will_respond_with="):
        interaction("desc", with_request={"method": "GET", "path": "/"})


@pytest.mark.parametrize(
    "given, expected",
    [
        ("state", [{"name": "state"}]),
        (("state", {"id": 1}), [{"name": "state", "params": {"id": 1}}]),
        ({"a": {"x": 1}, "b": None}, [{"name": "a", "params": {"x": 1}}, {"name": "b"}]),
        (["a", ("b", {"y": 2})], [{"name": "a"}, {"name": "b", "params": {"y": 2}}]),
    ],
)
def test_given_forms_in_v3(given, expected):
    wire = _i("d", given=given).to_wire("3.0.0")
    assert wire["providerStates"] == expected


def test_given_in_v2_is_provider_state_and_params_need_v3():
    assert _i("d", given="state").to_wire("2.0.0")["providerState"] == "state"
    with pytest.raises(ValueError, match="need pact specification 3"):
        _i("d", given=("state", {"id": 1})).to_wire("2.0.0")
    with pytest.raises(TypeError, match="given= takes"):
        _i("d", given=42)


def test_matchers_go_to_their_wire_form_and_request_objects_are_accepted():
    from pact_unittest.v2.request_response import Request, Response

    deco = interaction(
        "d",
        with_request=Request("GET", "/users/1", headers={"X-Id": Term(r"\d+", "1")}),
        will_respond_with={"status": 200, "body": Like({"id": 1})},
    )
    wire = deco.to_wire("2.0.0")
    assert wire["request"]["method"].lower() == "get"
    assert wire["request"]["headers"]["X-Id"]["json_class"] == "Pact::Term"
    assert wire["response"]["body"]["json_class"] == "Pact::SomethingLike"
    deco = interaction("d", with_request={"method": "GET", "path": "/"},
                       will_respond_with=Response(201))
    assert deco.to_wire("2.0.0")["response"]["status"] == 201


def test_the_decorator_keeps_the_values_as_they_were_when_it_was_applied():
    """Frozen to wire JSON text at decoration: a dict reused and changed for the next
    test does not change this one's interaction, and every test gets fresh dicts."""
    request = {"method": "GET", "path": "/a", "headers": {"Accept": "application/json"}}
    first = interaction("first", with_request=request, will_respond_with={"status": 200})
    request["path"] = "/b"
    request["headers"]["Accept"] = "text/plain"
    second = interaction("second", with_request=request, will_respond_with={"status": 200})
    assert first.to_wire("2.0.0")["request"] == {
        "method": "GET", "path": "/a", "headers": {"Accept": "application/json"}}
    assert second.to_wire("2.0.0")["request"]["path"] == "/b"
    once = first.to_wire("2.0.0")
    once["request"]["path"] = "/changed by a test"
    assert first.to_wire("2.0.0")["request"]["path"] == "/a"
    assert first.with_request["path"] == "/a" and first.will_respond_with == {"status": 200}
    assert not hasattr(first, "__dict__")  # one per decorated test: slots only


@pytest.mark.parametrize("body", [
    b"\x00\x01 bytes",        # no JSON form: kept as given
    {1: "an int key"},        # JSON would make it "1"
    float("nan"),             # not JSON
])
def test_values_without_an_exact_json_form_are_kept_as_given(body):
    deco = interaction("d", with_request={"method": "POST", "path": "/", "body": body},
                       will_respond_with={"status": 200})
    assert deco._wire is None
    got = deco.to_wire("2.0.0")["request"]["body"]
    assert got == body or (got != got and body != body)  # nan is nan


def test_an_argument_that_cannot_be_converted_still_fails_when_the_test_runs():
    deco = interaction("d", with_request=["not", "a", "dict"], will_respond_with={"status": 200})
    with pytest.raises(TypeError, match="with_request takes a dict"):
        deco.to_wire("2.0.0")


# ------------------------------------------------------------------ settings


def _cls(**attrs: object) -> type:
    return type("Contract", (PactTestCase,), dict(attrs, __module__="tests.example"))


def test_defaults(monkeypatch):
    for name in list(os.environ):
        if name.startswith("PACT_UNITTEST_") and name != "PACT_UNITTEST_RUN_ID":
            monkeypatch.delenv(name)
    from pact_unittest.testcase import settings as _settings_table

    monkeypatch.setattr(_settings_table, "_base_dir", None)  # another test's chdir is gone
    cfg = resolve_class_settings(_cls(consumer="C", provider="P"))
    assert (cfg.host, cfg.port, cfg.specification_version, cfg.file_write_mode) == (
        "127.0.0.1", 0, "2.0.0", "overwrite")
    assert cfg.pact_dir == os.path.abspath("pacts")
    assert (cfg.ssl, cfg.cors, cfg.publish_to_broker) == (False, False, False)


def test_class_attribute_beats_environment_beats_default(monkeypatch, tmp_path):
    monkeypatch.setenv("PACT_UNITTEST_PACT_DIR", str(tmp_path))
    monkeypatch.setenv("PACT_UNITTEST_SPECIFICATION_VERSION", "3")
    monkeypatch.setenv("PACT_UNITTEST_CORS", "yes")
    monkeypatch.setenv("PACT_UNITTEST_PORT", "1234")
    monkeypatch.setenv("PACT_UNITTEST_CONSUMER", "EnvConsumer")
    cfg = resolve_class_settings(_cls(provider="P", port=0, cors=False))
    assert cfg.pact_dir == str(tmp_path)
    assert cfg.specification_version == "3.0.0"
    assert cfg.consumer == "EnvConsumer"
    assert cfg.port == 0 and cfg.cors is False  # explicit class attributes win, even falsy


@pytest.mark.parametrize(
    "env, message",
    [
        ({"PACT_UNITTEST_SSL": "maybe"}, "PACT_UNITTEST_SSL='maybe' is not a boolean"),
        ({"PACT_UNITTEST_PORT": "http"}, "PACT_UNITTEST_PORT='http' is not a port number"),
        ({"PACT_UNITTEST_SPECIFICATION_VERSION": "5"},
         "PACT_UNITTEST_SPECIFICATION_VERSION (for tests.example.Contract): unsupported pact "
         "specification version '5'"),
        ({"PACT_UNITTEST_FILE_WRITE_MODE": "append"},
         "PACT_UNITTEST_FILE_WRITE_MODE='append' (for tests.example.Contract): use one of"),
        ({"PACT_UNITTEST_PORT": "70000"},
         "PACT_UNITTEST_PORT=70000 (for tests.example.Contract): use a port number"),
    ],
)
def test_bad_environment_values_are_named(monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as info:
        resolve_class_settings(_cls(consumer="C", provider="P"))
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"specification_version": "5"},
         "tests.example.Contract.specification_version: unsupported pact specification"),
        ({"file_write_mode": "append"}, "tests.example.Contract.file_write_mode='append': use"),
        ({"port": -1}, "tests.example.Contract.port=-1: use a port number"),
    ],
)
def test_bad_class_attributes_are_named_even_with_the_variable_set(monkeypatch, attrs, message):
    for name in attrs:  # the class attribute wins, so it is the one named
        monkeypatch.setenv(f"PACT_UNITTEST_{name.upper()}", "3" if name != "file_write_mode" else "merge")
    with pytest.raises(ValueError) as info:
        resolve_class_settings(_cls(consumer="C", provider="P", **attrs))
    assert str(info.value).startswith(message), str(info.value)


def test_missing_consumer_and_provider_name_the_class(monkeypatch):
    monkeypatch.delenv("PACT_UNITTEST_CONSUMER", raising=False)
    monkeypatch.delenv("PACT_UNITTEST_PROVIDER", raising=False)
    with pytest.raises(ValueError) as info:
        resolve_class_settings(_cls(consumer="C"))
    assert "tests.example.Contract needs a provider" in str(info.value)
    assert "PACT_UNITTEST_PROVIDER" in str(info.value)
    with pytest.raises(ValueError, match="needs a consumer and a provider"):
        resolve_class_settings(_cls())


def test_mixin_after_testcase_is_refused():
    with pytest.raises(TypeError, match="put PactMixin before the TestCase base"):
        type("Wrong", (unittest.TestCase, PactMixin), {})


def test_service_key_separates_what_needs_its_own_service():
    a = resolve_class_settings(_cls(consumer="C", provider="P"))
    b = resolve_class_settings(_cls(consumer="C", provider="P", specification_version="3.0.0"))
    c = resolve_class_settings(_cls(consumer="C", provider="P", pact_dir="elsewhere"))
    same = resolve_class_settings(_cls(consumer="C", provider="P", port=None))
    assert len({a.service_key, b.service_key, c.service_key}) == 3
    assert a.service_key == same.service_key
