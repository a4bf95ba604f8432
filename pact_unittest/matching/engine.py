"""The public entry points: match a request, a response or a message.

Each part present in ``expected`` is compared (a part absent there is "not specified"),
every mismatch is collected, and nothing is raised except ``ValueError`` for a malformed
contract: rules are validated up front, and any other failure deep inside (a type the
contract should never contain) is turned into a ``ValueError`` naming it, so the mock
service can always answer.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional

from .spec import normalize_spec_version
from .bodies import compare_body, unwrap
from .headers import compare_headers, header_text, media_type_matches
from .leaf import check_rule
from .legacy import is_legacy, scalar
from .mismatch import Mismatch, make, show
from .query import compare_query, compare_query_text
from .rules import ParamRules, RuleList, Rules, parse_rules


def _guard(func: Callable[..., List[Mismatch]], what: str, expected: Any, actual: Any,
           spec_version: str, **kwargs: Any) -> List[Mismatch]:
    spec = normalize_spec_version(spec_version)
    if not isinstance(expected, Mapping):
        raise ValueError(f"expected {what} must be an object, got {type(expected).__name__}")
    if actual is None:
        actual = {}
    if not isinstance(actual, Mapping):
        raise ValueError(f"actual {what} must be an object, got {type(actual).__name__}")
    try:
        return func(expected, actual, spec, **kwargs)
    except RecursionError:
        raise ValueError(f"{what} nested too deeply to match") from None
    except (TypeError, KeyError, AttributeError, IndexError, UnicodeError) as exc:
        raise ValueError(f"malformed {what}: {type(exc).__name__}: {exc}") from None


def match_request(expected: Mapping[str, Any], actual: Mapping[str, Any],
                  spec_version: str = "2.0.0", *, partial_regex: bool = False
                  ) -> List[Mismatch]:
    """Mismatches between an expected request (pact-file form) and an actual one.

    ``partial_regex=True`` makes regexes behave as in the Ruby mock service
    (``re.search``: a match anywhere in the value), a migration aid for suites that
    relied on it; by default a regex must match the whole value, as every spec says.
    Raises ValueError for an unknown spec version or a malformed contract.
    """
    return _guard(_request, "request", expected, actual, spec_version, partial=partial_regex)


def match_response(expected: Mapping[str, Any], actual: Mapping[str, Any],
                   spec_version: str = "2.0.0", *, partial_regex: bool = False
                   ) -> List[Mismatch]:
    """Mismatches between an expected response and an actual one (unexpected keys allowed)."""
    return _guard(_response, "response", expected, actual, spec_version, partial=partial_regex)


def match_message(expected: Mapping[str, Any], actual: Mapping[str, Any],
                  spec_version: str = "3.0.0", *, partial_regex: bool = False
                  ) -> List[Mismatch]:
    """Mismatches between an expected message (``contents`` + ``metaData``) and an actual one."""
    return _guard(_message, "message", expected, actual, spec_version, partial=partial_regex)


def _request(expected: Mapping[str, Any], actual: Mapping[str, Any], spec: str, *,
             partial: bool) -> List[Mismatch]:
    rules = parse_rules(expected.get("matchingRules"))
    out: List[Mismatch] = []
    if expected.get("method") is not None:
        exp_method = str(expected["method"])
        act_method = actual.get("method")
        if act_method is None or exp_method.upper() != str(act_method).upper():
            out.append(make("method", "", exp_method, act_method,
                            f"expected {exp_method.upper()} but got "
                            f"{show(act_method) if act_method is None else str(act_method).upper()}"))
    if "path" in expected and expected["path"] is not None:
        out.extend(_path(expected["path"], actual.get("path"), rules, partial))
    if "query" in expected:
        query, query_rules = _legacy_query(expected["query"], rules)
        if rules.query_string is not None:
            out.extend(compare_query_text(query, actual.get("query"), rules.query_string,
                                          partial=partial))
        else:
            out.extend(compare_query(query, actual.get("query"), query_rules,
                                     v1=spec == "1.0.0", partial=partial, legacy=spec < "3"))
    return out + _headers_and_body(expected, actual, rules, spec, partial, strict=True)


def _response(expected: Mapping[str, Any], actual: Mapping[str, Any], spec: str, *,
              partial: bool) -> List[Mismatch]:
    rules = parse_rules(expected.get("matchingRules"))
    out: List[Mismatch] = []
    if expected.get("status") is not None:
        out.extend(_status(expected["status"], actual.get("status"), rules))
    return out + _headers_and_body(expected, actual, rules, spec, partial, strict=False)


def _headers_and_body(expected: Mapping[str, Any], actual: Mapping[str, Any], rules: Rules,
                      spec: str, partial: bool, *, strict: bool) -> List[Mismatch]:
    """The parts requests and responses share; ``strict`` forbids unexpected body keys.

    A body of another content type is reported once, as the ``body-content-type``
    mismatch (which says the body was not compared), not also as a ``Content-Type``
    header mismatch: it is one mistake (a form sent where JSON was expected).
    """
    body = compare_body(expected, actual, rules, strict=strict, partial=partial,
                        v4=spec == "4.0.0", loose_numbers=spec < "3", string_regex=spec < "3")
    headers = _headers(expected, actual, rules, partial, legacy=spec < "3")
    if any(m.kind == "body-content-type" for m in body):
        headers = [m for m in headers if m.path.lower() != "content-type"]
    return headers + body


def _message(expected: Mapping[str, Any], actual: Mapping[str, Any], spec: str, *,
             partial: bool) -> List[Mismatch]:
    rules = parse_rules(expected.get("matchingRules"))
    v4 = spec == "4.0.0"
    exp_meta = expected.get("metaData", expected.get("metadata"))
    act_meta = actual.get("metaData", actual.get("metadata"))
    out: List[Mismatch] = []
    if exp_meta is not None:
        out.extend(_metadata(exp_meta, act_meta, rules, partial))
    exp_type = _meta_type(exp_meta)
    act_type = _meta_type(act_meta)
    if "contents" not in expected and "content" in expected:
        expected = dict(expected, contents=expected["content"])
        actual = dict(actual, contents=actual.get("content"))
    out.extend(compare_body(expected, actual, rules, strict=False, partial=partial, v4=v4,
                            key="contents", exp_type=exp_type, act_type=act_type))
    return out


def _meta_type(meta: Any) -> Optional[str]:
    if not isinstance(meta, Mapping):
        return None
    for key in ("contentType", "content-type", "Content-Type", "content_type"):
        if meta.get(key) is not None:
            return header_text(meta[key])
    return None


def _metadata(expected: Any, actual: Any, rules: Rules, partial: bool) -> List[Mismatch]:
    if not isinstance(expected, Mapping):
        raise ValueError(f"message metadata must be an object, got {expected!r}")
    got = actual if isinstance(actual, Mapping) else {}
    out: List[Mismatch] = []
    for name, value in expected.items():
        if name not in got:
            out.append(make("metadata", name, value, None,
                            f"expected {show(value)} but the key was missing"))
            continue
        rule = rules.metadata.get(name)
        if rule is not None:
            for error in check_rule(rule, value, got[name], text=True, partial=partial):
                out.append(make("metadata", name, value, got[name], error))
        elif str(name).lower() in ("contenttype", "content-type"):
            if not media_type_matches(header_text(value), header_text(got[name])):
                out.append(make("metadata", name, value, got[name],
                                f"expected {show(value)} but got {show(got[name])}"))
        elif value != got[name] and header_text(value) != header_text(got[name]):
            out.append(make("metadata", name, value, got[name],
                            f"expected {show(value)} but got {show(got[name])}"))
    return out


def _path(expected: Any, actual: Any, rules: Rules, partial: bool) -> List[Mismatch]:
    example, rule = scalar(expected, "path")
    rule = rules.path or rule
    if not isinstance(example, str):
        raise ValueError(f"expected path must be a string, got {example!r}")
    if actual is None:
        return [make("path", "", example, None, f"expected {show(example)} but got no path")]
    if rule is not None:
        return [make("path", "", example, actual, e)
                for e in check_rule(rule, example, str(actual), text=True, partial=partial)]
    if example != actual:
        return [make("path", "", example, actual, f"expected {show(example)} but got {show(actual)}")]
    return []


def _status(expected: Any, actual: Any, rules: Rules) -> List[Mismatch]:
    if isinstance(expected, bool) or not isinstance(expected, (int, str)):
        raise ValueError(f"expected status must be an integer, got {expected!r}")
    if rules.status is not None:
        return [make("status", "", expected, actual, e)
                for e in check_rule(rules.status, expected, actual, text=True)]
    try:
        same = actual is not None and int(expected) == int(actual)
    except (TypeError, ValueError):
        same = False
    if same:
        return []
    return [make("status", "", expected, actual, f"expected {expected} but got {actual}")]


def _headers(expected: Mapping[str, Any], actual: Mapping[str, Any], rules: Rules,
             partial: bool, *, legacy: bool) -> List[Mismatch]:
    headers = expected.get("headers")
    if isinstance(headers, Mapping) and any(is_legacy(v) for v in headers.values()):
        plain: Dict[str, Any] = {}
        for name, value in headers.items():
            example, rule = scalar(value, f"header {name!r}")
            plain[name] = example
            if rule is not None and str(name).lower() not in rules.header:
                rules.header[str(name).lower()] = rule
        headers = plain
    return compare_headers(headers, actual.get("headers"), rules, partial=partial, legacy=legacy)


def _legacy_query(query: Any, rules: Rules) -> Any:
    """A v2 query map may hold Terms per value: split them into per-value query rules.

    Like Ruby, a value that is not a list counts as a list of one, so a Term at value
    ``i`` is the rule ``$.query.name[i]``; a rule from ``matchingRules`` at the same
    place wins.
    """
    if not isinstance(query, Mapping):
        if is_legacy(query):
            example, _ = scalar(query, "query")
            return example, rules.query
        return query, rules.query
    found = dict(rules.query)
    plain: Dict[str, Any] = {}
    for name, values in query.items():
        items = values if isinstance(values, list) else [values]
        examples = []
        for index, value in enumerate(items):
            example, rule = scalar(value, f"query {name!r}")
            examples.append(example)
            if rule is not None:
                param = found.get(name)
                if param is None or index not in param.items:
                    found[name] = _with_item(param, index, rule)
        plain[name] = examples
    return plain, found


def _with_item(param: Optional[ParamRules], index: int, rule: RuleList) -> ParamRules:
    """A copy of ``param`` (rules parsed from the contract stay untouched) plus one item."""
    out = ParamRules()
    if param is not None:
        out.whole, out.items = param.whole, dict(param.items)
    out.items[index] = rule
    return out


__all__ = ["match_request", "match_response", "match_message", "unwrap"]
