"""The small JSON-path dialect Pact uses for matching-rule keys, and runtime paths.

A rule path such as ``$.animals[*].phoneNumber`` or ``$['2'].str`` is parsed once into a
tuple of tokens (the ``$`` root is implicit): ``str`` = a key, ``int`` = an array index,
:data:`ANY_KEY` = ``.*`` and :data:`ANY_INDEX` = ``[*]``. Runtime paths of the values
being compared are linked tuples ``(parent, token)`` built without copying (a 100k-deep
body must not cost quadratic time) and rendered to text only for a mismatch message.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple, Union


class _Wild:
    """A wildcard token; a singleton per kind so ``is`` comparisons are enough."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __reduce__(self) -> str:
        return "ANY_KEY" if self.text == ".*" else "ANY_INDEX"


ANY_KEY = _Wild(".*")
ANY_INDEX = _Wild("[*]")

Token = Union[str, int, _Wild]
#: A runtime path: None for the root, else (parent, token).
RtPath = Optional[Tuple[Any, Any]]

_NAME = re.compile(r"[^.\[\]]+")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def parse_path(expr: str) -> Tuple[Token, ...]:
    """Parse a rule path (``$.a[0].b``, ``$['x y']``, ``$.*``, ``$.a[*]``) into tokens.

    Raises ValueError naming the expression when it is not valid.
    """
    if not isinstance(expr, str):
        raise ValueError(f"matching rule path must be a string, got {expr!r}")
    text = expr.strip()
    if not text.startswith("$"):
        raise ValueError(f"matching rule path {expr!r} must start with '$'")
    tokens: List[Token] = []
    i, n = 1, len(text)
    while i < n:
        ch = text[i]
        if ch == ".":
            m = _NAME.match(text, i + 1)
            if not m:
                raise ValueError(f"matching rule path {expr!r}: missing name after '.' at {i}")
            name = m.group(0)
            tokens.append(ANY_KEY if name == "*" else name)
            i = m.end()
        elif ch == "[":
            end, token = _parse_bracket(expr, text, i)
            tokens.append(token)
            i = end
        else:
            raise ValueError(f"matching rule path {expr!r}: unexpected {ch!r} at {i}")
    return tuple(tokens)


def _parse_bracket(expr: str, text: str, i: int) -> Tuple[int, Token]:
    """Parse ``[n]``, ``[*]`` or ``['key']`` starting at ``text[i] == '['``."""
    if i + 1 < len(text) and text[i + 1] in "'\"":
        quote = text[i + 1]
        close = text.find(quote + "]", i + 2)
        if close < 0:
            raise ValueError(f"matching rule path {expr!r}: unterminated [{quote}...{quote}]")
        return close + 2, text[i + 2:close]
    close = text.find("]", i)
    if close < 0:
        raise ValueError(f"matching rule path {expr!r}: unterminated '['")
    inner = text[i + 1:close].strip()
    if inner == "*":
        return close + 1, ANY_INDEX
    if inner.isdigit():
        return close + 1, int(inner)
    raise ValueError(f"matching rule path {expr!r}: bad index [{inner}]")


def token_weight(rule_token: Token, token: Any) -> int:
    """Weight of one rule token against one runtime token (README v2/v3): 2, 1 or 0."""
    if rule_token is ANY_KEY:
        return 1
    if rule_token is ANY_INDEX:
        return 1 if isinstance(token, int) else 0
    if type(rule_token) is type(token) and rule_token == token:
        return 2
    return 0


def render_key(token: Any) -> str:
    """One runtime token as JSON-path text: ``.name``, ``['odd key']`` or ``[3]``."""
    if isinstance(token, int):
        return f"[{token}]"
    text = str(token)
    if _PLAIN.match(text):
        return "." + text
    return "['" + text.replace("'", "\\'") + "']"


def render(path: RtPath) -> str:
    """Render a linked runtime path as ``$.items[0].id`` (iteratively: paths may be deep)."""
    parts: List[str] = []
    while path is not None:
        parent, token = path
        parts.append(render_key(token))
        path = parent
    parts.append("$")
    parts.reverse()
    return "".join(parts)
