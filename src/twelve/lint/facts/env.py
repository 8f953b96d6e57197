"""Environment-variable reads in code, in every supported language."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.files import Language
from twelve.model import Location

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST


def _go(call: str) -> dict[str, object]:
    # Go call expressions only parse as patterns inside a statement context.
    return {"pattern": {"context": f"func f() {{ {call} }}", "selector": "call_expression"}}


# Keys read by a direct call or subscript; the key is the $K capture.
DIRECT = code_pattern(
    "env-read",
    [PY],
    {
        "any": [
            {"pattern": "os.environ[$K]"},
            {"pattern": "os.environ.get($K, $$$)"},
            {"pattern": "os.environ.get($K)"},
            {"pattern": "os.getenv($K, $$$)"},
            {"pattern": "os.getenv($K)"},
            {"pattern": "os.environ.setdefault($K, $$$)"},
        ]
    },
    ["environ", "getenv"],
)
code_pattern(
    "env-read",
    JS_FAMILY,
    {
        "any": [
            {"pattern": "process.env.$K"},
            {"pattern": "process.env[$K]"},
            {"pattern": "Deno.env.get($K)"},
            {"pattern": "Bun.env.$K"},
        ]
    },
    ["process.env", "Deno.env", "Bun.env"],
)
code_pattern(
    "env-read",
    [GO],
    {"any": [_go("os.Getenv($K)"), _go("os.LookupEnv($K)")]},
    ["os.Getenv", "os.LookupEnv"],
)
code_pattern(
    "env-read",
    [RUST],
    {
        "any": [
            {"pattern": "std::env::var($K)"},
            {"pattern": "std::env::var_os($K)"},
            {"pattern": "env::var($K)"},
            {"pattern": "env::var_os($K)"},
        ]
    },
    ["env::var"],
)
# Aliased imports (`from os import environ as env`) and library calls: the object is $E.
ALIASED = code_pattern(
    "env-read-aliased",
    [PY],
    {"any": [{"pattern": "$E[$K]"}, {"pattern": "$E.get($K, $$$)"}, {"pattern": "$E.get($K)"},
             {"pattern": "$E($K, $$$)"}, {"pattern": "$E($K)"},
             {"pattern": "$E.$T($K, $$$)"}, {"pattern": "$E.$T($K)"}]},
    ["from os import", "environs", "import environ", "decouple"],
)  # fmt: skip
PY_IMPORTS = code_pattern(
    "env-import",
    [PY],
    {
        "any": [
            {"pattern": "from os import $$$NAMES"},
            {"pattern": "from decouple import $$$NAMES"},
            {"pattern": "$V = Env($$$)"},
            {"pattern": "$V = environs.Env($$$)"},
            {"pattern": "$V = environ.Env($$$)"},
        ]
    },
    ["from os import", "environs", "import environ", "decouple"],
)
JS_DESTRUCTURE = code_pattern(
    "env-destructure",
    JS_FAMILY,
    {"kind": "variable_declarator", "has": {"field": "value", "pattern": "process.env"}},
    ["process.env"],
)
_ENV_TAG = re.compile(r"`[^`\n]*\b(?:envconfig|env):\"([A-Za-z_][A-Za-z0-9_]*)")
_LIBRARY_METHODS = frozenset(
    {"str", "int", "bool", "float", "list", "dict", "json", "url", "path", "decimal",
     "timedelta", "db", "db_url", "cache", "cache_url", "email", "email_url", "log_level"}
)  # fmt: skip
_STRING = re.compile(r"""^(?:[rRbBuUfF]{0,2})(?:"([^"\\]*)"|'([^'\\]*)'|`([^`$]*)`)$""")


@dataclass(frozen=True, slots=True)
class EnvRead:
    """A read of one environment variable by name."""

    name: str
    path: str
    line: int
    column: int
    language: Language
    snippet: str

    def location(self) -> Location:
        """Where it is read."""
        return Location(self.path, self.line, self.column, snippet=self.snippet)


def literal(text: str) -> str | None:
    """The value of a plain string literal in any supported language, else None."""
    match = _STRING.match(text.strip())
    if match is None:
        return None
    return next(group for group in match.groups() if group is not None)


def env_reads(matches: dict[str, list[CodeMatch]], texts: dict[str, str]) -> list[EnvRead]:
    """Every env read with a literal name, from the pattern matches and a few file texts.

    Args:
        matches: pattern matches by key (from the collector).
        texts: the text of Python files mentioning BaseSettings and Go files with env tags.
    """
    reads = list(_direct(matches.get(DIRECT, [])))
    reads += _aliased(matches.get(ALIASED, []), matches.get(PY_IMPORTS, []))
    reads += _destructured(matches.get(JS_DESTRUCTURE, []))
    for path, text in texts.items():
        reads += _settings_fields(path, text) if path.endswith(".py") else _go_tags(path, text)
    return sorted(set(reads), key=lambda r: (r.path, r.line, r.column, r.name))


def needs_text(path: str, text: str) -> bool:
    """Whether `env_reads` needs this file's text (pydantic settings or Go struct tags)."""
    if path.endswith(".py"):
        return "BaseSettings" in text
    return path.endswith(".go") and ('envconfig:"' in text or 'env:"' in text)


def _read(match: CodeMatch, name: str | None) -> Iterator[EnvRead]:
    if name and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        yield EnvRead(name, match.path, match.line, match.column, match.language, match.text)


def _direct(matches: Iterable[CodeMatch]) -> Iterator[EnvRead]:
    for match in matches:
        key = match.captures.get("K", "")
        # process.env.FOO captures an identifier, not a literal.
        name = key if match.text.endswith("." + key) else literal(key)
        yield from _read(match, name)


def _aliased(matches: list[CodeMatch], imports: list[CodeMatch]) -> Iterator[EnvRead]:
    names: dict[str, set[str]] = {}
    for imp in imports:
        bound = names.setdefault(imp.path, set())
        if "V" in imp.captures:
            bound.add(imp.captures["V"])
        for part in imp.captures.get("NAMES", "").split(","):
            words = part.split()
            if words and words[0] in {"environ", "getenv", "config"}:
                bound.add(words[-1])
    for match in matches:
        obj = match.captures.get("E", "")
        method = match.captures.get("T")
        if "." in obj:  # `env.int("X")` matched as a plain call of `env.int`
            obj, method = obj.split(".", 1)
        if obj in names.get(match.path, set()) and (method is None or method in _LIBRARY_METHODS):
            yield from _read(match, literal(match.captures.get("K", "")))


def _destructured(matches: Iterable[CodeMatch]) -> Iterator[EnvRead]:
    for match in matches:
        head = match.text.split("=", 1)[0]
        for part in head.strip().strip("{} ").split(","):
            name = part.split(":", 1)[0].split("=", 1)[0].strip().removeprefix("...")
            yield from _read(match, name or None)


def _go_tags(path: str, text: str) -> Iterator[EnvRead]:
    for number, line in enumerate(text.splitlines(), start=1):
        for tag in _ENV_TAG.finditer(line):
            yield EnvRead(tag[1], path, number, tag.start() + 1, GO, line.strip())


def _settings_fields(path: str, text: str) -> Iterator[EnvRead]:
    """Fields of pydantic-settings classes: env name = env_prefix + field (or its alias)."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return
    lines = text.splitlines()
    for node in ast.walk(module):
        if not isinstance(node, ast.ClassDef) or not any(
            "BaseSettings" in ast.unparse(base) for base in node.bases
        ):
            continue
        prefix = _env_prefix(node)
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                name = _alias(item.value) or prefix + item.target.id
                snippet = lines[item.lineno - 1].strip()
                yield EnvRead(name.upper(), path, item.lineno, item.col_offset + 1, PY, snippet)


def _env_prefix(node: ast.ClassDef) -> str:
    for item in node.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in item.targets
        ):
            for keyword in getattr(item.value, "keywords", []):
                if keyword.arg == "env_prefix" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
        if isinstance(item, ast.ClassDef) and item.name == "Config":
            for sub in item.body:
                if (
                    isinstance(sub, ast.Assign)
                    and isinstance(sub.value, ast.Constant)
                    and any(isinstance(t, ast.Name) and t.id == "env_prefix" for t in sub.targets)
                ):
                    return str(sub.value.value)
    return ""


def _alias(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg in {"alias", "validation_alias", "env"} and isinstance(
                keyword.value, ast.Constant
            ):
                return str(keyword.value.value)
    return None
