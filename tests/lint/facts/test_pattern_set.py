"""The merged pattern run: one traversal gives what each pattern gives on its own."""

from __future__ import annotations

import re

import pytest
from ast_grep_py import SgRoot

from twelve.lint.facts.ascii_rules import ascii_regex, ascii_rule
from twelve.lint.facts.code import CodeMatch, CodePattern, PatternSet
from twelve.lint.facts.files import Language

PY = Language.PYTHON
SOURCE = """\
import os
print(os.environ["A"], os.getenv("B"))
logger.info(print(os.environ["C"]))
x = 1
"""


def pattern(
    key: str,
    rule: dict[str, object],
    *,
    needle: str = "os",
    requires: tuple[str, ...] = (),
    within: dict[str, object] | None = None,
) -> CodePattern:
    captures = tuple(sorted({m.group(0) for m in re.finditer(r"\$(\$\$)?[A-Z_]+", repr(rule))}))
    required = tuple(re.compile(r) for r in requires)
    return CodePattern(key, PY, rule, (needle,), captures, required, within)


Seen = list[tuple[str, int, int, str, dict[str, str]]]


def seen(matches: list[CodeMatch]) -> Seen:
    return [(m.key, m.line, m.column, m.text, dict(m.captures)) for m in matches]


def one_by_one(patterns: list[CodePattern], text: str) -> Seen:
    """What running each pattern on its own finds (the reference the merged run must meet)."""
    root = SgRoot(text, PY.value).root()
    found: Seen = []
    for p in patterns:
        for node in root.find_all(**dict(p.rule)):
            captures = {}
            for metavar in p.captures:
                if metavar.startswith("$$$"):
                    nodes = node.get_multiple_matches(metavar[3:])
                    captures[metavar[3:]] = ", ".join(n.text() for n in nodes if n.kind() != ",")
                elif (captured := node.get_match(metavar[1:])) is not None:
                    captures[metavar[1:]] = captured.text()
            found.append((p.key, node.range().start.line + 1, node.range().start.column + 1,
                          node.text().split("\n", 1)[0], captures))  # fmt: skip
    return found


def test_overlapping_patterns_with_the_same_metavariables_each_get_their_matches() -> None:
    """Two patterns matching one node, both binding $K, nested calls: all found, in order."""
    patterns = [
        pattern("env", {"any": [{"pattern": "os.environ[$K]"}, {"pattern": "os.getenv($K)"}]}),
        pattern("env-subscript", {"pattern": "os.environ[$K]"}),
        pattern("call", {"pattern": "$F($$$ARGS)"}),
        pattern("print", {"kind": "call", "has": {"field": "function", "regex": r"^print$"}}),
    ]
    found = PatternSet(patterns).match("app.py", PY, SOURCE)
    assert found == (found[0], [])
    assert seen(found[0]) == one_by_one(patterns, SOURCE)
    assert seen(found[0])[:3] == [
        ("env", 2, 7, 'os.environ["A"]', {"K": '"A"'}),
        ("env", 2, 24, 'os.getenv("B")', {"K": '"B"'}),
        ("env", 3, 19, 'os.environ["C"]', {"K": '"C"'}),
    ]
    assert [m[:3] for m in seen(found[0]) if m[0] == "print"] == [("print", 2, 1), ("print", 3, 13)]


def test_requires_skips_files_without_any_of_the_regexes() -> None:
    """A pattern runs when one of its required regexes occurs in the file, and only then."""
    rule = {"pattern": "os.getenv($K)"}
    for requires in [(r"getenv\(\"B",), (r"getenv\(\"Z", r"environ\[\"A")]:
        with_required = [pattern("env", rule, requires=requires)]
        assert seen(PatternSet(with_required).match("a.py", PY, SOURCE)[0]) == [
            ("env", 2, 24, 'os.getenv("B")', {"K": '"B"'})
        ]
    absent = [pattern("env", rule, requires=(r"getenv\(\"Z", r"environ\[\"Z"))]
    assert PatternSet(absent).match("a.py", PY, SOURCE) == ([], [])


# Names inside a print call's arguments; `within` the print call, which every match is in.
_PRINT = {"kind": "call", "has": {"field": "function", "regex": "^print$", "pattern": "$FN"}}
_PRINTED = {
    "kind": "identifier",
    "inside": {
        "kind": "argument_list",
        "inside": _PRINT,
        "stopBy": {"kind": "expression_statement"},
    },
}
_NESTED = """print(a, print(b, c), d)
x = y
print(e)
"""


@pytest.mark.parametrize(
    "text",
    [
        _NESTED,  # nested anchors: names below both are found once
        "x = 1\n" * 1000 + _NESTED,  # few anchors in a long file: searched below each
        _NESTED * 60,  # many anchors: one search of the whole file
    ],
    ids=["nested", "few-anchors", "many-anchors"],
)
def test_within_finds_what_the_rule_finds_on_its_own(text: str) -> None:
    """A rule run `within` its anchors finds exactly its matches, in order, with captures."""
    anchored = [
        pattern("printed", _PRINTED, needle="print", within=_PRINT),
        pattern("env", {"pattern": "os.getenv($K)"}, needle="print"),
    ]
    found, broken = PatternSet(anchored).match("a.py", PY, text)
    assert broken == []
    assert seen(found) == one_by_one([pattern("printed", _PRINTED)], text)
    lines = text.count("\n") - _NESTED.count("\n")
    if not lines:
        assert seen(found) == [
            ("printed", 1, 7, "a", {"FN": "print"}),
            ("printed", 1, 10, "print", {"FN": "print"}),
            ("printed", 1, 16, "b", {"FN": "print"}),
            ("printed", 1, 19, "c", {"FN": "print"}),
            ("printed", 1, 23, "d", {"FN": "print"}),
            ("printed", 3, 7, "e", {"FN": "print"}),
        ]


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"^\w+$", "^[0-9A-Za-z_]+$"),
        (r"[\w./-]*\s\d", r"[0-9A-Za-z_./-]*[\t\n\v\f\r ][0-9]"),
        (r"\bkit\b", r"(?-u:\b)kit(?-u:\b)"),
        (r"a\.b\\w", r"a\.b\\w"),
        (r"[^\s]\S\W\D\B", r"[^\t\n\v\f\r ][^\t\n\v\f\r ][^0-9A-Za-z_][^0-9](?-u:\B)"),
    ],
)
def test_ascii_regex_replaces_unicode_classes(regex: str, expected: str) -> None:
    """Perl classes become ASCII classes, inside brackets and out; escapes stay escapes."""
    assert ascii_regex(regex) == expected


def test_a_regex_the_rewrite_cannot_follow_is_kept() -> None:
    """Verbose mode or a negated class inside brackets: the rule keeps the Unicode regex."""
    rule = {"all": [{"regex": r"(?x) \w+ "}, {"regex": r"[\W_]"}, {"regex": r"\w"}]}
    assert ascii_rule(rule) == {"all": [{"regex": r"(?x) \w+ "}, {"regex": r"[\W_]"},
                                        {"regex": "[0-9A-Za-z_]"}]}  # fmt: skip


def test_unicode_text_keeps_unicode_classes() -> None:
    """A non-ASCII file runs the Unicode rule: `\\w` still matches `é`; ASCII files match too."""
    names = [pattern("name", {"kind": "identifier", "regex": r"^\w+_port$"}, needle="port")]
    texts = {"café_port = 1\n": "café_port", "cafe_port = 1\n": "cafe_port"}
    for text, name in texts.items():
        assert [m.text for m in PatternSet(names).match("a.py", PY, text)[0]] == [name]
