"""The `requires` regexes of the busiest patterns: they hold wherever the rule can match.

A `requires` regex only skips parsing; a wrong one loses findings silently. Each test runs
the real patterns: on the kept texts the rule's matches must be found, and the skipped
texts are the common false alarms of the plain needles.
"""

from __future__ import annotations

import re

import pytest

from twelve import catalogue
from twelve.lint.facts.code import PatternSet, declared_patterns
from twelve.lint.facts.files import Language
from twelve.lint.rules.f04_backing_services.hardcoded_endpoint import _QUOTED
from twelve.lint.rules.f11_logs._logged_values import PY_LOG_TEXT

catalogue.load()
PATTERNS = PatternSet(declared_patterns())


def keys(text: str, language: Language = Language.PYTHON) -> set[str]:
    """The keys of the patterns that match in `text`."""
    found, broken = PATTERNS.match("svc/app.py", language, text)
    assert broken == []
    return {match.key for match in found}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('print("hi")\n', {"print-call", "logging-call"}),
        ("x = 1; print(x)\n", {"print-call", "logging-call", "logged-name"}),
        ("log.info(token)\n", {"logged-name"}),
        ("self.audit_logger.warning('%s', secret)\n", {"logged-name"}),
        ("auditLog.error(password)\n", {"logged-name"}),
        ("sys.stderr.write(token)\n", {"logged-name"}),
        ("logging.basicConfig()\n", {"logging-call"}),
    ],
)
def test_python_log_calls_are_parsed(text: str, expected: set[str]) -> None:
    """Every form of print and log call the patterns match passes their `requires`."""
    assert keys(text) & {"print-call", "logging-call", "logged-name"} == expected


@pytest.mark.parametrize(
    ("text", "near_miss", "call"),
    [
        ('def f():\n    """\n    >>> print(x)\n    ... print(y)\n    """\n', ">>> print", "print"),
        ("pprint(x)\nself.print(y)\n_print(z)\n", "pprint", "print"),
        ("catalog.info(token)\nblog.debug(x)\n", "catalog.info", "log.info"),
    ],
    ids=["doctest", "other-print", "not-a-logger"],
)
def test_python_texts_that_only_look_like_log_calls_are_skipped(
    text: str, near_miss: str, call: str
) -> None:
    """Doctest prompts, other functions named *print and names ending in `og` are not parsed.

    With its near miss turned into a call, each text is kept again.
    """
    assert [regex for regex in PY_LOG_TEXT if re.search(regex, text)] == []
    kept = text.replace(near_miss, call)
    assert [regex for regex in PY_LOG_TEXT if re.search(regex, kept)] != []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (Language.PYTHON, 'engine = create_engine("postgresql+psycopg://app@db.internal/app")\n'),
        (Language.PYTHON, "CACHE = f'cache.internal:6379'\n"),
        (Language.PYTHON, 'DB = """mysql://db.corp/x"""\n'),
        (Language.JAVASCRIPT, "const u = `redis://cache.svc:6379`;\n"),
        (Language.GO, "var dsn = `postgres://db.internal:5432/app`\n"),
        (Language.RUST, 'let u = r#"amqp://mq.internal"#;\n'),
        (Language.RUST, 'let a = "[fd00::1]:5432";\n'),
    ],
)
def test_endpoint_literals_are_parsed(language: Language, text: str) -> None:
    """An opening quote then a scheme or a host and port: the literal reaches the rule."""
    assert "endpoint-literal" in keys(text, language)


def test_urls_in_comments_and_docstrings_are_not_parsed() -> None:
    """`://` in comments and prose never starts a literal, so the file is not parsed."""
    text = '"""See https://example.com/docs."""\n# http://db.internal:5432 is the old one\n'
    assert re.search(_QUOTED, text) is None
    assert re.search(_QUOTED, text.replace("See https", "https")) is not None
