"""Reading matchers out of wire JSON, and the example values of anything with matchers in it.

Clients send matchers as JSON: pact-python v2 as Ruby ``json_class`` objects, pact-js and
pact-python 3 as FFI ``pact:matcher:type`` objects. :func:`hydrate` turns either (and any
matcher objects already built in Python) into one tree of plain values and
:class:`~pact_unittest.matchers.Matcher` objects, so rule extraction and reification are
written once, against that tree.
"""
from __future__ import annotations

from typing import Any, Dict, List

from ..matchers import EachLike, Like, Matcher, Term, compile_regex
from ..matchers.v3 import FFI_MATCHER_TYPES, ArrayContaining, V3Matcher, ffi_rule
from ..matching.user_regex import user_fullmatch
from .interaction import MAX_DEPTH

__all__ = ["hydrate", "reify", "to_wire", "FfiType", "AllOf"]

_JSON_CLASSES = ("Pact::Term", "Pact::SomethingLike", "Pact::ArrayLike")


class FfiType(V3Matcher):
    """An FFI ``type`` matcher, with optional ``min``/``max``.

    Kept apart from :class:`Like` because its list items are matched by ``[*]`` (as the
    Rust core reads ``{"pact:matcher:type": "type", "value": [...]}``: an each-like).
    """


class AllOf(Matcher):
    """Several FFI matchers on one value (``"pact:matcher:type": [ {...}, {...} ]``)."""

    def __init__(self, matchers: List[Dict[str, Any]], value: Any) -> None:
        self.matchers = matchers
        self.value = value

    def rules(self) -> List[Dict[str, Any]]:
        return [ffi_rule(m) for m in self.matchers]

    def generate(self) -> Dict[str, Any]:
        out = {"pact:matcher:type": list(self.matchers)}
        out.update(to_wire(self.value) if isinstance(self.value, dict) else {"value": to_wire(self.value)})
        return out

    def to_ffi(self) -> Dict[str, Any]:
        return self.generate()

    def example(self) -> Any:
        return reify(self.value)


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"{where}: {problem}")


def plain_str(value: Any) -> Any:
    """A ``str`` subclass instance (``class Method(str, Enum)``'s ``Method.GET``) as the
    plain string of its value, which is what pact-python v2 sent (JSON encodes the value);
    ``str(member)`` would be ``"Method.GET"``. Anything else is returned unchanged."""
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    return value


def hydrate(value: Any, where: str, depth: int = 0) -> Any:
    """Return ``value`` with every wire-form matcher replaced by a Matcher object.

    ``where`` names the field for error messages ("response body"). Raises ValueError for
    an unknown ``json_class`` or ``pact:matcher:type``, an invalid regex, a Term example
    that does not match, non-JSON values, or nesting deeper than :data:`MAX_DEPTH`.
    """
    if depth > MAX_DEPTH:
        raise _fail(where, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return plain_str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Matcher):
        return _hydrate_matcher_object(value, where, depth)
    if isinstance(value, (list, tuple)):
        return [hydrate(v, where, depth + 1) for v in value]
    if isinstance(value, dict):
        if "json_class" in value:
            return _from_json_class(value, where, depth)
        if "pact:matcher:type" in value:
            return _from_ffi(value, where, depth)
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(where, f"object keys must be strings, got {key!r}")
            out[plain_str(key)] = hydrate(item, where, depth + 1)
        return out
    raise _fail(where, f"{type(value).__name__} is not a JSON value: {value!r}")


def _hydrate_matcher_object(value: Matcher, where: str, depth: int) -> Any:
    """Matchers built in Python may hold wire dicts (e.g. Like({"a": {"json_class": ...}}))."""
    if isinstance(value, (Term, V3Matcher, AllOf)) and not isinstance(value, ArrayContaining):
        if isinstance(value, Term):
            _check_term(value.matcher, value._generate, where)
            return value
        inner = hydrate(value.value, where, depth + 1)
        if inner is value.value:
            return value
        clone = object.__new__(type(value))
        clone.__dict__.update(value.__dict__)
        clone.value = inner
        return clone
    if isinstance(value, EachLike):
        return EachLike(hydrate(value.matcher, where, depth + 1), value.minimum)
    if isinstance(value, Like):
        return Like(hydrate(value.matcher, where, depth + 1))
    if isinstance(value, ArrayContaining):
        return ArrayContaining([hydrate(v, where, depth + 1) for v in value.attrs["variants"]])
    raise _fail(where, f"unsupported matcher {value!r}")


def _check_term(pattern: Any, example: Any, where: str) -> None:
    try:
        regex = compile_regex(pattern, "regex")
    except ValueError as exc:
        raise _fail(where, str(exc)) from None
    try:
        matches = isinstance(example, str) and user_fullmatch(regex, example)
    except ValueError as exc:  # RegexTimeout: the example could not be checked in time
        raise _fail(where, f"Term example {example!r}: {exc}") from None
    if not matches:
        raise _fail(
            where,
            f"Term example {example!r} does not match regular expression {pattern!r} "
            "(the whole value must match)",
        )


def _from_json_class(value: Dict[str, Any], where: str, depth: int) -> Matcher:
    kind = value.get("json_class")
    if kind == "Pact::Term":
        data = value.get("data")
        matcher = data.get("matcher") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(matcher, dict) \
                or matcher.get("json_class") != "Regexp":
            raise _fail(where, "Pact::Term needs data.matcher as a Regexp json_class object")
        source: Any = matcher.get("s")
        flags = matcher.get("o") or 0
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise _fail(where, f"Pact::Term data.matcher.o (the Regexp's options) must be an "
                               f"integer (1 IGNORECASE, 2 EXTENDED, 4 MULTILINE), not {flags!r}")
        if isinstance(source, str) and flags:
            # Ruby Regexp options: 1 IGNORECASE, 2 EXTENDED, 4 MULTILINE (= Python DOTALL).
            inline = "".join(c for bit, c in ((1, "i"), (2, "x"), (4, "s")) if flags & bit)
            source = f"(?{inline}){source}" if inline else source
        _check_term(source, data.get("generate"), where)
        term = object.__new__(Term)
        term.matcher, term._generate = source, data["generate"]
        return term
    if kind == "Pact::SomethingLike":
        if "contents" not in value:
            raise _fail(where, "Pact::SomethingLike needs 'contents'")
        return Like(hydrate(value["contents"], where, depth + 1))
    if kind == "Pact::ArrayLike":
        if "contents" not in value:
            raise _fail(where, "Pact::ArrayLike needs 'contents'")
        minimum = value.get("min", 1)
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
            raise _fail(where, f"Pact::ArrayLike min must be an integer >= 0, got {minimum!r}")
        like = object.__new__(EachLike)
        like.matcher, like.minimum = hydrate(value["contents"], where, depth + 1), minimum
        return like
    raise _fail(where, f"unknown json_class {kind!r}: use one of " + ", ".join(_JSON_CLASSES))


def _from_ffi(value: Dict[str, Any], where: str, depth: int) -> Matcher:
    kind = value["pact:matcher:type"]
    if isinstance(kind, list):
        defs = [d for d in kind if isinstance(d, dict)]
        if len(defs) != len(kind) or not defs:
            raise _fail(where, "a list pact:matcher:type must hold matcher objects")
        for d in defs:
            _rule_or_fail(d, where)
        rest = {k: v for k, v in value.items() if k != "pact:matcher:type"}
        example = rest["value"] if set(rest) == {"value"} else rest
        return AllOf(defs, hydrate(example, where, depth + 1))
    if not isinstance(kind, str):
        raise _fail(where, f"pact:matcher:type must be a matcher name (a string) or a list of "
                           f"matcher objects, not {type(kind).__name__} {kind!r}")
    if kind not in FFI_MATCHER_TYPES:
        raise _fail(
            where,
            f"unknown pact:matcher:type {kind!r}: use one of "
            + ", ".join(sorted(set(FFI_MATCHER_TYPES))),
        )
    if kind == "arrayContains":
        variants = value.get("variants")
        if not isinstance(variants, list) or not variants:
            raise _fail(where, "arrayContains needs a non-empty 'variants' list")
        return ArrayContaining([hydrate(v, where, depth + 1) for v in variants])
    example = hydrate(value.get("value"), where, depth + 1)
    if kind == "regex":
        _check_term(value.get("regex"), reify(example), where)
    try:
        cls = FfiType if kind == "type" else V3Matcher
        return cls.from_ffi(value, example)
    except ValueError as exc:
        raise _fail(where, str(exc)) from None


def _rule_or_fail(definition: Dict[str, Any], where: str) -> Dict[str, Any]:
    try:
        return ffi_rule(definition)
    except ValueError as exc:
        raise _fail(where, str(exc)) from None


def reify(value: Any) -> Any:
    """The example value of ``value``: every matcher (object or wire form) replaced by its
    example, recursively. ``EachLike(x, minimum=n)`` gives ``n`` copies.
    """
    if isinstance(value, Matcher):
        return value.example()
    if isinstance(value, dict):
        if "json_class" in value or "pact:matcher:type" in value:
            return reify(hydrate(value, "value"))
        return {k: reify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [reify(v) for v in value]
    return value


def to_wire(obj: Any) -> Any:
    """``obj`` as JSON for the mock service: matcher objects replaced by ``generate()``."""
    if isinstance(obj, Matcher):
        return obj.generate()
    if isinstance(obj, dict):
        return {k: to_wire(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_wire(v) for v in obj]
    return obj
