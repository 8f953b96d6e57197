"""ASCII forms of ast-grep rules, exact on ASCII text and several times cheaper to compile.

ast-grep compiles a rule's regexes on every call, once per file. Rust's `regex` builds
Unicode `\\w`, `\\d`, `\\s` and `\\b` from tables of every Unicode word, digit or space
character, which costs up to a millisecond per regex; their ASCII classes cost a few
microseconds. On a file whose text is all ASCII (most source files) every node's text is
ASCII too, and there each Unicode class matches exactly what its ASCII class matches, so
the ASCII form of a rule finds exactly the same nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Outside a character class: a class of its own; inside one: its members.
_OUTSIDE = {
    "w": "[0-9A-Za-z_]",
    "W": "[^0-9A-Za-z_]",
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": "[\\t\\n\\v\\f\\r ]",
    "S": "[^\\t\\n\\v\\f\\r ]",
    "b": "(?-u:\\b)",
    "B": "(?-u:\\B)",
}
_INSIDE = {"w": "0-9A-Za-z_", "d": "0-9", "s": "\\t\\n\\v\\f\\r "}


def ascii_rule(rule: Any) -> Any:
    """The rule with each regex in its ASCII form (a regex this cannot rewrite is kept).

    Args:
        rule: an ast-grep rule object, or any part of one.
    """
    if isinstance(rule, Mapping):
        return {
            key: _ascii_or_same(value) if key == "regex" else ascii_rule(value)
            for key, value in rule.items()
        }
    if isinstance(rule, list | tuple):
        return [ascii_rule(item) for item in rule]
    return rule


def _ascii_or_same(regex: Any) -> Any:
    if not isinstance(regex, str):
        return regex
    try:
        return ascii_regex(regex)
    except ValueError:
        return regex


def ascii_regex(regex: str) -> str:
    """A Rust regex with its Unicode Perl classes replaced by ASCII ones.

    Raises ValueError for syntax this does not follow: verbose mode (`x` flag), a class
    opening with a literal `]`, and negated or boundary classes inside brackets.

    Args:
        regex: a regex in Rust's `regex` syntax.
    """
    if "(?x" in regex or "[]" in regex or "[^]" in regex:
        raise ValueError(regex)
    out: list[str] = []
    depth = 0  # nesting of character classes
    at = 0
    while at < len(regex):
        char = regex[at]
        if char == "\\" and at + 1 < len(regex):
            escaped = regex[at + 1]
            if depth and escaped in _INSIDE:
                out.append(_INSIDE[escaped])
            elif depth and escaped in _OUTSIDE:
                raise ValueError(regex)
            elif not depth and escaped in _OUTSIDE:
                out.append(_OUTSIDE[escaped])
            else:
                out.append(regex[at : at + 2])
            at += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        out.append(char)
        at += 1
    return "".join(out)
