"""Code patterns: rules declare ast-grep patterns; the collector runs them all in one pass."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

import ahocorasick
from ast_grep_py import Config, SgNode, SgRoot

from twelve.lint.facts.ascii_rules import ascii_rule
from twelve.lint.facts.files import Language
from twelve.model import Location

JS_FAMILY = frozenset({Language.JAVASCRIPT, Language.TYPESCRIPT, Language.TSX})
_METAVAR = re.compile(r"\$(\$\$)?([A-Z_][A-Z0-9_]*)")
_SNIPPET_CHARS = 200
# Below more than one anchor per this many bytes, a `within` rule searches the whole file.
_BYTES_PER_ANCHOR = 1500


@dataclass(frozen=True, slots=True)
class CodePattern:
    """One ast-grep rule for one language, run only on files containing a prefilter string.

    Args:
        key: names the pattern; rules read `facts.matches(key)`.
        language: the language it parses.
        rule: an ast-grep rule object (`{"pattern": ...}`, `{"any": [...]}`, `{"kind": ...}`).
        prefilter: the file must contain at least one of these substrings to be parsed.
        captures: the metavariables whose text a match carries.
        requires: regexes one of which the file must also contain, checked after the
            prefilter: a necessary condition of a match, for rules whose substrings are common.
        within: an ast-grep rule that some ancestor of every match satisfies: `rule` is then
            tested only inside the nodes it matches, not on every node of the file.
    """

    key: str
    language: Language
    rule: Mapping[str, Any]
    prefilter: tuple[str, ...]
    captures: tuple[str, ...] = field(default=())
    requires: tuple[re.Pattern[str], ...] = ()
    within: Mapping[str, Any] | None = None


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
    *,
    requires: str | Sequence[str] = (),
    within: Mapping[str, Any] | None = None,
) -> str:
    """Declare a pattern (at import time of a rule module) and return its key.

    Args:
        key: names the matches; declarations sharing a key add up (one per language, or
            one per node kind: a rule with a top-level `kind` lets ast-grep skip other nodes).
        languages: languages the rule object is valid for.
        rule: the ast-grep rule object.
        prefilter: substrings, one of which a file must contain to be worth parsing.
        requires: Python regexes, one of which every file with a match contains, searched
            (in order) only when the prefilter passes. Together they must follow from the
            rule: a regex the rule applies to a node's text, widened to a substring and made
            no stricter (a Unicode class of Rust's `regex` becomes one of Python's `re` that
            holds at least as much).
        within: an ast-grep rule that an ancestor of every match satisfies, because the rule
            requires it (`inside` a log call): the rule is tested only below the nodes this
            one matches. Worth it when the rule tests many nodes (every identifier) and the
            ancestor is rare.
    """
    captures = tuple(sorted({m.group(0) for m in _METAVAR.finditer(repr(rule))}))
    required = tuple(
        re.compile(r) for r in ((requires,) if isinstance(requires, str) else requires)
    )
    entries = _PATTERNS.setdefault(key, [])
    for language in languages:
        entries.append(
            CodePattern(key, language, rule, tuple(prefilter), captures, required, within)
        )
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
    return PatternSet(patterns).match(path, language, text)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A pattern prepared for a merged run: its metavariables carry a prefix of its own.

    Args:
        pattern: the declared pattern.
        prefix: the prefix of its metavariables.
        marker: the metavariable bound to each node it matches.
        rule: its rule, renamed.
        ascii: the same in ASCII form, for files whose text is all ASCII.
        anchor: its `within` rule, which the merged traversal runs in its place (renamed).
        anchor_ascii: the same in ASCII form.
    """

    pattern: CodePattern
    prefix: str
    marker: str
    rule: Mapping[str, Any]
    ascii: Mapping[str, Any]
    anchor: Mapping[str, Any] | None
    anchor_ascii: Mapping[str, Any] | None

    def traversed(self, *, ascii_text: bool) -> Mapping[str, Any]:
        """The rule the merged traversal tests on every node: the anchor, if any."""
        if self.anchor is not None and self.anchor_ascii is not None:
            return self.anchor_ascii if ascii_text else self.anchor
        return self.ascii if ascii_text else self.rule

    def found(
        self, root: SgNode, marked: list[SgNode], size: int, *, ascii_text: bool
    ) -> list[SgNode]:
        """The nodes the entry matches, in file order, given the nodes the traversal marked.

        Args:
            root: the file's root node.
            marked: the nodes the traversal marked for the entry (its anchors, if it has any).
            size: the file's length, to choose how to search below many anchors.
            ascii_text: whether the file's text is all ASCII.
        """
        if self.anchor is None or not marked:
            return marked
        config = cast("Config", {"rule": self.ascii if ascii_text else self.rule})
        # ast-grep compiles the rule on each search: below many anchors, one search of the
        # whole file is cheaper, and finds the same nodes.
        if len(marked) * _BYTES_PER_ANCHOR > size:
            return root.find_all(config)
        # Nested anchors find a node twice: it counts once, where it comes first.
        below: dict[tuple[int, int], SgNode] = {}
        for anchor in marked:
            for node in anchor.find_all(config):
                below.setdefault(_span(node), node)
        return list(below.values())


class PatternSet:
    """Declared patterns grouped by language, run on a file in one ast-grep traversal.

    ast-grep compiles a rule on every call and walks the whole tree for it, so the patterns
    a file needs are merged into one rule: each becomes a utility rule whose metavariables
    are renamed apart, and a marker metavariable records which of them matched a node.
    The result is exactly what running each pattern on its own gives, in the same order.

    Args:
        patterns: the patterns, in declaration order.
    """

    __slots__ = ("_entries", "_needles", "_wanting")

    def __init__(self, patterns: Sequence[CodePattern]) -> None:
        self._entries: dict[Language, list[_Entry]] = {}
        # For each language and needle, the positions of the entries it lets run.
        self._wanting: dict[Language, dict[str, list[int]]] = {}
        for index, pattern in enumerate(patterns):
            prefix = f"P{index}_"
            rule = _renamed(pattern.rule, prefix)
            anchor = None if pattern.within is None else _renamed(pattern.within, f"A{index}_")
            entry = _Entry(
                pattern,
                prefix,
                f"M{index}",
                rule,
                ascii_rule(rule),
                anchor,
                None if anchor is None else ascii_rule(anchor),
            )
            entries = self._entries.setdefault(pattern.language, [])
            for needle in pattern.prefilter:
                wanting = self._wanting.setdefault(pattern.language, {}).setdefault(needle, [])
                wanting.append(len(entries))
            entries.append(entry)
        self._needles = {language: _automaton(found) for language, found in self._wanting.items()}

    def match(self, path: str, language: Language, text: str) -> tuple[list[CodeMatch], list[str]]:
        """Matches of the patterns whose prefilter occurs in `text`, and the keys of broken ones.

        Args:
            path: the file's repository path, for the matches.
            language: the file's language.
            text: its content.
        """
        needles = self._needles.get(language)
        if needles is None:
            return [], []
        present: set[str] = {needle for _end, needle in needles.iter(text)}
        wanting = self._wanting[language]
        candidates = sorted({position for needle in present for position in wanting[needle]})
        found_in_text: dict[re.Pattern[str], bool] = {}
        entries = [
            entry
            for entry in map(self._entries[language].__getitem__, candidates)
            if _required(entry.pattern, text, found_in_text)
        ]
        if not entries:
            return [], []
        root = SgRoot(text, language.value).root()
        ascii_text = text.isascii()
        try:
            marked: list[list[SgNode]] = [[] for _ in entries]
            for node in root.find_all(_merged(entries, ascii_text=ascii_text)):
                for slot, entry in enumerate(entries):
                    if node.get_match(entry.marker) is not None:
                        marked[slot].append(node)
            found = [
                [
                    _match(entry.pattern, path, node, entry.prefix)
                    for node in entry.found(root, nodes, len(text), ascii_text=ascii_text)
                ]
                for entry, nodes in zip(entries, marked, strict=True)
            ]
        except Exception:  # noqa: BLE001 -- ast-grep raises bare Exception for bad rules
            return _one_by_one(path, root, entries)
        return [match for matches in found for match in matches], []


class _NeedleSearch(Protocol):
    """What pyahocorasick's automaton offers (it has no type stubs)."""

    def iter(self, text: str) -> Iterator[tuple[int, str]]:
        """Every occurrence of every needle: its end offset and the needle."""
        ...


def _automaton(needles: Iterable[str]) -> _NeedleSearch:
    """One Aho-Corasick automaton finding every needle in one pass, not one pass per needle."""
    automaton = ahocorasick.Automaton()
    for needle in needles:
        automaton.add_word(needle, needle)
    automaton.make_automaton()
    search: _NeedleSearch = automaton
    return search


def _required(pattern: CodePattern, text: str, found: dict[re.Pattern[str], bool]) -> bool:
    """Whether a file holding one of the pattern's needles has one of its required regexes.

    Args:
        pattern: the pattern.
        text: the file's text.
        found: whether each regex searched so far occurs in the text (shared by patterns).
    """
    if not pattern.requires:
        return True
    for regex in pattern.requires:
        if regex not in found:
            found[regex] = regex.search(text) is not None
        if found[regex]:
            return True
    return False


def _renamed(rule: Any, prefix: str) -> Any:
    """The rule with every capturing metavariable of its patterns prefixed."""

    def rename(found: re.Match[str]) -> str:
        if found.group(2).startswith("_"):  # non-capturing: never bound, so never clashes
            return found.group(0)
        return f"${found.group(1) or ''}{prefix}{found.group(2)}"

    if isinstance(rule, Mapping):
        renamed = {}
        for key, value in rule.items():
            if key in ("pattern", "context") and isinstance(value, str):
                renamed[key] = _METAVAR.sub(rename, value)
            else:
                renamed[key] = _renamed(value, prefix)
        return renamed
    if isinstance(rule, list | tuple):
        return [_renamed(item, prefix) for item in rule]
    return rule


def _merged(entries: Sequence[_Entry], *, ascii_text: bool) -> Config:
    """One ast-grep config matching a node when any entry does, marking every entry that does.

    Branch i requires entry i (the first that matches, as `any` tries them in order) and
    then runs `rest_{i+1}`: each later entry once, binding its marker when it matches and
    passing anyway (`always` is an empty regex), so that no entry is evaluated twice.
    On ASCII text the entries' ASCII rules find the same nodes and compile faster.
    """
    utils: dict[str, Any] = {"always": {"regex": ""}}
    following = "always"
    for n in range(len(entries) - 1, -1, -1):
        entry = entries[n]
        utils[f"rule{n}"] = entry.traversed(ascii_text=ascii_text)
        utils[f"marked{n}"] = {"all": [{"matches": f"rule{n}"}, {"pattern": f"$${entry.marker}"}]}
        utils[f"rest{n}"] = {"all": [
            {"any": [{"matches": f"marked{n}"}, {"matches": "always"}]},
            {"matches": following},
        ]}  # fmt: skip
        following = f"rest{n}"
    branches = [
        {
            "all": [
                {"matches": f"marked{n}"},
                {"matches": f"rest{n + 1}" if n + 1 < len(entries) else "always"},
            ]
        }
        for n in range(len(entries))
    ]
    return cast("Config", {"rule": {"any": branches}, "utils": utils})


def _one_by_one(
    path: str, root: SgNode, entries: Sequence[_Entry]
) -> tuple[list[CodeMatch], list[str]]:
    """Each pattern on its own: when the merged rule fails, find which pattern is broken."""
    found: list[CodeMatch] = []
    broken: list[str] = []
    for entry in entries:
        pattern = entry.pattern
        try:  # `within` only saves work: the rule alone finds the same nodes
            nodes = root.find_all(**dict(pattern.rule))
        except Exception:  # noqa: BLE001 -- ast-grep raises bare Exception for bad rules
            broken.append(pattern.key)
            continue
        found.extend(_match(pattern, path, node) for node in nodes)
    return found, broken


def _span(node: SgNode) -> tuple[int, int]:
    """A node's place: its start and end offsets."""
    span = node.range()
    return span.start.index, span.end.index


def _match(pattern: CodePattern, path: str, node: SgNode, prefix: str = "") -> CodeMatch:
    span = node.range()
    captures: dict[str, str] = {}
    for metavar in pattern.captures:
        if metavar.startswith("$$$"):
            nodes = node.get_multiple_matches(prefix + metavar[3:])
            captures[metavar[3:]] = ", ".join(n.text() for n in nodes if n.kind() != ",")
        elif (captured := node.get_match(prefix + metavar[1:])) is not None:
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
