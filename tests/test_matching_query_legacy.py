"""Spec 1/2 query parsing as Rack does it (issue 13 item 5), and spec 3/4 left as they were.

The Ruby differential cases (tests/differential_cases.py) cover what http.client can send;
these cover the parser directly, including ``; `` with a space, which it cannot.
"""
from pact_unittest.matching.query import parse_query


def test_semicolon_separates_in_spec_1_2_only():
    assert parse_query("a=1;b=2", legacy=True) == {"a": ["1"], "b": ["2"]}
    assert parse_query("a=1; b=2", legacy=True) == {"a": ["1"], "b": ["2"]}
    assert parse_query("a=1;b=2") == {"a": ["1;b=2"]}


def test_bare_flag_has_no_value_in_spec_1_2_only():
    assert parse_query("flag", legacy=True) == {"flag": []}
    assert parse_query("flag=", legacy=True) == {"flag": [""]}
    assert parse_query({"flag": None}, legacy=True) == {"flag": []}
    assert parse_query("flag") == parse_query("flag=")
