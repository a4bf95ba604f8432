"""Matchers: pact-python v2 wire forms (compared with pact-python 2.3.3 itself), validation,
the spec-3/4 matchers' FFI wire forms, and that every example satisfies its own rules."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from reference import pact_python_interpreter, reference_env

from pact_unittest.matching.javatime import format_java, java_pattern_regex
from pact_unittest.matchers import (
    ArrayContaining, Boolean, Date, DateTime, Decimal, EachKeyLike, EachLike, EachValueLike,
    Equality, Format, Include, Integer, Like, Matcher, NotEmpty, Null, Number, Regex, Semver,
    SomethingLike, Term, Time, Timestamp, Type, Values, from_term, get_generated_values,
)
from pact_unittest.model.wire import parse_interaction, to_wire

# Expressions evaluated both here and in pact-python 2.3.3 (same names in both namespaces).
V2_EXPRESSIONS = [
    "from_term(Term(r'\\d+', '123'))",
    "from_term(Term('/items/\\\\d+', '/items/7'))",
    "from_term(Like(1))",
    "from_term(SomethingLike({'a': 'b', 'n': None, 'f': 1.5}))",
    "from_term(Like([1, 's', Term('x+', 'xx')]))",
    "from_term(EachLike('a'))",
    "from_term(EachLike({'id': Like(1), 'tags': EachLike(Term('[a-z]+', 'ab'), minimum=2)}, minimum=3))",
    "from_term({'k': [Like(True), EachLike(Like(1.0))], 'u': 'ü'})",
    "from_term(None)",
    "from_term([1, 'x', {'a': Like(2)}])",
] + [f"from_term(Format().{name})" for name in (
    "integer", "identifier", "decimal", "ip_address", "ipv6_address", "hexadecimal", "uuid",
    "timestamp", "date", "time", "iso_datetime", "iso_datetime_ms")] + [
    "get_generated_values({'a': Like(1), 'b': EachLike(Term('\\\\d', '7'), minimum=2)})",
    "get_generated_values([Format().uuid, Format().iso_datetime_ms, Format().time, True, None])",
    "get_generated_values(EachLike({'x': SomethingLike([1, 2])}, minimum=2))",
    "Format.Regexes.__name__",
]


def _ours(expr: str):
    return eval(expr, {  # noqa: S307 - fixed test expressions
        "from_term": from_term, "get_generated_values": get_generated_values, "Term": Term,
        "Like": Like, "SomethingLike": SomethingLike, "EachLike": EachLike, "Format": Format})


def test_v2_wire_forms_equal_pact_python_2_3_3():
    interpreter = pact_python_interpreter()
    if interpreter is None:
        pytest.skip("pact-python 2.3.3 reference venv not found (PACT_UNITTEST_REF_VENV)")
    script = (
        "import json, sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from pact.matchers import EachLike, Format, Like, SomethingLike, Term, from_term, "
        "get_generated_values\n"
        "exprs = json.load(sys.stdin)\n"
        "print(json.dumps([eval(e) for e in exprs]))\n"
    )
    proc = subprocess.run([str(interpreter), "-c", script], input=json.dumps(V2_EXPRESSIONS),
                          capture_output=True, text=True, env=reference_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    theirs = json.loads(proc.stdout)
    ours = json.loads(json.dumps([_ours(e) for e in V2_EXPRESSIONS]))
    for expr, mine, ref in zip(V2_EXPRESSIONS, ours, theirs):
        assert mine == ref, expr
    # And byte-equal JSON (key order included), which is what ends up on the wire.
    assert json.dumps(ours) == json.dumps(theirs)


def test_term_wire_form_and_example():
    term = Term(r"\d+", "12")
    assert term.generate() == {"json_class": "Pact::Term", "data": {
        "generate": "12", "matcher": {"json_class": "Regexp", "o": 0, "s": r"\d+"}}}
    assert term.example() == "12"
    assert term.to_ffi() == {"pact:matcher:type": "regex", "regex": r"\d+", "value": "12"}
    assert Regex is Term and Type is Like and SomethingLike is Like and DateTime is Timestamp


def test_term_example_must_match_whole_regex():
    with pytest.raises(ValueError) as info:
        Term(r"\d+", "12a")
    assert "'12a'" in str(info.value) and r"'\\d+'" in str(info.value)
    with pytest.raises(ValueError, match="invalid Term regex"):
        Term("a(", "a")
    with pytest.raises(ValueError, match="must be a string"):
        Term(r"\d+", 12)


def test_format_time_keeps_pact_python_form_but_is_rejected_on_registration():
    # pact-python 2.3.3's Format().time pairs '12:30:00' with a regex needing a leading 'T';
    # Ruby rejected it at PUT, we reject it at parse time with the same information.
    assert Format().time.generate()["data"]["generate"] == "12:30:00"
    with pytest.raises(ValueError, match="does not match regular expression"):
        parse_interaction(to_wire({"description": "d", "request": {"method": "GET", "path": "/"},
                                   "response": {"status": 200, "body": Format().time}}), "2.0.0")


def test_every_other_format_example_matches_its_regex_fully():
    fmt = Format()
    for name in ("ip_address", "ipv6_address", "hexadecimal", "uuid", "timestamp", "date",
                 "iso_datetime", "iso_datetime_ms"):
        term = getattr(fmt, name)
        assert re.fullmatch(term.matcher, term.example()), name


def test_each_like_minimum_gives_that_many_examples_and_is_validated():
    assert EachLike({"a": Like(1)}, minimum=2).example() == [{"a": 1}, {"a": 1}]
    assert get_generated_values(EachLike("x", 3)) == ["x", "x", "x"]
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="minimum"):
            EachLike("x", minimum=bad)


def test_like_rejects_non_json_contents():
    with pytest.raises(TypeError, match="Like contents"):
        Like(object())
    with pytest.raises(ValueError, match="Unknown type"):
        from_term({"a": object()})


def test_repr_and_eq():
    assert repr(EachLike(Like(1), minimum=2)) == "EachLike(Like(1), minimum=2)"
    assert repr(Term("a+", "aa")) == "Term('a+', 'aa')"
    assert eval(repr(Integer(5))) == Integer(5)  # noqa: S307
    assert Like(1) == Like(1) and Like(1) != Like(2) and Like(1) != Term("1", "1")
    assert Date("yyyy", "2020") == Date("yyyy", "2020") != Date("yyyy", "2021")
    assert Like(1) != 1
    with pytest.raises(TypeError):
        hash(Like(1))


V3_CASES = [
    (Integer(42), {"pact:matcher:type": "integer", "value": 42}, 42),
    (Integer(), {"pact:matcher:type": "integer", "pact:generator:type": "RandomInt",
                 "min": 0, "max": 2147483647, "value": 1}, 1),
    (Integer(min=5, max=9), {"pact:matcher:type": "integer", "pact:generator:type": "RandomInt",
                             "min": 5, "max": 9, "value": 5}, 5),
    (Decimal(1.5), {"pact:matcher:type": "decimal", "value": 1.5}, 1.5),
    (Decimal(), {"pact:matcher:type": "decimal", "pact:generator:type": "RandomDecimal",
                 "digits": 6, "value": 12.34}, 12.34),
    (Number(7), {"pact:matcher:type": "number", "value": 7}, 7),
    (Number(), {"pact:matcher:type": "number", "pact:generator:type": "RandomInt", "min": 0,
                "max": 2147483647, "value": 1}, 1),
    (Boolean(False), {"pact:matcher:type": "boolean", "value": False}, False),
    (Boolean(), {"pact:matcher:type": "boolean", "pact:generator:type": "RandomBoolean",
                 "value": True}, True),
    (Date(), {"pact:matcher:type": "date", "format": "yyyy-MM-dd",
              "pact:generator:type": "Date", "value": "2000-02-01"}, "2000-02-01"),
    (Date("dd/MM/yyyy", "19/07/2023"), {"pact:matcher:type": "date", "format": "dd/MM/yyyy",
                                        "value": "19/07/2023"}, "19/07/2023"),
    (Time(), {"pact:matcher:type": "time", "format": "HH:mm:ss", "pact:generator:type": "Time",
              "value": "12:30:00"}, "12:30:00"),
    (Timestamp(), {"pact:matcher:type": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss",
                   "pact:generator:type": "DateTime", "value": "2000-02-01T12:30:00"},
     "2000-02-01T12:30:00"),
    (Include("ell"), {"pact:matcher:type": "include", "value": "ell"}, "ell"),
    (Null(), {"pact:matcher:type": "null", "value": None}, None),
    (Equality({"a": 1}), {"pact:matcher:type": "equality", "value": {"a": 1}}, {"a": 1}),
    # Matchers nested in a v3 matcher are in FFI form too (one format per subtree).
    (Values({"x": Like(1)}), {"pact:matcher:type": "values", "value": {
        "x": {"pact:matcher:type": "type", "value": 1}}}, {"x": 1}),
    (EachKeyLike({"ab": 1}, Term("[a-z]+", "ab")), {
        "pact:matcher:type": "eachKey",
        "rules": [{"pact:matcher:type": "regex", "regex": "[a-z]+", "value": "ab"}],
        "value": {"ab": 1}}, {"ab": 1}),
    (EachValueLike({"k": "v"}), {"pact:matcher:type": "eachValue",
                                 "rules": [{"pact:matcher:type": "type", "value": "v"}],
                                 "value": {"k": "v"}}, {"k": "v"}),
    (ArrayContaining([Integer(1), "x"]), {"pact:matcher:type": "arrayContains", "variants": [
        {"pact:matcher:type": "integer", "value": 1}, "x"]}, [1, "x"]),
    (NotEmpty("x"), {"pact:matcher:type": "notEmpty", "value": "x"}, "x"),
    (Semver(), {"pact:matcher:type": "semver", "value": "1.0.0"}, "1.0.0"),
]


@pytest.mark.parametrize("matcher,wire,example", V3_CASES, ids=lambda v: repr(v)[:40])
def test_v3_wire_form_and_example(matcher, wire, example):
    assert matcher.generate() == wire
    assert json.loads(json.dumps(matcher.generate())) == wire  # JSON-serialisable
    assert get_generated_values(matcher) == example
    assert isinstance(matcher, Matcher)


@pytest.mark.parametrize("build,message", [
    (lambda: Integer(1.5), "Integer example"),
    (lambda: Integer(True), "Integer example"),
    (lambda: Decimal(1), "Decimal example"),
    (lambda: Number("1"), "Number example"),
    (lambda: Boolean(1), "Boolean example"),
    (lambda: Date("yyyy-MM-dd", "19/07/2023"), "does not fit the format"),
    (lambda: Date("yyyy-MM-dd", "2000-02-30"), "does not fit"),  # checked as the engine does
    (lambda: Date("yyyy-MM-dd'T"), "unterminated quote"),
    (lambda: Date("yyyy-MM-dd bb"), "unknown pattern letter"),
    (lambda: Include(3), "Include value"),
    (lambda: Values([]), "Values example"),
    (lambda: EachKeyLike({}), "EachKeyLike example"),
    (lambda: ArrayContaining([]), "ArrayContaining"),
    (lambda: NotEmpty(""), "NotEmpty example"),
    (lambda: Semver("1.0"), "Semver example"),
])
def test_v3_matchers_validate_their_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize("pattern,expected", [
    ("yyyy-MM-dd", "2000-02-01"),
    ("yy/M/d", "00/2/1"),
    ("dd MMM yyyy", "01 Feb 2000"),
    ("EEEE, MMMM d, yyyy", "Tuesday, February 1, 2000"),
    ("EEE, dd MMM yyyy HH:mm:ss Z", "Tue, 01 Feb 2000 12:30:00 +0000"),
    ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2000-02-01T12:30:00.000Z"),
    ("yyyy-MM-dd'T'HH:mm:ssxxx", "2000-02-01T12:30:00+00:00"),
    ("hh:mm a", "12:30 PM"),
    ("D", "32"),
    ("HH 'o''clock'", "12 o'clock"),
])
def test_java_patterns_format_locale_free_and_match_their_regex(pattern, expected):
    assert format_java(pattern) == expected
    assert java_pattern_regex(pattern).fullmatch(expected)


def test_date_time_examples_are_checked_against_the_format():
    assert Timestamp("yyyy-MM-dd HH:mm:ssZZZZZ", "2020-05-21 16:44:32+10:00").example()
    with pytest.raises(ValueError):
        Time("HH:mm", "12:30:00")


def _v3_interaction(body):
    return {"description": "self-check", "request": {"method": "GET", "path": "/"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": body}}


SELF_CHECK = {
    "int": Integer(), "int_given": Integer(-3), "dec": Decimal(), "num": Number(2.5),
    "bool": Boolean(), "date": Date(), "date_fmt": Date("dd.MM.yyyy"), "time": Time(),
    "ts": Timestamp(), "ts_zone": Timestamp("yyyy-MM-dd'T'HH:mm:ssXXX"),
    "inc": Include("needle"), "null": Null(), "eq": Equality({"a": [1, 2]}),
    "values": Values({"k1": Like(1)}), "keys": EachKeyLike({"abc": 1}, Term("[a-z]+", "abc")),
    "vals": EachValueLike({"a": "x", "b": "y"}), "contains": ArrayContaining([Integer(1), "x"]),
    "nonempty": NotEmpty([1]), "semver": Semver("2.10.0-rc.1"), "like": Like({"x": Integer(3)}),
    "each": EachLike({"d": Date()}, minimum=2), "term": Term(r"\d+", "42"),
}


@pytest.mark.parametrize("spec", ["3.0.0", "4.0.0"])
def test_v3_examples_satisfy_their_own_rules(spec):
    matching = pytest.importorskip("pact_unittest.matching", reason="matching engine not there yet")
    interaction = parse_interaction(to_wire(_v3_interaction(SELF_CHECK)), spec)
    actual = {"status": 200, "headers": {"Content-Type": "application/json"},
              "body": interaction.response["body"]}
    mismatches = matching.match_response(interaction.response, actual, spec)
    assert mismatches == []
    # ... and the rules are not vacuous: a wrong value is caught.
    wrong = json.loads(json.dumps(actual))
    wrong["body"]["int"] = "1"
    wrong["body"]["date"] = "01/02/2000"
    wrong["body"]["inc"] = "haystack"
    kinds = {m.path for m in matching.match_response(interaction.response, wrong, spec)}
    assert {"$.int", "$.date", "$.inc"} <= kinds, kinds


def test_v4_matcher_rules_reach_the_engine_and_catch_wrong_values():
    matching = pytest.importorskip("pact_unittest.matching", reason="matching engine not there yet")
    body = {"k": EachKeyLike({"abc": 1}, Term("[a-z]+", "abc")),
            "c": ArrayContaining([Integer(1), "x"]), "v": EachValueLike({"a": "x"}, Term("[a-z]", "x")),
            "n": NotEmpty("x"), "s": Semver(), "nl": Null(), "b": Boolean(), "e": Equality("q")}
    interaction = parse_interaction(to_wire(_v3_interaction(body)), "4.0.0")
    good = {"status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"k": {"xyz": 1}, "c": [5, "x", "extra"], "v": {"z": "q"}, "n": "y",
                     "s": "3.1.4", "nl": None, "b": False, "e": "q"}}
    assert matching.match_response(interaction.response, good, "4.0.0") == []
    bad = {"status": 200, "headers": {"Content-Type": "application/json"},
           "body": {"k": {"ABC": 1}, "c": ["y", 2], "v": {"a": "XX"}, "n": "", "s": "1.0",
                    "nl": 0, "b": "yes", "e": "r"}}
    paths = {m.path for m in matching.match_response(interaction.response, bad, "4.0.0")}
    assert {"$.k.ABC", "$.c", "$.v.a", "$.n", "$.s", "$.nl", "$.b", "$.e"} <= paths, paths


# --- arguments are checked when a matcher is built (QA: Integer(min=5, max=1)) ----------

@pytest.mark.parametrize("build,message", [
    (lambda: Integer(min=5, max=1), "Integer(min=5, max=1): min must not be greater than max"),
    (lambda: Integer(min="1"), "Integer(min='1'): min must be an int, got '1'"),
    (lambda: Integer(max=2.5), "Integer(max=2.5): max must be an int, got 2.5"),
    (lambda: Integer(min=True), "Integer(min=True): min must be an int, got True"),
    (lambda: Integer(0, min=5), "Integer(example=0, min=5): the example is outside min..max"),
    (lambda: Integer(9, max=5), "Integer(example=9, max=5): the example is outside min..max"),
    (lambda: Decimal(digits=0), "Decimal(digits=0): digits must be at least 1, got 0"),
    (lambda: Decimal(digits="6"), "Decimal(digits='6'): digits must be an int, got '6'"),
    (lambda: Date(format=""), "Date(format=''): format must be a non-empty string"),
    (lambda: Timestamp(format=None, example=5), "Timestamp example 5 does not fit"),
    (lambda: EachKeyLike({"a": 1}, "[a-z]+"), "EachKeyLike key_matcher must be a matcher"),
    (lambda: EachValueLike({"a": 1}, 5), "EachValueLike value_matcher must be a matcher"),
])
def test_bad_matcher_arguments_fail_where_the_matcher_is_written(build, message):
    with pytest.raises(ValueError) as caught:
        build()
    assert str(caught.value).startswith(message)


def test_integer_bounds_shape_only_the_generator():
    assert Integer(min=2, max=9).to_ffi() == {
        "pact:matcher:type": "integer", "pact:generator:type": "RandomInt",
        "min": 2, "max": 9, "value": 2}
    assert Integer(min=3, max=3).example() == 3
    assert Integer(4, min=1, max=9).to_ffi() == {"pact:matcher:type": "integer", "value": 4}
    negative = Integer(max=-5).to_ffi()  # was RandomInt min 0 > max -5: failed at the mock
    assert negative["min"] <= negative["value"] == negative["max"] == -5
    assert Decimal(digits=3).to_ffi()["digits"] == 3


def test_a_generator_that_cannot_generate_is_refused_when_the_interaction_is_read():
    """An FFI body from another client (pact-js) with RandomInt min > max: a ValueError at
    registration (the admin API's 400), not a 500 from the mock's first answer."""
    body = {"n": {"pact:matcher:type": "integer", "pact:generator:type": "RandomInt",
                  "min": 5, "max": 1, "value": 5}}
    interaction = {"description": "d", "request": {"method": "GET", "path": "/"},
                   "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                                "body": body}}
    with pytest.raises(ValueError, match=r"RandomInt\(min=5, max=1\): min must not be greater"):
        parse_interaction(interaction, "3.0.0")


# Describes ``Format``'s public surface: every public name of the class and of an instance,
# with its kind, its signature when callable, and its wire form (a method is called with its
# defaults, plus ``iso_8601_datetime(with_ms=True)``); ``Regexes`` member by member. Run
# here on ours and in pact-python 2.3.3's interpreter on theirs.
_FORMAT_SURFACE = r'''
import enum, inspect, json

def _wire(value):
    return value.generate() if hasattr(value, "generate") else repr(value)

def _describe(obj):
    out = {}
    for name in sorted(n for n in dir(obj) if not n.startswith("_")):
        value = getattr(obj, name)
        if name == "Regexes":
            out[name] = {"enum": isinstance(value, type) and issubclass(value, enum.Enum),
                         "members": {m.name: m.value for m in value}}
        elif callable(value) and not hasattr(value, "generate"):
            entry = {"kind": "method", "signature": str(inspect.signature(value))}
            if isinstance(obj, Format):
                entry["wire"] = _wire(value())
                if name == "iso_8601_datetime":
                    entry["wire_ms"] = _wire(value(with_ms=True))
            out[name] = entry
        else:
            public = next(c for c in type(value).__mro__ if not c.__name__.startswith("_"))
            out[name] = {"kind": public.__name__, "wire": _wire(value)}
    return out

print(json.dumps({"class": _describe(Format), "instance": _describe(Format())},
                 sort_keys=True))
'''


def test_format_has_pact_python_2_3_3s_public_names_signatures_and_wire_forms():
    interpreter = pact_python_interpreter()
    if interpreter is None:
        pytest.skip("pact-python 2.3.3 reference venv not found (PACT_UNITTEST_REF_VENV)")
    prelude = "import warnings\nwarnings.simplefilter('ignore')\nfrom {} import Format\n"
    theirs_proc = subprocess.run(
        [str(interpreter), "-c", prelude.format("pact.matchers") + _FORMAT_SURFACE],
        capture_output=True, text=True, env=reference_env(), timeout=60)
    assert theirs_proc.returncode == 0, theirs_proc.stderr
    ours_proc = subprocess.run(
        [sys.executable, "-c", prelude.format("pact_unittest.matchers") + _FORMAT_SURFACE],
        capture_output=True, text=True, timeout=60)
    assert ours_proc.returncode == 0, ours_proc.stderr
    theirs, ours = json.loads(theirs_proc.stdout), json.loads(ours_proc.stdout)
    for side in ("class", "instance"):
        assert sorted(ours[side]) == sorted(theirs[side]), side
        for name in theirs[side]:
            assert ours[side][name] == theirs[side][name], f"{side} {name}"


def test_format_v2_methods_used_by_real_suites():
    # pact-python's own examples/tests/test_00_consumer.py calls these.
    fmt = Format()
    assert fmt.iso_8601_datetime(with_ms=False).example() == "1991-02-20T06:35:26+00:00"
    assert fmt.iso_8601_datetime(with_ms=True) == fmt.iso_datetime_ms
    assert fmt.integer_or_identifier() == Like(1)
    assert Format.Regexes.uuid.value == fmt.uuid.matcher
    assert [m.name for m in Format.Regexes][:2] == ["ip_address", "hexadecimal"]
