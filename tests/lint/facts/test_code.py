"""Code patterns: every declared pattern compiles, and one broken pattern costs only itself."""

from __future__ import annotations

import pytest

from twelve import catalogue
from twelve.lint.facts.code import CodePattern, declared_patterns, match_patterns
from twelve.lint.facts.files import Language

catalogue.load()  # rule modules declare their patterns on import
PATTERNS = declared_patterns()


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"{p.key}-{p.language.value}" for p in PATTERNS])
def test_every_declared_pattern_is_accepted_by_ast_grep(pattern: CodePattern) -> None:
    """ast-grep accepts each rule: it runs on a file holding its prefilter without error."""
    text = "\n".join(pattern.prefilter)
    _, broken = match_patterns("x", pattern.language, text, [pattern])
    assert broken == []


def test_a_broken_pattern_does_not_hide_other_matches() -> None:
    """A rule ast-grep rejects is reported by key; the other patterns still match."""
    good = CodePattern("good", Language.PYTHON, {"pattern": "print($$$)"}, ("print",))
    bad = CodePattern("bad", Language.PYTHON, {"pattern": {"selector": "nope"}}, ("print",))
    found, broken = match_patterns("app.py", Language.PYTHON, "x = 1\nprint(x)\n", [bad, good])
    assert [(m.key, m.line, m.column, m.text) for m in found] == [("good", 2, 1, "print(x)")]
    assert broken == ["bad"]


def test_prefilter_skips_parsing_and_captures_metavariables() -> None:
    """Files without a prefilter string are not parsed; captures are named."""
    pattern = CodePattern(
        "env", Language.GO,
        {"pattern": {"context": "func f() { os.Getenv($K) }", "selector": "call_expression"}},
        ("os.Getenv",), ("$K",),
    )  # fmt: skip
    source = 'package main\nimport "os"\nfunc main() { _ = os.Getenv("PORT") }\n'
    found, _ = match_patterns("main.go", Language.GO, source, [pattern])
    assert [(m.line, m.column, dict(m.captures)) for m in found] == [(3, 19, {"K": '"PORT"'})]
    assert match_patterns("main.go", Language.GO, "package main\n", [pattern]) == ([], [])
