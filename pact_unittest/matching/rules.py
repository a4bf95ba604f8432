"""Reading matching rules: v2 flat form, v3/v4 nested form, one matcher at a time.

Everything a contract says about *how* to compare is validated here, once per call, so
the comparison loops never meet a malformed rule: a bad regex, an unknown matcher type or
a rule of the wrong shape raises ``ValueError`` naming it. The two file forms are detected
per key by shape (``"$.body.x"`` is v2 flat, ``"body"`` a v3 category), so a v3 rule set
under spec 2 or a v2 one under spec 3 is understood as well.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from .javatime import JavaTimeFormat, java_time_format
from .paths import ANY_INDEX, Token, parse_path
from .selection import BodyRules
from .user_regex import Pattern, compile_user_regex

_ALIASES = {
    "equality": "equality", "equalto": "equality", "equals": "equality",
    "regex": "regex", "type": "type", "min": "type", "max": "type",
    "mintype": "type", "maxtype": "type", "minmaxtype": "type",
    "integer": "integer", "decimal": "decimal", "real": "decimal",
    "number": "number", "boolean": "boolean", "bool": "boolean",
    "timestamp": "timestamp", "datetime": "timestamp", "date": "date", "time": "time",
    "include": "include", "null": "null", "values": "values",
    "contenttype": "contentType", "content-type": "contentType",
    "eachkey": "eachKey", "eachvalue": "eachValue", "arraycontains": "arrayContains",
    "notempty": "notEmpty", "semver": "semver", "statuscode": "statusCode",
}
#: Matchers that apply only at their own path, never by cascade (as in the Rust core).
NON_CASCADING = frozenset({"values", "eachKey", "eachValue", "arrayContains"})
_STATUS_CLASSES = {
    "info": (100, 199), "information": (100, 199), "success": (200, 299),
    "redirect": (300, 399), "clienterror": (400, 499), "servererror": (500, 599),
    "nonerror": (100, 399), "error": (400, 599),
}


class Matcher:
    """One validated matcher (``{"match": "regex", "regex": ...}``) ready to apply."""

    __slots__ = ("kind", "raw", "regex", "min", "max", "fmt", "value", "sub", "variants",
                 "statuses")

    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: a matcher must be an object, got {raw!r}")
        self.raw = raw
        self.kind = _kind_of(raw, where)
        self.regex: Optional[Pattern] = None
        self.min = _bound(raw, "min", where)
        self.max = _bound(raw, "max", where)
        self.fmt: Any = None
        self.value: Any = raw.get("value")
        self.sub: Optional[RuleList] = None
        self.variants: List[Tuple[int, Any]] = []
        self.statuses: Tuple[Tuple[int, int], ...] = ()
        kind = self.kind
        if kind == "regex":
            self.regex = compile_regex(raw.get("regex"), where)
        elif kind in ("timestamp", "date", "time"):
            pattern = raw.get("format", raw.get(kind, raw.get("timestamp", raw.get("datetime"))))
            self.fmt = compile_format(pattern, kind, where)
        elif kind == "include":
            if not isinstance(self.value, str):
                raise ValueError(f"{where}: include matcher needs a string 'value'")
        elif kind in ("eachKey", "eachValue"):
            self.sub = RuleList(raw.get("rules", []), where + f" {kind}.rules")
        elif kind == "arrayContains":
            self.variants = _variants(raw.get("variants"), where)
        elif kind == "statusCode":
            self.statuses = _statuses(raw.get("status"), where)
        elif kind == "contentType" and not isinstance(self.value, str):
            raise ValueError(f"{where}: contentType matcher needs a string 'value'")

    def __repr__(self) -> str:
        return f"Matcher({self.raw!r})"


class RuleList:
    """The matchers at one path plus how to combine them ("AND" by default, or "OR")."""

    __slots__ = ("matchers", "combine", "cascades", "kinds", "single")

    def __init__(self, raw: Any, where: str) -> None:
        combine = "AND"
        if isinstance(raw, dict) and "matchers" in raw:
            combine = raw.get("combine", "AND")
            items = raw["matchers"]
        elif isinstance(raw, dict):
            items = [raw]
        else:
            items = raw
        if not isinstance(items, list):
            raise ValueError(f"{where}: 'matchers' must be a list, got {items!r}")
        if not isinstance(combine, str) or combine.upper() not in ("AND", "OR"):
            raise ValueError(f"{where}: 'combine' must be 'AND' or 'OR', got {combine!r}")
        self.combine = combine.upper()
        self.matchers = tuple(Matcher(item, where) for item in items)
        self.kinds = frozenset(m.kind for m in self.matchers)
        self.cascades = not (self.kinds & NON_CASCADING)
        #: The only matcher, when there is exactly one (the common case: a fast path).
        self.single: Optional[Matcher] = self.matchers[0] if len(self.matchers) == 1 else None

    def __repr__(self) -> str:
        return f"RuleList({[m.raw for m in self.matchers]!r}, {self.combine})"


class ParamRules:
    """The rules of one query parameter (or form field), whose value is a list of strings.

    ``whole`` is the rule on the parameter (v2 ``$.query.n``, v3 ``query: {"n": ...}``): it
    holds for every value, and its ``min``/``max`` count the values. ``items`` holds the
    rules on single values, keyed by index or :data:`ANY_INDEX`: the Ruby mock service
    writes ``$.query.n[0]`` for ``query={"n": Term(...)}``, because it stores every query
    value as a list. As for bodies (SEMANTICS §9.3), the most specific rule wins: ``[0]``
    over ``[*]`` over the whole parameter; and only a rule on the whole parameter frees the
    number of values (§6 step 2: a rule on the elements alone does not relax the length).
    """

    __slots__ = ("whole", "items")

    def __init__(self) -> None:
        self.whole: Optional[RuleList] = None
        self.items: Dict[Any, RuleList] = {}

    def for_value(self, index: int) -> Optional[RuleList]:
        """The rule for the value at ``index`` (None: compare it by equality)."""
        found = self.items.get(index)
        if found is None:
            found = self.items.get(ANY_INDEX, self.whole)
        return found

    def __repr__(self) -> str:
        return f"ParamRules(whole={self.whole!r}, items={self.items!r})"


def add_param_rule(target: Dict[str, ParamRules], tokens: Tuple[Token, ...],
                   rule: RuleList) -> None:
    """File a query/form rule under its parameter: ``name`` or ``name[i]``/``name[*]``.

    The name is the leading key tokens joined with ``.`` (``$.query.a.b`` names the
    parameter ``a.b``, as before); a rule reaching *inside* a value (``$.query.n[*].*``,
    which Ruby writes for an EachLike) addresses nothing in a string and is dropped, as
    rule paths that address nothing are (SEMANTICS §13.11).
    """
    names: List[str] = []
    pos = 0
    while pos < len(tokens) and isinstance(tokens[pos], str):
        names.append(str(tokens[pos]))
        pos += 1
    if not names:
        return
    rest = tokens[pos:]
    param = target.setdefault(".".join(names), ParamRules())
    if not rest:
        param.whole = rule
    elif len(rest) == 1 and (isinstance(rest[0], int) or rest[0] is ANY_INDEX):
        param.items[rest[0]] = rule


class Rules:
    """All rules of one request, response or message, by category."""

    def __init__(self) -> None:
        self.body: List[Tuple[Tuple[Token, ...], RuleList]] = []
        self.header: Dict[str, RuleList] = {}
        self.query: Dict[str, ParamRules] = {}
        #: v2 ``$.query``: a rule on the whole query string (pact-python ``query=Term(...)``)
        self.query_string: Optional[RuleList] = None
        self.metadata: Dict[str, RuleList] = {}
        self.path: Optional[RuleList] = None
        self.status: Optional[RuleList] = None

    def header_rule(self, name: str) -> Optional[RuleList]:
        return self.header.get(name.lower())


def compile_regex(pattern: Any, where: str) -> Pattern:
    """Compile a contract's regex (time-bounded when matched: :mod:`.user_regex`) or raise
    ValueError naming it."""
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: regex matcher needs a string 'regex', got {pattern!r}")
    try:
        return compile_user_regex(pattern)
    except ValueError as exc:
        raise ValueError(f"{where}: invalid regex {pattern!r}: {exc}") from None


#: Formats of date/time matchers that give none: ISO 8601, fractions and offset optional.
_DEFAULT_FORMATS = {
    "timestamp": "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS][.S][XXX][X]",
    "date": "yyyy-MM-dd",
    "time": "HH:mm[:ss][.SSSSSSSSS][.SSSSSS][.SSS][.S][XXX][X]",
}


def compile_format(pattern: Any, kind: str, where: str) -> JavaTimeFormat:
    """The checker for a date/time matcher's Java-style pattern, or ValueError naming it."""
    if pattern is None:
        pattern = _DEFAULT_FORMATS[kind]
    if not isinstance(pattern, str):
        raise ValueError(f"{where}: {kind} format must be a string, got {pattern!r}")
    try:
        return java_time_format(pattern)
    except ValueError as exc:
        raise ValueError(f"{where}: invalid {kind} format {pattern!r}: {exc}") from None


def _kind_of(raw: Dict[str, Any], where: str) -> str:
    match = raw.get("match")
    if match is None:
        for key in ("regex", "timestamp", "datetime", "date", "time", "min", "max"):
            if key in raw:
                return _ALIASES[key]
        raise ValueError(f"{where}: matcher {raw!r} has no 'match' type")
    if not isinstance(match, str) or match.lower() not in _ALIASES:
        raise ValueError(f"{where}: unknown matcher type {match!r}")
    return _ALIASES[match.lower()]


def _bound(raw: Dict[str, Any], key: str, where: str) -> Optional[int]:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where}: '{key}' must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"{where}: '{key}' must be an integer, got {value!r}")


def _variants(raw: Any, where: str) -> List[Tuple[int, Any]]:
    if not isinstance(raw, list):
        raise ValueError(f"{where}: arrayContains needs a list of 'variants'")
    out = []
    for pos, variant in enumerate(raw):
        if not isinstance(variant, dict):
            raise ValueError(f"{where}: arrayContains variant {pos} must be an object")
        index = variant.get("index", pos)
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"{where}: arrayContains variant {pos} has a bad index {index!r}")
        rules = Rules()
        _read_body_category(rules, variant.get("rules") or {}, f"{where} variant {pos}")
        out.append((index, BodyRules(rules.body)))
    return out


def _statuses(raw: Any, where: str) -> Tuple[Tuple[int, int], ...]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str) and item.lower() in _STATUS_CLASSES:
            out.append(_STATUS_CLASSES[item.lower()])
        elif isinstance(item, int) and not isinstance(item, bool):
            out.append((item, item))
        elif isinstance(item, str) and item.isdigit():
            out.append((int(item), int(item)))
        else:
            raise ValueError(f"{where}: unknown statusCode status {item!r}")
    if not out:
        raise ValueError(f"{where}: statusCode matcher needs a 'status'")
    return tuple(out)


_CATEGORY = {
    "body": "body", "content": "body", "contents": "body",
    "header": "header", "headers": "header", "query": "query",
    "path": "path", "status": "status", "metadata": "metadata", "metaData": "metadata",
}


def parse_rules(raw: Any) -> Rules:
    """Parse a ``matchingRules`` object of any spec version into :class:`Rules`."""
    rules = Rules()
    if raw is None:
        return rules
    if not isinstance(raw, dict):
        raise ValueError(f"matchingRules must be an object, got {raw!r}")
    for key, value in raw.items():
        if isinstance(key, str) and key.startswith("$"):
            _read_flat(rules, key, value)
            continue
        category = _CATEGORY.get(key)
        where = f"matchingRules.{key}"
        if category is None:
            raise ValueError(f"{where}: unknown matching rule category {key!r}")
        if category in ("path", "status"):
            if not isinstance(value, dict):
                raise ValueError(f"{where} must be an object, got {value!r}")
            if "matchers" not in value and len(value) == 1:
                value = next(iter(value.values()))
            setattr(rules, category, RuleList(value, where))
        elif category == "body":
            _read_body_category(rules, value, where)
        elif category == "query":
            if not isinstance(value, dict):
                raise ValueError(f"{where} must be an object, got {value!r}")
            for name, item in value.items():
                param = rules.query.setdefault(str(name), ParamRules())
                param.whole = RuleList(item, f"{where}.{name}")
        else:
            if not isinstance(value, dict):
                raise ValueError(f"{where} must be an object, got {value!r}")
            target = getattr(rules, category)
            for name, item in value.items():
                name = str(name)
                target[name.lower() if category == "header" else name] = RuleList(
                    item, f"{where}.{name}")
    return rules


def _read_body_category(rules: Rules, value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be an object, got {value!r}")
    for path, item in value.items():
        tokens = parse_path(path)
        rules.body.append((tokens, RuleList(item, f"{where} {path!r}")))


def _read_flat(rules: Rules, key: str, value: Any) -> None:
    """One v2 rule: ``$.body...``, ``$.headers.X``/``$.header.X``, ``$.query.x``, ``$.path``."""
    where = f"matchingRules {key!r}"
    tokens = parse_path(key)
    if not tokens:
        raise ValueError(f"{where}: a v2 rule path needs a category ($.body, $.headers...)")
    head = tokens[0]
    category = _CATEGORY.get(head) if isinstance(head, str) else None
    if category is None:
        raise ValueError(f"{where}: unknown matching rule category {head!r}")
    rule = RuleList(value, where)
    if category == "body":
        rules.body.append((tokens[1:], rule))
    elif category in ("path", "status"):
        setattr(rules, category, rule)
    elif category == "query" and len(tokens) == 1:
        rules.query_string = rule
    elif len(tokens) < 2:
        raise ValueError(f"{where}: missing the {category} name")
    elif category == "query":
        add_param_rule(rules.query, tokens[1:], rule)
    else:
        name = ".".join(str(t) for t in tokens[1:])
        getattr(rules, category)[name.lower() if category == "header" else name] = rule
