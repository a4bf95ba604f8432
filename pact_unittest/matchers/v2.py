"""The pact-python v2 matchers: ``Term``, ``Like``/``SomethingLike``, ``EachLike``, ``Format``.

``generate()`` returns exactly the ``json_class`` JSON that pact-python 2.3.3 sent to the Ruby
mock service, so an existing suite that inspects those dicts keeps working and a spec-2 pact
file comes out the same.

What differs on purpose: matchers are validated when they are built (a ``Term`` whose example
does not match its regex fails at the line that wrote it, not at registration time), they
compare equal by their wire form, and they have a readable ``repr``.

Users import both families from :mod:`pact_unittest.matchers`; :mod:`.v3` builds on this
module.
"""
from __future__ import annotations

import datetime
from enum import Enum
from typing import Any, Dict, List, Tuple

from ..matching.user_regex import compile_user_regex, user_fullmatch

__all__ = [
    "Matcher",
    "Term",
    "Like",
    "SomethingLike",
    "EachLike",
    "Format",
    "from_term",
    "get_generated_values",
    "compile_regex",
]

_SCALARS = (str, bytes, int, float)  # bool is an int


def compile_regex(pattern: Any, what: str = "regex") -> Any:
    """Compile a user regex (time-bounded when matched: ``matching.user_regex``), raising
    ValueError that names it when it is not valid."""
    if not isinstance(pattern, str):
        raise ValueError(f"{what} must be a string, got {type(pattern).__name__}: {pattern!r}")
    try:
        return compile_user_regex(pattern)
    except ValueError as exc:
        raise ValueError(f"invalid {what} {pattern!r}: {exc}") from None


class Matcher:
    """Base class of every matcher: something that stands for a set of acceptable values.

    Subclasses implement :meth:`generate` (the wire form), :meth:`example` (the value the
    mock service sends and the consumer sees) and :meth:`to_ffi` (the FFI integration JSON,
    which is how a matcher nests inside a spec-3/4 matcher such as ``EachKeyLike``).
    """

    def generate(self) -> Any:
        """The JSON the mock service receives for this matcher."""
        raise NotImplementedError

    def example(self) -> Any:
        """The example value: what the mock service answers with in place of the matcher."""
        raise NotImplementedError

    def to_ffi(self) -> Dict[str, Any]:
        """This matcher as Pact FFI integration JSON (``{"pact:matcher:type": ...}``)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Matcher):
            return NotImplemented
        return type(self) is type(other) and self.generate() == other.generate()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]  # mutable contents: not hashable, like a dict


def _check_contents(value: Any, what: str) -> None:
    """Reject values that have no JSON form (pact-python asserted the same types)."""
    if value is None or isinstance(value, (_SCALARS, list, tuple, dict, Matcher)):
        return
    raise TypeError(
        f"{what} must be None, a str, number, bool, list, dict or matcher, "
        f"got {type(value).__name__}: {value!r}"
    )


class Term(Matcher):
    """A string matching a regular expression; ``generate`` is the example sent by the mock.

    The whole example must match the regex (regexes match whole values in every Pact spec
    version), else ValueError names both.
    """

    def __init__(self, matcher: str, generate: str) -> None:
        self.matcher = matcher
        self._generate = generate
        _validate_term(matcher, generate)

    def generate(self) -> Dict[str, Any]:
        return {
            "json_class": "Pact::Term",
            "data": {
                "generate": self._generate,
                "matcher": {"json_class": "Regexp", "o": 0, "s": self.matcher},
            },
        }

    def example(self) -> Any:
        return self._generate

    def to_ffi(self) -> Dict[str, Any]:
        return {"pact:matcher:type": "regex", "regex": self.matcher, "value": self._generate}

    def __repr__(self) -> str:
        return f"Term({self.matcher!r}, {self._generate!r})"


def _validate_term(pattern: Any, example: Any) -> None:
    regex = compile_regex(pattern, "Term regex")
    if not isinstance(example, str):
        raise ValueError(
            f"Term example must be a string matching {pattern!r}, "
            f"got {type(example).__name__}: {example!r}"
        )
    if not user_fullmatch(regex, example):  # RegexTimeout (a ValueError) names the bound
        raise ValueError(
            f"Term example {example!r} does not match regular expression {pattern!r} "
            "(the whole value must match)"
        )


class Like(Matcher):
    """A value of the same type as the example (recursively for dicts and lists)."""

    def __init__(self, matcher: Any) -> None:
        _check_contents(matcher, "Like contents")
        self.matcher = matcher

    def generate(self) -> Dict[str, Any]:
        return {"json_class": "Pact::SomethingLike", "contents": from_term(self.matcher)}

    def example(self) -> Any:
        return get_generated_values(self.matcher)

    def to_ffi(self) -> Dict[str, Any]:
        return {"pact:matcher:type": "type", "value": to_ffi_json(self.matcher)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.matcher!r})"


#: pact-python v2's older name for :class:`Like`.
SomethingLike = Like


class EachLike(Matcher):
    """A list of at least ``minimum`` items, each like the example.

    The example has ``minimum`` copies of the item, as the Ruby mock service sent
    (pact-python 4 sends one; we keep v2's behaviour).
    """

    def __init__(self, matcher: Any, minimum: int = 1) -> None:
        _check_contents(matcher, "EachLike contents")
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
            raise ValueError(f"EachLike minimum must be an integer >= 1, got {minimum!r}")
        self.matcher = matcher
        self.minimum = minimum

    def generate(self) -> Dict[str, Any]:
        return {
            "json_class": "Pact::ArrayLike",
            "contents": from_term(self.matcher),
            "min": self.minimum,
        }

    def example(self) -> List[Any]:
        return [get_generated_values(self.matcher) for _ in range(self.minimum)]

    def to_ffi(self) -> Dict[str, Any]:
        item = to_ffi_json(self.matcher)
        return {"pact:matcher:type": "type", "min": self.minimum,
                "value": [item for _ in range(self.minimum)]}

    def __repr__(self) -> str:
        if self.minimum == 1:
            return f"EachLike({self.matcher!r})"
        return f"EachLike({self.matcher!r}, minimum={self.minimum})"


def to_ffi_json(value: Any) -> Any:
    """Turn every matcher nested in ``value`` into its FFI integration JSON."""
    if isinstance(value, Matcher):
        return value.to_ffi()
    if isinstance(value, dict):
        return {k: to_ffi_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_ffi_json(v) for v in value]
    return value


def from_term(term: Any) -> Any:
    """The wire JSON of ``term``: matchers replaced by their ``generate()`` form, recursively."""
    if term is None or isinstance(term, _SCALARS):
        return term
    if isinstance(term, dict):
        return {k: from_term(v) for k, v in term.items()}
    if isinstance(term, (list, tuple)):
        return [from_term(t) for t in term]
    if isinstance(term, Matcher):
        return term.generate()
    raise ValueError(f"Unknown type: {type(term)}")


def get_generated_values(input: Any) -> Any:  # noqa: A002  (pact-python's parameter name)
    """The example value of ``input``: what the mock service would send in its place."""
    if input is None or isinstance(input, (str, int, float, bool, bytes)):
        return input
    if isinstance(input, dict):
        return {k: get_generated_values(v) for k, v in input.items()}
    if isinstance(input, (list, tuple)):
        return [get_generated_values(t) for t in input]
    if isinstance(input, Matcher):
        return input.example()
    raise ValueError(f"Unknown type: {type(input)}")


class _UncheckedTerm(Term):
    """A Term built without validation: only for pact-python's ``Format().time``.

    pact-python 2.3.3 pairs the example ``12:30:00`` with a regex that requires a leading
    ``T``, so the Ruby service rejected it at registration. We keep the identical wire form
    (so ``Format()`` itself still works) and reject it where Ruby did, at registration,
    with a message that says why.
    """

    def __init__(self, matcher: str, generate: str) -> None:  # noqa: D107
        self.matcher = matcher
        self._generate = generate


_REF_TIME = datetime.datetime(2000, 2, 1, 12, 30, 0, 0)
_ISO_DATE = datetime.datetime(1991, 2, 20, 6, 35, 26, tzinfo=datetime.timezone.utc)


class Format:
    """Matchers for common formats, exactly as pact-python v2's ``Format()`` built them.

    As in v2, each format is a method on the class (``Format().iso_8601_datetime(with_ms=
    True)``, ``Format().integer_or_identifier()``) and ``__init__`` stores its result under
    the usual attribute names, shadowing the method of the same name on the instance
    (``Format().uuid`` is a ``Term``). The methods carry no annotations so that their
    signatures are v2's, name for name (a test compares them with pact-python 2.3.3's).
    v2's ``PendingDeprecationWarning`` is not repeated: the deprecation is pact-python's.

    >>> Format().uuid.example()
    'fc763eba-0905-41c5-a27f-3934ab26786c'
    """

    class Regexes(Enum):
        """Regex Enum for common formats: pact-python 2.3.3's, verbatim (they are part of
        the wire form), so ``Format.Regexes.uuid.value`` is the regex as in v2."""

        ip_address = r"(\d{1,3}\.)+\d{1,3}"
        hexadecimal = r"[0-9a-fA-F]+"
        ipv6_address = (
            r"(\A([0-9a-f]{1,4}:){1,1}(:[0-9a-f]{1,4}){1,6}\Z)|"
            r"(\A([0-9a-f]{1,4}:){1,2}(:[0-9a-f]{1,4}){1,5}\Z)|(\A([0-9a-f]"
            r"{1,4}:){1,3}(:[0-9a-f]{1,4}){1,4}\Z)|(\A([0-9a-f]{1,4}:)"
            r"{1,4}(:[0-9a-f]{1,4}){1,3}\Z)|(\A([0-9a-f]{1,4}:){1,5}(:[0-"
            r"9a-f]{1,4}){1,2}\Z)|(\A([0-9a-f]{1,4}:){1,6}(:[0-9a-f]{1,4})"
            r"{1,1}\Z)|(\A(([0-9a-f]{1,4}:){1,7}|:):\Z)|(\A:(:[0-9a-f]{1,4})"
            r"{1,7}\Z)|(\A((([0-9a-f]{1,4}:){6})(25[0-5]|2[0-4]\d|[0-1]"
            r"?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3})\Z)|(\A(([0-9a-f]"
            r"{1,4}:){5}[0-9a-f]{1,4}:(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25"
            r"[0-5]|2[0-4]\d|[0-1]?\d?\d)){3})\Z)|(\A([0-9a-f]{1,4}:){5}:["
            r"0-9a-f]{1,4}:(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4"
            r"]\d|[0-1]?\d?\d)){3}\Z)|(\A([0-9a-f]{1,4}:){1,1}(:[0-9a-f]"
            r"{1,4}){1,4}:(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]"
            r"\d|[0-1]?\d?\d)){3}\Z)|(\A([0-9a-f]{1,4}:){1,2}(:[0-9a-f]{1,4}"
            r"){1,3}:(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0"
            r"-1]?\d?\d)){3}\Z)|(\A([0-9a-f]{1,4}:){1,3}(:[0-9a-f]{1,4}){1,"
            r"2}:(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]"
            r"?\d?\d)){3}\Z)|(\A([0-9a-f]{1,4}:){1,4}(:[0-9a-f]{1,4}){1,1}:"
            r"(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?"
            r"\d)){3}\Z)|(\A(([0-9a-f]{1,4}:){1,5}|:):(25[0-5]|2[0-4]\d|[0"
            r"-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3}\Z)|(\A:(:["
            r"0-9a-f]{1,4}){1,5}:(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]"
            r"|2[0-4]\d|[0-1]?\d?\d)){3}\Z)"
        )
        uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        timestamp = (
            r"^([\+-]?\d{4}(?!\d{2}\b))((-?)((0[1-9]|1[0-2])(\3("
            r"[12]\d|0[1-9]|3[01]))?|W([0-4]\d|5[0-2])(-?[1-7])?|(00[1-"
            r"9]|0[1-9]\d|[12]\d{2}|3([0-5]\d|6[1-6])))([T\s]((([01]\d|2"
            r"[0-3])((:?)[0-5]\d)?|24\:?00)([\.,]\d+(?!:))?)?(\17[0-5]\d"
            r"([\.,]\d+)?)?([zZ]|([\+-])([01]\d|2[0-3]):?([0-5]\d)?)?)?)?$"
        )
        date = (
            r"^([\+-]?\d{4}(?!\d{2}\b))((-?)((0[1-9]|1[0-2])(\3([12]\d|"
            r"0[1-9]|3[01]))?|W([0-4]\d|5[0-2])(-?[1-7])?|(00[1-9]|0[1-9]\d|"
            r"[12]\d{2}|3([0-5]\d|6[1-6])))?)"
        )
        time_regex = r"^(T\d\d:\d\d(:\d\d)?(\.\d+)?(([+-]\d\d:\d\d)|Z)?)?$"
        iso_8601_datetime = (
            r"^\d{4}-[01]\d-[0-3]\d\x54[0-2]\d:[0-6]\d:"
            r"[0-6]\d(?:\.\d+)?(?:(?:[+-]\d\d:?\d\d)|\x5A)?$"
        )
        iso_8601_datetime_ms = (
            r"^\d{4}-[01]\d-[0-3]\d\x54[0-2]\d:[0-6]\d:"
            r"[0-6]\d\.\d+(?:(?:[+-]\d\d:?\d\d)|\x5A)?$"
        )

    # The instance attributes v2's __init__ sets (each from the method of the same name or
    # the one given), in v2's order.
    _ATTRIBUTES: Tuple[Tuple[str, str, Dict[str, Any]], ...] = (
        ("identifier", "integer_or_identifier", {}),
        ("integer", "integer_or_identifier", {}),
        ("decimal", "decimal", {}),
        ("ip_address", "ip_address", {}),
        ("hexadecimal", "hexadecimal", {}),
        ("ipv6_address", "ipv6_address", {}),
        ("uuid", "uuid", {}),
        ("timestamp", "timestamp", {}),
        ("date", "date", {}),
        ("time", "time", {}),
        ("iso_datetime", "iso_8601_datetime", {}),
        ("iso_datetime_ms", "iso_8601_datetime", {"with_ms": True}),
    )

    def __init__(self) -> None:
        for attribute, method, kwargs in self._ATTRIBUTES:
            # setattr: on the instance the value shadows the method of the same name, as in v2
            setattr(self, attribute, getattr(self, method)(**kwargs))

    def integer_or_identifier(self):  # noqa: ANN201 - v2's signature
        """Match any integer: ``Like(1)``."""
        return Like(1)

    def decimal(self):  # noqa: ANN201
        """Match any decimal: ``Like(1.0)``."""
        return Like(1.0)

    def ip_address(self):  # noqa: ANN201
        """Match an IPv4 address (example ``127.0.0.1``)."""
        return Term(self.Regexes.ip_address.value, "127.0.0.1")

    def hexadecimal(self):  # noqa: ANN201
        """Match a hexadecimal string (example ``3F``)."""
        return Term(self.Regexes.hexadecimal.value, "3F")

    def ipv6_address(self):  # noqa: ANN201
        """Match an IPv6 address (example ``::ffff:192.0.2.128``)."""
        return Term(self.Regexes.ipv6_address.value, "::ffff:192.0.2.128")

    def uuid(self):  # noqa: ANN201
        """Match a lower-case UUID."""
        return Term(self.Regexes.uuid.value, "fc763eba-0905-41c5-a27f-3934ab26786c")

    def timestamp(self):  # noqa: ANN201
        """Match an ISO 8601 timestamp (example ``2000-02-01T12:30:00``)."""
        return Term(self.Regexes.timestamp.value, _REF_TIME.isoformat())

    def date(self):  # noqa: ANN201
        """Match an ISO 8601 date (example ``2000-02-01``)."""
        return Term(self.Regexes.date.value, _REF_TIME.date().isoformat())

    def time(self):  # noqa: ANN201
        """v2's time matcher: its example ``12:30:00`` does not match its regex (which needs
        a leading ``T``), so it is built unchecked and refused at registration, as Ruby
        refused it (see :class:`_UncheckedTerm`)."""
        return _UncheckedTerm(self.Regexes.time_regex.value, _REF_TIME.time().isoformat())

    def iso_8601_datetime(self, with_ms=False):  # noqa: ANN201
        """Match a full ISO 8601 date-time; with ``with_ms=True`` only ones with a fraction
        of a second (example ``1991-02-20T06:35:26.079043+00:00``)."""
        if with_ms:
            return Term(self.Regexes.iso_8601_datetime_ms.value,
                        _ISO_DATE.replace(microsecond=79043).isoformat())
        return Term(self.Regexes.iso_8601_datetime.value, _ISO_DATE.isoformat())

    def __repr__(self) -> str:
        return "Format()"
