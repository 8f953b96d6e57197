"""Code patterns: rules declare ast-grep patterns; the collector runs them all in one pass."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ast_grep_py import SgNode, SgRoot

from twelve.lint.facts.files import Language
from twelve.model import Location

JS_FAMILY = frozenset({Language.JAVASCRIPT, Language.TYPESCRIPT, Language.TSX})
_METAVAR = re.compile(r"\$(\$\$)?([A-Z_][A-Z0-9_]*)")
_SNIPPET_CHARS = 200


@dataclass(frozen=True, slots=True)
class CodePattern:
    """One ast-grep rule for one language, run only on files containing a prefilter string.

    Args:
        key: names the pattern; rules read `facts.matches(key)`.
        language: the language it parses.
        rule: an ast-grep rule object (`{"pattern": ...}`, `{"any": [...]}`, `{"kind": ...}`).
        prefilter: the file must contain at least one of these substrings to be parsed.
    """

    key: str
    language: Language
    rule: Mapping[str, Any]
    prefilter: tuple[str, ...]
    captures: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CodeMatch:
    """Where a pattern matched, with the text of its metavariables."""

    key: str
    path: str
    language: Language
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    captures: Mapping[str, str]

    def location(self) -> Location:
        """The match as a report location (1-based)."""
        return Location(
            self.path, self.line, self.column, self.end_line, self.end_column, self.text
        )


# Rust unit tests live beside the code (`#[cfg(test)] mod tests { ... }`, `#[test] fn`):
# rules that skip test code add `{"not": RUST_TEST_CODE}` to their Rust patterns.
RUST_TEST_CODE: Mapping[str, Any] = {
    "any": [
        {"inside": {"kind": "mod_item", "stopBy": "end",
                    "has": {"field": "name", "regex": "^tests?$"}}},
        {"inside": {"kind": "mod_item", "stopBy": "end",
                    "follows": {"kind": "attribute_item", "regex": r"cfg\(test\)"}}},
        {"inside": {"kind": "function_item", "stopBy": "end",
                    "follows": {"kind": "attribute_item", "regex": r"^#\[(\w+::)?test\b"}}},
    ]
}  # fmt: skip

_PATTERNS: dict[str, list[CodePattern]] = {}


def code_pattern(
    key: str,
    languages: Iterable[Language],
    rule: Mapping[str, Any],
    prefilter: Sequence[str],
) -> str:
    """Declare a pattern (at import time of a rule module) and return its key.

    Args:
        key: names the matches; declarations sharing a key add up (one per language, or
            one per node kind: a rule with a top-level `kind` lets ast-grep skip other nodes).
        languages: languages the rule object is valid for.
        rule: the ast-grep rule object.
        prefilter: substrings, one of which a file must contain to be worth parsing.
    """
    captures = tuple(sorted({m.group(0) for m in _METAVAR.finditer(repr(rule))}))
    entries = _PATTERNS.setdefault(key, [])
    for language in languages:
        entries.append(CodePattern(key, language, rule, tuple(prefilter), captures))
    return key


def declared_patterns() -> list[CodePattern]:
    """Every declared pattern, for the collector."""
    return [pattern for entries in _PATTERNS.values() for pattern in entries]


def match_patterns(
    path: str, language: Language, text: str, patterns: Sequence[CodePattern]
) -> tuple[list[CodeMatch], list[str]]:
    """Run the patterns of `language` whose prefilter occurs in `text`; parse at most once.

    Returns the matches and the keys of patterns ast-grep rejected (a broken pattern must
    cost only its own rule, never the other patterns on the file).

    Args:
        path: the file's repository path, for the matches.
        language: the file's language.
        text: its content.
        patterns: every declared pattern (others' languages are skipped).
    """
    root: SgNode | None = None
    found: list[CodeMatch] = []
    broken: list[str] = []
    for pattern in patterns:
        if pattern.language is not language:
            continue
        if not any(needle in text for needle in pattern.prefilter):
            continue
        if root is None:
            root = SgRoot(text, language.value).root()
        try:
            nodes = root.find_all(**dict(pattern.rule))
        except Exception:  # noqa: BLE001 -- ast-grep raises bare Exception for bad rules
            broken.append(pattern.key)
            continue
        found.extend(_match(pattern, path, node) for node in nodes)
    return found, broken


def _match(pattern: CodePattern, path: str, node: SgNode) -> CodeMatch:
    span = node.range()
    captures: dict[str, str] = {}
    for metavar in pattern.captures:
        if metavar.startswith("$$$"):
            nodes = node.get_multiple_matches(metavar[3:])
            captures[metavar[3:]] = ", ".join(n.text() for n in nodes if n.kind() != ",")
        elif (captured := node.get_match(metavar[1:])) is not None:
            captures[metavar[1:]] = captured.text()
    first_line = node.text().split("\n", 1)[0][:_SNIPPET_CHARS]
    return CodeMatch(
        key=pattern.key,
        path=path,
        language=pattern.language,
        line=span.start.line + 1,
        column=span.start.column + 1,
        end_line=span.end.line + 1,
        end_column=span.end.column + 1,
        text=first_line,
        captures=captures,
    )
