"""Pact v3/v4 generators: fresh values in place of a contract's examples.

A contract may say that a value is *generated* rather than fixed (``"generators"`` beside
``matchingRules``: ``{"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 99}}}``). The
mock service applies them to the responses it sends, a provider verifier to the requests it
replays; matching never looks at them. :func:`apply_generators` does that for one request or
response in the internal v3 form, without touching the original.

Two generators depend on who is generating (the *mode*), as in the Rust core:
``ProviderState`` (``"${id}"`` filled from the provider state's parameters) runs only in
provider mode, ``MockServerURL`` (the example URL moved onto the mock server's base URL)
only in consumer mode. Elsewhere the example is kept.
"""
from __future__ import annotations

import copy
import datetime
import functools
import importlib
import logging
import random
import re
import string
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ..matching.javatime import format_java
from ..matching.paths import ANY_INDEX, ANY_KEY, parse_path

__all__ = ["apply_generators", "generate_value", "GeneratorError", "UnknownGenerator"]

logger = logging.getLogger(__name__)

_MODES = ("consumer", "provider")
_EXPRESSION = re.compile(r"\$\{([^}]+)\}")
_DEFAULT_FORMATS = {"Date": "yyyy-MM-dd", "Time": "HH:mm:ss",
                    "DateTime": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
                 "fortnight": 1209600}


class GeneratorError(ValueError):
    """A generator that cannot generate: bad attributes (min > max, an invalid regex...)."""


class UnknownGenerator(GeneratorError):
    """A generator of a type we do not know."""


def _random() -> random.Random:
    return random.SystemRandom()


def _random_int(gen: Mapping[str, Any], **_: Any) -> int:
    low, high = int(gen.get("min", 0)), int(gen.get("max", 2147483647))
    if low > high:
        raise GeneratorError(f"RandomInt: min {low} is greater than max {high}")
    return _random().randint(low, high)


def _random_decimal(gen: Mapping[str, Any], **_: Any) -> float:
    """A decimal with ``digits`` significant digits and a non-zero digit after the point."""
    digits = max(int(gen.get("digits", 10)), 2)
    rng = _random()
    while True:
        text = str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(digits - 1))
        point = rng.randint(1, digits - 1)
        value = float(text[:point] + "." + text[point:])
        if value != int(value):
            return value


def _random_hex(gen: Mapping[str, Any], **_: Any) -> str:
    rng = _random()
    return "".join(rng.choice("0123456789abcdef") for _ in range(int(gen.get("digits", 10))))


def _random_string(gen: Mapping[str, Any], **_: Any) -> str:
    rng = _random()
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(int(gen.get("size", 20))))


# ---------------------------------------------------------------- strings from a regex
def _regex_internals() -> Tuple[Any, Any]:
    """Python's own regex parser: ``re._parser`` (3.11+; ``sre_parse`` warns there) or ``sre_parse``."""
    try:
        return importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # pragma: no cover - Python 3.9/3.10
        return importlib.import_module("sre_parse"), importlib.import_module("sre_constants")


_sre_parse, _sre = _regex_internals()

_UNBOUNDED_EXTRA = 8  # how far past the minimum ``*``/``+``/``{n,}`` repeat
_CATEGORY_CHARS = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters + "_-",
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": " -.,:;!",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters + string.digits,
}
_PRINTABLE = string.ascii_letters + string.digits + " _-.,:;!@#%&=+/"


def _class_chars(items: list) -> str:
    """The characters a ``[...]`` class (or a category) allows, from a printable alphabet."""
    negate = False
    allowed = set()
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.add(chr(arg))
        elif name == "RANGE":
            low, high = arg
            allowed.update(chr(c) for c in range(low, min(high, low + 400) + 1))
        elif name == "CATEGORY":
            allowed.update(_CATEGORY_CHARS.get(str(arg), ""))
    if negate:
        return "".join(c for c in _PRINTABLE if c not in allowed)
    return "".join(sorted(allowed))


def _emit(parsed: Any, rng: random.Random, groups: Dict[int, str]) -> str:
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append(rng.choice([c for c in _PRINTABLE if c != chr(arg)]))
        elif name == "ANY":
            out.append(rng.choice(string.ascii_letters + string.digits))
        elif name == "IN":
            chars = _class_chars(arg)
            if chars:
                out.append(rng.choice(chars))
        elif name == "CATEGORY":
            out.append(rng.choice(_CATEGORY_CHARS.get(str(arg), "a")))
        elif name == "BRANCH":
            out.append(_emit(rng.choice(arg[1]), rng, groups))
        elif name == "SUBPATTERN":
            group, sub = arg[0], arg[-1]
            text = _emit(sub, rng, groups)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            if high is _sre.MAXREPEAT or high > low + _UNBOUNDED_EXTRA:
                high = low + _UNBOUNDED_EXTRA
            out.extend(_emit(sub, rng, groups) for _ in range(rng.randint(low, high)))
        elif name == "GROUPREF":
            out.append(groups.get(arg, ""))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(arg, rng, groups))
        # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit
    return "".join(out)


def generate_from_regex(pattern: str, attempts: int = 50) -> str:
    """A string that fully matches ``pattern`` (ValueError if none is found).

    Walks the parse tree of Python's own regex parser, so no dependency is needed; the
    result is checked with ``re.fullmatch`` and retried, since lookarounds and classes
    drawn from a small printable alphabet can miss.
    """
    try:
        parsed = _sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:  # a{4294967296}: OverflowError
        raise GeneratorError(f"Regex generator: invalid regex {pattern!r}: {exc}") from None
    rng = _random()
    for _ in range(attempts):
        text = _emit(parsed, rng, {})
        if compiled.fullmatch(text):
            return text
    raise GeneratorError(f"Regex generator: could not generate a string matching {pattern!r}")


def _regex(gen: Mapping[str, Any], **_: Any) -> str:
    pattern = gen.get("regex")
    if not isinstance(pattern, str):
        raise GeneratorError(f"Regex generator needs a 'regex' string, got {pattern!r}")
    return generate_from_regex(pattern)


def _uuid(gen: Mapping[str, Any], **_: Any) -> str:
    value = uuid.uuid4()
    fmt = gen.get("format") or "lower-case-hyphenated"
    if fmt == "simple":
        return value.hex
    if fmt == "lower-case-hyphenated":
        return str(value)
    if fmt == "upper-case-hyphenated":
        return str(value).upper()
    if fmt == "URN":
        return value.urn
    raise GeneratorError(f"Uuid format {fmt!r} is not one of simple, lower-case-hyphenated, "
                           "upper-case-hyphenated, URN")


def _shift(now: datetime.datetime, expression: Optional[str]) -> datetime.datetime:
    """A small subset of the v4 relative expressions: ``now``/``today``, ``+ 1 day``, ``- 2 hours``."""
    if not expression:
        return now
    text = expression.strip().lower()
    for word in ("now", "today"):
        text = text.replace(word, "")
    for sign, amount, unit in re.findall(r"([+-])\s*(\d+)\s*([a-z]+?)s?\b", text):
        seconds = _UNIT_SECONDS.get(unit)
        if seconds is None:
            raise GeneratorError(f"unsupported time unit {unit!r} in expression {expression!r}")
        delta = datetime.timedelta(seconds=int(amount) * seconds)
        now = now + delta if sign == "+" else now - delta
    return now


def _datetime_kind(kind: str) -> Callable[..., str]:
    def generate(gen: Mapping[str, Any], **_: Any) -> str:
        now = _shift(datetime.datetime.now(datetime.timezone.utc), gen.get("expression"))
        return format_java(gen.get("format") or _DEFAULT_FORMATS[kind], now)

    return generate


def _boolean(gen: Mapping[str, Any], **_: Any) -> bool:
    return _random().random() < 0.5


def _provider_state(gen: Mapping[str, Any], current: Any, context: Mapping[str, Any], **_: Any) -> Any:
    """``${name}`` from the provider state's parameters; a lone ``${name}`` keeps its type."""
    expression = gen.get("expression")
    if not isinstance(expression, str):
        raise GeneratorError(f"ProviderState generator needs an 'expression', got {expression!r}")
    params = context.get("providerState", context)
    lone = _EXPRESSION.fullmatch(expression)
    if lone:
        return params.get(lone.group(1), current) if lone.group(1) in params else current

    def substitute(found: "re.Match[str]") -> str:
        return str(params[found.group(1)]) if found.group(1) in params else found.group(0)

    return _EXPRESSION.sub(substitute, expression)


def _mock_server_url(gen: Mapping[str, Any], current: Any, context: Mapping[str, Any], **_: Any) -> Any:
    """The example URL with everything before the regex's groups replaced by the mock's href."""
    href = (context.get("mockServer") or {}).get("href")
    example = gen.get("example", current)
    if not href or not isinstance(example, str):
        return current
    found = re.fullmatch(str(gen.get("regex", "")), example)
    if not found or not found.groups():
        return current
    tail = "".join(g or "" for g in found.groups())
    if href.endswith("/") and tail.startswith("/"):
        href = href[:-1]
    elif tail and not href.endswith("/") and tail[0] not in "/?#":
        href += "/"  # a group without its leading slash: still a path under the mock's URL
    return href + tail


_GENERATORS: Dict[str, Callable[..., Any]] = {
    "RandomInt": _random_int,
    "RandomDecimal": _random_decimal,
    "RandomHexadecimal": _random_hex,
    "RandomString": _random_string,
    "Regex": _regex,
    "Uuid": _uuid,
    "Date": _datetime_kind("Date"),
    "Time": _datetime_kind("Time"),
    "DateTime": _datetime_kind("DateTime"),
    "RandomBoolean": _boolean,
    "Boolean": _boolean,     # the v3 README's name for RandomBoolean
    "ProviderState": _provider_state,
    "MockServerURL": _mock_server_url,
}
_ONLY_IN = {"ProviderState": "provider", "MockServerURL": "consumer"}


def generate_value(generator: Mapping[str, Any], current: Any = None, mode: str = "consumer",
                   context: Optional[Mapping[str, Any]] = None) -> Any:
    """One generated value (``current`` when the generator does not run in ``mode``)."""
    if mode not in _MODES:
        raise ValueError(f"generator mode must be 'consumer' or 'provider', got {mode!r}")
    kind = generator.get("type") if isinstance(generator, Mapping) else None
    func = _GENERATORS.get(str(kind))
    if func is None:
        raise UnknownGenerator(f"unknown generator {generator!r}")
    if _ONLY_IN.get(str(kind), mode) != mode:
        return current
    return func(generator, current=current, context=context or {})


def apply_generators(part: Mapping[str, Any], generators: Optional[Mapping[str, Any]] = None,
                     mode: str = "consumer", context: Optional[Mapping[str, Any]] = None
                     ) -> Dict[str, Any]:
    """A copy of a request or response (internal v3 form) with its generators applied.

    ``generators`` defaults to the part's own ``generators``; categories ``path`` and
    ``status`` hold one generator, ``header``/``query``/``metadata`` one per name, ``body``
    one per JSON path. ``context``: ``{"providerState": {...}}`` and/or
    ``{"mockServer": {"href": ..., "port": ...}}``.
    """
    out = copy.deepcopy(dict(part))
    gens = part.get("generators") if generators is None else generators
    if not gens:
        return out
    ctx = dict(context or {})

    def gen(generator: Any, current: Any) -> Any:
        return generate_value(generator, current, mode, ctx)

    for category in ("path", "status"):
        if category in gens and category in ("path", "status"):
            generator = gens[category]
            if isinstance(generator, Mapping) and "type" not in generator and len(generator) == 1:
                generator = next(iter(generator.values()))  # {"": {...}} in some writers
            value = gen(generator, out.get(category))
            if category == "status":
                out["status"] = int(value)
            elif value is not None:
                out["path"] = str(value)
    for category in ("header", "query", "metadata"):
        target_key = {"header": "headers", "query": "query", "metadata": "metadata"}[category]
        for name, generator in (gens.get(category) or {}).items():
            container = out.setdefault(target_key, {})
            if not isinstance(container, dict):
                logger.warning("cannot apply a %s generator to %r", category, container)
                continue
            existing = next((k for k in container if k.lower() == name.lower()), name) \
                if category == "header" else name
            current = container.get(existing)
            if category == "query":
                values = current if isinstance(current, list) and current else [None]
                container[existing] = [_text(gen(generator, v)) for v in values]
            elif category == "header":
                container[existing] = _text(gen(generator, current))
            else:
                container[existing] = gen(generator, current)
    for path, generator in (gens.get("body") or gens.get("content") or {}).items():
        out["body"] = _apply_at(out.get("body"), parse_path(path), functools.partial(_swap, gen, generator))
    return out


def _swap(gen: Callable[[Any, Any], Any], generator: Any, current: Any) -> Any:
    return gen(generator, current)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _apply_at(node: Any, tokens: tuple, func: Callable[[Any], Any]) -> Any:
    """``node`` with ``func`` applied to the values at ``tokens`` (wildcards fan out)."""
    if not tokens:
        return func(node)
    head, rest = tokens[0], tokens[1:]
    if isinstance(node, dict):
        keys = list(node) if head is ANY_KEY else ([head] if isinstance(head, str) and head in node else [])
        for key in keys:
            node[key] = _apply_at(node[key], rest, func)
    elif isinstance(node, list):
        if head is ANY_INDEX or head is ANY_KEY:
            indexes: List[int] = list(range(len(node)))
        elif isinstance(head, int) and -len(node) <= head < len(node):
            indexes = [head]
        else:
            indexes = []
        for index in indexes:
            node[index] = _apply_at(node[index], rest, func)
    return node
