"""XML mismatches say what is missing or unexpected, as a person would (issue 13, item 4):
the Rust core's sentences (``Expected child <two/> but was missing``) with the path, in the
engine's mismatches and in the Ruby-style verification text of the mock service."""
from __future__ import annotations

import pytest
import requests

from pact_unittest.matching import match_request
from pact_unittest.mock_service import MockService

ADMIN = {"X-Pact-Mock-Service": "true"}
XML = {"Content-Type": "application/xml"}
EXPECTED = '<values a="1"><one>1</one><two>2</two><four/><four/></values>'
ACTUAL = '<values b="2"><one>x</one><three/><four/></values>'


def _messages(expected: str, actual: str, spec: str = "3.0.0"):
    exp = {"method": "POST", "path": "/", "headers": XML, "body": expected}
    act = {"method": "POST", "path": "/", "headers": XML, "body": actual}
    return {m.path: m.message for m in match_request(exp, act, spec)}


@pytest.mark.parametrize("spec", ["2.0.0", "3.0.0", "4.0.0"])
def test_each_xml_difference_is_one_plain_sentence_with_its_path(spec):
    got = _messages(EXPECTED, ACTUAL, spec)
    assert got == {
        "$.values.two": "$.values.two: Expected child <two/> but was missing",
        "$.values.three": "$.values.three: Unexpected child <three/>",
        "$.values.four": "$.values.four: Expected 2 child elements <four/> but received 1: "
                         "1 missing",
        "$.values['@a']": "$.values['@a']: Expected attribute 'a'='1' but was missing",
        "$.values['@b']": "$.values['@b']: Unexpected attribute 'b'='2'",
        "$.values.one['#text']": "$.values.one['#text']: Expected text '1' but received 'x'",
    }


def test_text_attribute_values_extra_children_and_the_root_are_told_plainly():
    got = _messages('<a id="1"><b/><t>x</t></a>', '<a id="2"><b/><b/><t/></a>')
    assert got["$.a['@id']"].endswith("Expected attribute 'id'='1' but received 'id'='2'")
    assert got["$.a.b"].endswith("Unexpected child <b/> (1 more than the 1 expected)")
    assert got["$.a.t['#text']"].endswith("Expected text 'x' but there was none")
    assert _messages("<a/>", "<a>y</a>")["$.a['#text']"].endswith("Unexpected text 'y'")
    assert _messages("<a/>", "<b/>")["$.a"].endswith(
        "Expected root element <a/> but received <b/>")
    namespaced = _messages('<a xmlns="urn:x"><b/></a>', '<a xmlns="urn:x"/>')
    assert namespaced["$.a.b"].endswith("Expected child <b/> (namespace urn:x) but was missing")


def test_the_ruby_style_verification_text_repeats_the_sentences():
    with MockService("C", "P", specification_version="2.0.0") as svc:
        svc.add_interaction({"description": "xml", "request": {
            "method": "POST", "path": "/x", "headers": XML, "body": EXPECTED},
            "response": {"status": 200}})
        requests.post(svc.uri + "/x", data=ACTUAL, headers=XML)
        text = requests.get(svc.uri + "/interactions/verification", headers=ADMIN).text
    assert "* Expected child <two/> but was missing at $.body.values.two" in text
    assert "* Unexpected child <three/> at $.body.values.three" in text
    assert "* Expected attribute 'a'='1' but was missing at $.body.values.@a" in text
    assert "Expected 1 but got 0" not in text
