"""What the code's env reads say about each key: its type, default, secrecy, backing service.

The clues are read from the source around each read: the call wrapping it (`int(...)`,
`parseInt(...)`, `strconv.Atoi(...)`), the chain after it (`.parse::<u16>()`,
`.unwrap_or("8080")`, `|| "3000"`, `== "true"`), the declared type it is bound to
(`let port: u16`, a pydantic-settings annotation), and the variable's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from twelve.contract.values import ValueType, problem_with
from twelve.lint.facts.env import EnvRead
from twelve.lint.facts.files import Language

_LIT = r"""(?P<lit>"[^"\\\n]*"|'[^'\\\n]*'|`[^`$\\\n]*`|-?\d+(?:\.\d+)?|true|false|True|False)"""
_TRUTHY = r"""["'](?:true|false|1|0|yes|on)["']"""
_INT_TYPES = r"(?:u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|int|int32|int64|uint)"
# (language family, where the clue is, pattern, type); first match wins per read.
_TYPE_CLUES: list[tuple[str, str, re.Pattern[str], ValueType]] = [
    (f, w, re.compile(p), t)
    for f, w, p, t in [
        ("py", "before", r"\bint\(\s*$", ValueType.INT),
        ("py", "before", r"\bfloat\(\s*$", ValueType.FLOAT),
        ("py", "before", r"(?:\bbool|strtobool|_bool|str2bool)\(\s*$", ValueType.BOOL),
        ("py", "read", r"\.int\(", ValueType.INT),
        ("py", "read", r"\.float\(", ValueType.FLOAT),
        ("py", "read", r"\.bool\(", ValueType.BOOL),
        ("py", "read", r"\.(?:url|db_url|db|cache_url|cache|email_url)\(", ValueType.URL),
        ("py", "read", r"\.timedelta\(", ValueType.DURATION),
        ("js", "before", r"\b(?:parseInt|Number)\(\s*$", ValueType.INT),
        ("js", "before", r"\bparseFloat\(\s*$", ValueType.FLOAT),
        ("go", "before", r"strconv\.(?:Atoi|ParseInt|ParseUint)\(\s*$", ValueType.INT),
        ("go", "before", r"strconv\.ParseFloat\(\s*$", ValueType.FLOAT),
        ("go", "before", r"strconv\.ParseBool\(\s*$", ValueType.BOOL),
        ("go", "before", r"time\.ParseDuration\(\s*$", ValueType.DURATION),
        ("rust", "after", rf"parse::<{_INT_TYPES}>", ValueType.INT),
        ("rust", "after", r"parse::<f(?:32|64)>", ValueType.FLOAT),
        ("rust", "after", r"parse::<bool>", ValueType.BOOL),
        ("rust", "before", rf"\blet\s+(?:mut\s+)?\w+\s*:\s*{_INT_TYPES}\s*=\s*$", ValueType.INT),
        ("rust", "before", r"\blet\s+(?:mut\s+)?\w+\s*:\s*f(?:32|64)\s*=\s*$", ValueType.FLOAT),
        ("rust", "before", r"\blet\s+(?:mut\s+)?\w+\s*:\s*bool\s*=\s*$", ValueType.BOOL),
        ("any", "after", rf"""^[^;\n]*?(?:==|!=)=?\s*{_TRUTHY}""", ValueType.BOOL),
        ("py", "after", rf"""^[^\n]*?\.lower\(\)\s*in\s*[(\[{{]\s*{_TRUTHY}""", ValueType.BOOL),
    ]
]  # fmt: skip
_DEFAULTS: dict[str, list[re.Pattern[str]]] = {
    "py": [
        re.compile(r"""^[\w.]*\(\s*(?:"[^"]*"|'[^']*')\s*,\s*(?:default\s*=\s*)?""" + _LIT),
        re.compile(r"^[^\n]*?\)\s*or\s+" + _LIT),
    ],
    "js": [re.compile(r"^\s*(?:\|\||\?\?)\s*" + _LIT)],
    "rust": [
        re.compile(r"""unwrap_or(?:_else)?\(\s*(?:\|_\|\s*)?(?:String::from\(\s*)?(?P<lit>"[^"\\]*")"""),
    ],
}  # fmt: skip
_FAMILY = {
    Language.PYTHON: "py",
    Language.JAVASCRIPT: "js",
    Language.TYPESCRIPT: "js",
    Language.TSX: "js",
    Language.GO: "go",
    Language.RUST: "rust",
}
_SETTINGS_FIELD = re.compile(
    r"^\s*\w+\s*:\s*(?P<type>[\w.\[\], |]+?)\s*(?:=\s*(?P<value>.+?))?\s*$"
)
_SETTINGS_TYPES = {
    "int": ValueType.INT, "float": ValueType.FLOAT, "bool": ValueType.BOOL,
    "AnyUrl": ValueType.URL, "HttpUrl": ValueType.URL, "PostgresDsn": ValueType.URL,
    "RedisDsn": ValueType.URL, "AmqpDsn": ValueType.URL, "MongoDsn": ValueType.URL,
    "timedelta": ValueType.DURATION,
}  # fmt: skip
_GO_TAG = re.compile(
    r'^\w+\s+(?P<type>[\w.]+)\s+`[^`]*\benv(?:config)?:"\w+"(?:[^`]*\benvDefault:"(?P<default>[^"]*)")?'
)
_GO_TYPES = {
    "int": ValueType.INT, "int64": ValueType.INT, "int32": ValueType.INT, "uint": ValueType.INT,
    "float64": ValueType.FLOAT, "bool": ValueType.BOOL, "time.Duration": ValueType.DURATION,
}  # fmt: skip
_GO_OR = re.compile(r"cmp\.Or\(\s*$")
_GO_OR_DEFAULT = re.compile(r'^\s*,\s*"(?P<lit>[^"\\]*)"\s*\)')
_GO_FALLBACK = r'if\s+{var}\s*==\s*""\s*\{{\s*{var}\s*=\s*"(?P<lit>[^"\\]*)"'


@dataclass(slots=True)
class Usage:
    """What the reads of one key say: a type clue, a default, where it is first read."""

    name: str
    first_read: str
    types: list[ValueType] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    without_default: bool = False
    secret_type: bool = False


def usages(reads: Iterable[EnvRead], texts: dict[str, list[str]]) -> dict[str, Usage]:
    """Merge the clues of every read, by key, in the order keys are first read.

    Args:
        reads: env reads with literal names.
        texts: each file's lines, by repository path.
    """
    found: dict[str, Usage] = {}
    for read in reads:
        usage = found.setdefault(read.name, Usage(read.name, f"{read.path}:{read.line}"))
        lines = texts.get(read.path, [])
        kind, default, secret = clues(read, lines)
        if kind is not None:
            usage.types.append(kind)
        if default is None:
            usage.without_default = True
        else:
            usage.defaults.append(default)
        usage.secret_type = usage.secret_type or secret
    return found


def clues(read: EnvRead, lines: list[str]) -> tuple[ValueType | None, str | None, bool]:
    """One read's type clue, literal default, and whether its declared type is a secret type.

    Args:
        read: the env read.
        lines: the lines of its file.
    """
    if not 0 < read.line <= len(lines):
        return None, None, False
    line = lines[read.line - 1]
    family = _FAMILY[read.language]
    if family == "py" and (settings := _SETTINGS_FIELD.match(read.snippet)):
        return _settings_clues(settings)
    if family == "go" and (tag := _GO_TAG.search(read.snippet)):
        return _GO_TYPES.get(tag["type"]), tag["default"], False
    before = line[: read.column - 1]
    window = _window(lines, read.line - 1, read.column - 1)
    after = window[len(read.snippet) :] if window.startswith(read.snippet) else window
    kind = None
    for clue_family, where, pattern, value_type in _TYPE_CLUES:
        if clue_family not in (family, "any"):
            continue
        text = {"before": before, "read": read.snippet, "after": after}[where]
        if pattern.search(text):
            kind = value_type
            break
    return kind, _default(family, (before, window, after), lines, read), False


def _window(lines: list[str], index: int, column: int) -> str:
    """The read's line from its column on, plus chained continuation lines (`.unwrap_or(...)`)."""
    text = lines[index][column:]
    for following in lines[index + 1 : index + 6]:
        if not following.strip().startswith((".", "?", "||", "??")):
            break
        text += "\n" + following.strip()
    return text


def _default(
    family: str, around: tuple[str, str, str], lines: list[str], read: EnvRead
) -> str | None:
    """A literal default: `.get(K, "d")`, `or "d"`, `|| "d"`, `.unwrap_or("d")`, `cmp.Or`.

    `around` is the text before the read on its line, the read with its chain, and the
    text after the read itself.
    """
    before, window, after = around
    for pattern in _DEFAULTS.get(family, []):
        target = window if family in ("py", "rust") else after
        if match := pattern.search(target):
            return _unquote(match["lit"])
    if family == "go" and _GO_OR.search(before) and (match := _GO_OR_DEFAULT.search(after)):
        return match["lit"]
    if family == "go" and (bound := re.search(r"(\w+)\s*:?=\s*$", before)):
        following = " ".join(lines[read.line : read.line + 4])
        fallback = _GO_FALLBACK.format(var=re.escape(bound[1]))
        if match := re.search(fallback, following):
            return match["lit"]
    return None


def _settings_clues(match: re.Match[str]) -> tuple[ValueType | None, str | None, bool]:
    """A pydantic-settings field: `port: int = 8000`, `token: SecretStr`."""
    annotation = match["type"]
    kind = next((t for name, t in _SETTINGS_TYPES.items() if name in annotation), None)
    raw = match["value"]
    default = None
    if raw is not None and (literal := re.fullmatch(_LIT, raw.strip())):
        default = _unquote(literal["lit"])
    return kind, default, "Secret" in annotation


def _unquote(literal: str) -> str:
    if literal[:1] in "\"'`":
        return literal[1:-1]
    return literal.lower() if literal in ("True", "False") else literal


def valid_default(value: str, value_type: ValueType, schemes: list[str]) -> bool:
    """Whether a code default can stand in the contract for this type.

    Args:
        value: the default as text.
        value_type: the inferred type.
        schemes: allowed URL schemes, if any.
    """
    return problem_with(value, value_type, schemes=schemes) is None
