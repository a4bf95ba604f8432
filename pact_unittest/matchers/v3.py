"""Spec-3/4 matchers (``Integer``, ``Date``, ``Include``, ``EachKeyLike``...) and their wire form.

Their wire form is the Pact FFI integration JSON that pact-js and pact-python 3 send to the
Rust core, e.g. ``{"pact:matcher:type": "integer", "value": 42}`` or, with no example given,
``{"pact:matcher:type": "integer", "pact:generator:type": "RandomInt", "min": 0, ...}``. Every
matcher always carries a ``value``: an example that satisfies it, so the mock service has
something to answer with. Examples made for the user are fixed (dates use 2000-02-01T12:30:00
UTC, as pact-python v2's ``Format()`` did), so an unchanged suite writes the same pact file
every day; the generator recorded beside them lets a provider verifier produce fresh values.

Use them with ``specification_version="3.0.0"`` (or 4.0.0); spec-2 pact files cannot express
them and registration fails with a message saying so.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from ..matching.javatime import format_java, java_time_format
from .v2 import Like, Matcher, Term, compile_regex, get_generated_values, to_ffi_json

__all__ = [
    "V3Matcher", "Integer", "Decimal", "Number", "Boolean", "Date", "Time", "Timestamp",
    "DateTime", "Include", "Null", "Equality", "Values", "Regex", "Type", "EachKeyLike",
    "EachValueLike", "ArrayContaining", "NotEmpty", "Semver", "ffi_rule", "FFI_MATCHER_TYPES",
]

#: FFI ``pact:matcher:type`` names -> (canonical rule name, rule attribute keys).
FFI_MATCHER_TYPES: Dict[str, Any] = {
    "regex": ("regex", ("regex",)),
    "type": ("type", ("min", "max")),
    "equality": ("equality", ()),
    "include": ("include", ("value",)),
    "number": ("number", ()),
    "integer": ("integer", ()),
    "decimal": ("decimal", ()),
    "real": ("decimal", ()),
    "boolean": ("boolean", ()),
    "null": ("null", ()),
    "date": ("date", ("format",)),
    "time": ("time", ("format",)),
    "datetime": ("datetime", ("format",)),
    "timestamp": ("datetime", ("format",)),
    "contentType": ("contentType", ("value",)),
    "content-type": ("contentType", ("value",)),
    "values": ("values", ()),
    "statusCode": ("statusCode", ("status",)),
    "notEmpty": ("notEmpty", ()),
    "semver": ("semver", ()),
    "eachKey": ("eachKey", ("rules",)),
    "each-key": ("eachKey", ("rules",)),
    "eachValue": ("eachValue", ("rules",)),
    "each-value": ("eachValue", ("rules",)),
    "arrayContains": ("arrayContains", ("variants",)),
}

#: Generator types and the attributes each one reads.
GENERATOR_ATTRS: Dict[str, tuple] = {
    "RandomInt": ("min", "max"),
    "RandomDecimal": ("digits",),
    "RandomHexadecimal": ("digits",),
    "RandomString": ("size",),
    "Regex": ("regex",),
    "Uuid": ("format",),
    "Date": ("format", "expression"),
    "Time": ("format", "expression"),
    "DateTime": ("format", "expression"),
    "RandomBoolean": (),
    "ProviderState": ("expression",),
    "MockServerURL": ("regex", "example"),
}

_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_DATE_KEYS = ("format", "date", "time", "timestamp", "datetime")


def ffi_rule(definition: Dict[str, Any]) -> Dict[str, Any]:
    """The pact-file matching rule (``{"match": ...}``) for one FFI matcher definition.

    Raises ValueError for an unknown ``pact:matcher:type``.
    """
    kind = definition.get("pact:matcher:type")
    if kind not in FFI_MATCHER_TYPES:
        raise ValueError(
            f"unknown pact:matcher:type {kind!r}: use one of "
            + ", ".join(sorted(set(FFI_MATCHER_TYPES)))
        )
    name, keys = FFI_MATCHER_TYPES[kind]
    rule: Dict[str, Any] = {"match": name}
    for key in keys:
        if key == "format":
            found = next((definition[k] for k in _DATE_KEYS if k in definition), None)
            if found is not None:
                rule["format"] = found
        elif key == "rules":
            rule["rules"] = [ffi_rule(_as_ffi(r)) for r in definition.get("rules") or []]
        elif key in definition and key != "variants":
            rule[key] = definition[key]
    if name == "regex":
        compile_regex(rule.get("regex"), "pact:matcher:type regex")
    return rule


def _as_ffi(item: Any) -> Dict[str, Any]:
    """A rule given to EachKey/EachValue as a matcher object or as FFI JSON."""
    if isinstance(item, Matcher):
        return item.to_ffi()
    if isinstance(item, dict) and "pact:matcher:type" in item:
        return item
    if isinstance(item, dict) and "match" in item:  # already a pact-file rule
        return {"pact:matcher:type": item["match"], **{k: v for k, v in item.items() if k != "match"}}
    raise ValueError(f"expected a matcher, got {item!r}")


def check_generator(gen: Dict[str, Any]) -> None:
    """Refuse generator arguments that could never generate (RandomInt min > max, ...)
    when the matcher is read, not when the mock service first answers with it."""
    kind = gen["type"]
    call = _call(kind, **{k: v for k, v in gen.items() if k != "type"})
    if kind == "RandomInt":
        _int_arg(call, "min", gen.get("min"))
        _int_arg(call, "max", gen.get("max"))
        if gen.get("min") is not None and gen.get("max") is not None and gen["min"] > gen["max"]:
            raise ValueError(f"{call}: min must not be greater than max")
    elif kind in ("RandomDecimal", "RandomHexadecimal"):
        _int_arg(call, "digits", gen.get("digits"), 1)
    elif kind == "RandomString":
        _int_arg(call, "size", gen.get("size"), 0)


class V3Matcher(Matcher):
    """A spec-3/4 matcher: a rule type, its attributes, an example and maybe a generator.

    Built by the named subclasses below, or from FFI JSON by :meth:`from_ffi` (that is how
    matchers sent over the wire are read back).
    """

    def __init__(self, matcher_type: str, value: Any, attrs: Optional[Dict[str, Any]] = None,
                 generator: Optional[Dict[str, Any]] = None) -> None:
        self.matcher_type = matcher_type
        self.value = value
        self.attrs = dict(attrs or {})
        self.generator = dict(generator) if generator else None

    @classmethod
    def from_ffi(cls, data: Dict[str, Any], value: Any) -> "V3Matcher":
        """Rebuild a matcher from FFI JSON; ``value`` is the already-read example."""
        ffi_rule(data)  # validates the type and a regex
        kind: str = data["pact:matcher:type"]
        _, keys = FFI_MATCHER_TYPES[kind]
        attrs: Dict[str, Any] = {}
        for key in keys:
            if key == "format":
                found = next((data[k] for k in _DATE_KEYS if k in data), None)
                if found is not None:
                    attrs["format"] = found
            elif key in data:
                attrs[key] = data[key]
        generator = None
        gen_type = data.get("pact:generator:type")
        if gen_type is not None:
            if gen_type not in GENERATOR_ATTRS:
                raise ValueError(
                    f"unknown pact:generator:type {gen_type!r}: use one of "
                    + ", ".join(sorted(GENERATOR_ATTRS))
                )
            generator = {"type": gen_type}
            generator.update({k: data[k] for k in GENERATOR_ATTRS[gen_type] if k in data})
            check_generator(generator)
        return cls(kind, value, attrs, generator)

    def rule(self) -> Dict[str, Any]:
        """The pact-file matching rule of this matcher (nested matchers not included)."""
        return ffi_rule(self.to_ffi())

    def generate(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"pact:matcher:type": self.matcher_type}
        for key, val in self.attrs.items():
            if key == "rules":
                val = [_as_ffi(r) for r in val]
            elif key == "variants":
                val = [to_ffi_json(v) for v in val]
            out[key] = val
        if self.generator:
            out["pact:generator:type"] = self.generator["type"]
            for key, val in self.generator.items():
                if key != "type":
                    out.setdefault(key, val)
        out["value"] = to_ffi_json(self.value)
        return out

    def to_ffi(self) -> Dict[str, Any]:
        return self.generate()

    def example(self) -> Any:
        return get_generated_values(self.value)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.matcher_type!r}, {self.value!r}, "
                f"{self.attrs!r}, {self.generator!r})")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _call(name: str, **args: Any) -> str:
    """``Integer(min=5, max=1)``: how an error names the matcher and its arguments."""
    return f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in args.items() if v is not None) + ")"


def _int_arg(call: str, name: str, value: Any, minimum: Optional[int] = None) -> None:
    """A whole-number argument (None = not given); ValueError naming the call otherwise.

    Checked when the matcher is built, so a bad argument fails on the line that wrote it,
    not later when the mock service or a verifier generates a value from it.
    """
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{call}: {name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{call}: {name} must be at least {minimum}, got {value!r}")


_INT32_MAX = 2147483647


class Integer(V3Matcher):
    """An integer (no fractional part). Without an example: 1 (or ``min``), RandomInt.

    ``min``/``max`` bound the *generated* example (the RandomInt generator a verifier
    uses); matching accepts any integer. They must be ints with ``min <= max``, and an
    example given with them must lie between them.
    """

    def __init__(self, example: Optional[int] = None, *, min: Optional[int] = None,
                 max: Optional[int] = None) -> None:
        call = _call("Integer", example=example, min=min, max=max)
        _int_arg(call, "min", min)
        _int_arg(call, "max", max)
        if min is not None and max is not None and min > max:
            raise ValueError(f"{call}: min must not be greater than max")
        generator = None
        if example is None:
            low = min if min is not None else (0 if max is None or max >= 0 else -_INT32_MAX - 1)
            high = max if max is not None else (_INT32_MAX if low <= _INT32_MAX
                                                else low + _INT32_MAX)
            example = min if min is not None else (1 if high >= 1 else high)
            generator = {"type": "RandomInt", "min": low, "max": high}
        if isinstance(example, bool) or not isinstance(example, int):
            raise ValueError(f"Integer example must be an int, got {example!r}")
        if (min is not None and example < min) or (max is not None and example > max):
            raise ValueError(f"{call}: the example is outside min..max")
        super().__init__("integer", example, None, generator)

    def __repr__(self) -> str:
        return f"Integer({self.value!r})"


class Decimal(V3Matcher):
    """A number with a fractional part. Without an example: 12.34, RandomDecimal."""

    def __init__(self, example: Optional[float] = None, *, digits: Optional[int] = None) -> None:
        _int_arg(_call("Decimal", example=example, digits=digits), "digits", digits, 1)
        generator = None
        if example is None:
            example = 12.34
            generator = {"type": "RandomDecimal", "digits": 6 if digits is None else digits}
        if not isinstance(example, float):
            raise ValueError(f"Decimal example must be a float, got {example!r}")
        super().__init__("decimal", example, None, generator)

    def __repr__(self) -> str:
        return f"Decimal({self.value!r})"


class Number(V3Matcher):
    """Any number. Without an example: 1, RandomInt."""

    def __init__(self, example: Any = None) -> None:
        generator = None
        if example is None:
            example = 1
            generator = {"type": "RandomInt", "min": 0, "max": 2147483647}
        if not _number(example):
            raise ValueError(f"Number example must be an int or float, got {example!r}")
        super().__init__("number", example, None, generator)

    def __repr__(self) -> str:
        return f"Number({self.value!r})"


class Boolean(V3Matcher):
    """``true`` or ``false``. Without an example: true, RandomBoolean."""

    def __init__(self, example: Optional[bool] = None) -> None:
        generator = None
        if example is None:
            example, generator = True, {"type": "RandomBoolean"}
        if not isinstance(example, bool):
            raise ValueError(f"Boolean example must be a bool, got {example!r}")
        super().__init__("boolean", example, None, generator)

    def __repr__(self) -> str:
        return f"Boolean({self.value!r})"


class _DateLike(V3Matcher):
    _kind = "date"
    _generator = "Date"
    _default = "yyyy-MM-dd"

    def __init__(self, format: Optional[str] = None, example: Optional[str] = None) -> None:
        fmt = self._default if format is None else format
        if not isinstance(fmt, str) or not fmt:
            raise ValueError(f"{_call(type(self).__name__, format=format, example=example)}: "
                             f"format must be a non-empty string")
        checker = java_time_format(fmt)  # ValueError on a bad pattern
        generator = None
        if example is None:
            example = format_java(fmt)
            generator = {"type": self._generator, "format": fmt}
        if not isinstance(example, str) or not checker.check(example):  # as the engine does
            raise ValueError(
                f"{type(self).__name__} example {example!r} does not fit the format {fmt!r}"
            )
        super().__init__(self._kind, example, {"format": fmt}, generator)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.attrs['format']!r}, {self.value!r})"


class Date(_DateLike):
    """A date in a Java-style format (default ``yyyy-MM-dd``)."""


class Time(_DateLike):
    """A time of day in a Java-style format (default ``HH:mm:ss``)."""

    _kind, _generator, _default = "time", "Time", "HH:mm:ss"


class Timestamp(_DateLike):
    """A date and time in a Java-style format (default ``yyyy-MM-dd'T'HH:mm:ss``)."""

    _kind, _generator, _default = "datetime", "DateTime", "yyyy-MM-dd'T'HH:mm:ss"


DateTime = Timestamp


class Include(V3Matcher):
    """A string containing ``value`` (the example is ``value`` itself)."""

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise ValueError(f"Include value must be a string, got {value!r}")
        super().__init__("include", value, {"value": value})

    def __repr__(self) -> str:
        return f"Include({self.value!r})"


class Null(V3Matcher):
    """JSON ``null`` only."""

    def __init__(self) -> None:
        super().__init__("null", None)

    def __repr__(self) -> str:
        return "Null()"


class Equality(V3Matcher):
    """Exactly the example; also stops a type rule cascading from a parent."""

    def __init__(self, example: Any) -> None:
        super().__init__("equality", example)

    def __repr__(self) -> str:
        return f"Equality({self.value!r})"


class Values(V3Matcher):
    """A map whose keys are free; each value must match the example's values."""

    def __init__(self, example: Dict[str, Any]) -> None:
        if not isinstance(example, dict) or not example:
            raise ValueError(f"Values example must be a non-empty dict, got {example!r}")
        super().__init__("values", example)

    def __repr__(self) -> str:
        return f"Values({self.value!r})"


#: pact-python 3 / pact-js names for the v2 matchers.
Regex = Term
Type = Like


class EachKeyLike(V3Matcher):
    """A map whose every key matches ``key_matcher`` (default: any string key).

    >>> EachKeyLike({"AUK-1": {"title": "x"}}, Term(r"\\w{3}-\\d+", "AUK-1"))
    ... # doctest: +SKIP
    """

    def __init__(self, example: Dict[str, Any], key_matcher: Optional[Matcher] = None) -> None:
        if not isinstance(example, dict) or not example:
            raise ValueError(f"EachKeyLike example must be a non-empty dict, got {example!r}")
        key_matcher = key_matcher if key_matcher is not None else Like(next(iter(example)))
        if not isinstance(key_matcher, Matcher):
            raise ValueError(f"EachKeyLike key_matcher must be a matcher, got {key_matcher!r}")
        rule_of_key = _as_ffi(key_matcher)
        ffi_rule(rule_of_key)
        super().__init__("eachKey", example, {"rules": [key_matcher]})

    def __repr__(self) -> str:
        return f"EachKeyLike({self.value!r}, {self.attrs['rules'][0]!r})"


class EachValueLike(V3Matcher):
    """A map (or list) whose every value matches ``value_matcher`` (default: like the first)."""

    def __init__(self, example: Any, value_matcher: Optional[Matcher] = None) -> None:
        if not isinstance(example, (dict, list)) or not example:
            raise ValueError(f"EachValueLike example must be a non-empty dict or list, got {example!r}")
        if value_matcher is None:
            first = next(iter(example.values())) if isinstance(example, dict) else example[0]
            value_matcher = Like(get_generated_values(first))
        if not isinstance(value_matcher, Matcher):
            raise ValueError(f"EachValueLike value_matcher must be a matcher, got {value_matcher!r}")
        ffi_rule(_as_ffi(value_matcher))
        super().__init__("eachValue", example, {"rules": [value_matcher]})

    def __repr__(self) -> str:
        return f"EachValueLike({self.value!r}, {self.attrs['rules'][0]!r})"


class ArrayContaining(V3Matcher):
    """A list containing, in any order, an item matching each variant (spec 4)."""

    def __init__(self, variants: List[Any]) -> None:
        if not isinstance(variants, (list, tuple)) or not variants:
            raise ValueError(f"ArrayContaining needs a non-empty list of variants, got {variants!r}")
        super().__init__("arrayContains", list(variants), {"variants": list(variants)})

    def generate(self) -> Dict[str, Any]:
        out = super().generate()
        del out["value"]  # the FFI form has only the variants (the example is derived)
        return out

    def example(self) -> Any:
        return [get_generated_values(v) for v in self.attrs["variants"]]

    def __repr__(self) -> str:
        return f"ArrayContaining({self.attrs['variants']!r})"


class NotEmpty(V3Matcher):
    """Present, not null and not empty, of the example's type (spec 4)."""

    def __init__(self, example: Any) -> None:
        if example is None or (isinstance(example, (str, list, dict)) and not example):
            raise ValueError(f"NotEmpty example must not be empty, got {example!r}")
        super().__init__("notEmpty", example)

    def __repr__(self) -> str:
        return f"NotEmpty({self.value!r})"


class Semver(V3Matcher):
    """A semantic version string such as ``1.0.0`` (spec 4)."""

    def __init__(self, example: str = "1.0.0") -> None:
        if not isinstance(example, str) or _SEMVER.fullmatch(example) is None:
            raise ValueError(f"Semver example must be a semantic version, got {example!r}")
        super().__init__("semver", example)

    def __repr__(self) -> str:
        return f"Semver({self.value!r})"
