"""S0401 hardcoded-endpoint."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, RUST_TEST_CODE, CodeMatch, code_pattern
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST
_PORTS = ("5432", "3306", "6379", "27017", "5672", "9092", "11211", "9200")
# Cheap pre-selection in ast-grep; the exact test is `_endpoint` below.
_COARSE = rf"://|:({'|'.join(_PORTS)})\b"
_PREFILTER = ["://", *(f":{port}" for port in _PORTS)]
# What `_endpoint` needs in the source text: an opening quote followed at once by a scheme
# and `://`, or by host characters and a known port (the whole literal is the endpoint).
# Most files with `://` have it in comments and docstrings only and are never parsed.
_QUOTED = rf"""["'`](?:[A-Za-z][A-Za-z0-9.+-]*://|[\w.:\[\]-]*:(?:{"|".join(_PORTS)})\b)"""
_ENV = "(?i)env"
_DEFAULT_NAME = "(?i)default|fallback"

ENDPOINT = code_pattern(
    "endpoint-literal",
    [PY],
    # A string alone in a statement is a docstring (or dead code), not configuration.
    {
        "kind": "string",
        "all": [{"regex": _COARSE}, {"not": {"inside": {"kind": "expression_statement"}}}],
    },
    _PREFILTER,
    requires=_QUOTED,
)
code_pattern(
    "endpoint-literal",
    JS_FAMILY,
    {"any": [{"kind": "string"}, {"kind": "template_string"}], "regex": _COARSE},
    _PREFILTER,
    requires=_QUOTED,
)
code_pattern(
    "endpoint-literal",
    [GO],
    {"any": [{"kind": "interpreted_string_literal"}, {"kind": "raw_string_literal"}],
     "regex": _COARSE},
    _PREFILTER,
    requires=_QUOTED,
)  # fmt: skip
code_pattern(
    "endpoint-literal",
    [RUST],
    {"any": [{"kind": "string_literal"}, {"kind": "raw_string_literal"}],
     "all": [{"regex": _COARSE}, {"not": RUST_TEST_CODE}]},
    _PREFILTER,
    requires=_QUOTED,
)  # fmt: skip

# Loopback literals that are only a default: the fallback of an env read or a flag, a
# `default=` argument, a settings-class field, or a constant named DEFAULT_*/FALLBACK_*.
# Fallbacks count only where an endpoint literal is, so they share its `requires`.
_LOOPBACK_TEXT = r"localhost|127\.\d|\[::1\]|0\.0\.0\.0|host\.docker\.internal"
_LOOPBACK_PREFILTER = ["localhost", "127.", "[::1]", "0.0.0.0", "host.docker.internal"]
FALLBACK = code_pattern(
    "endpoint-fallback",
    [PY],
    {
        "kind": "string",
        "all": [{"regex": _LOOPBACK_TEXT}, {"any": [
            {"inside": {"kind": "keyword_argument",
                        "has": {"field": "name", "regex": "^default$"}}},
            {"nthChild": 2, "inside": {"kind": "argument_list", "inside": {
                "kind": "call", "has": {"field": "function", "regex": _ENV}}}},
            {"inside": {"kind": "boolean_operator", "has": {"field": "left", "regex": _ENV}}},
            {"inside": {"kind": "assignment", "has": {"field": "left", "regex": _DEFAULT_NAME}}},
            {"inside": {"kind": "assignment", "has": {"field": "type", "kind": "type"}, "inside": {
                "kind": "expression_statement", "inside": {"kind": "block", "inside": {
                    "kind": "class_definition",
                    "has": {"field": "superclasses", "regex": "Settings"}}}}}},
        ]}],
    },
    _LOOPBACK_PREFILTER,
    requires=_QUOTED,
)  # fmt: skip
code_pattern(
    "endpoint-fallback",
    JS_FAMILY,
    {
        "any": [{"kind": "string"}, {"kind": "template_string"}],
        "all": [{"regex": _LOOPBACK_TEXT}, {"inside": {"any": [
            {"kind": "binary_expression", "regex": r"\|\||\?\?",
             "has": {"field": "left", "regex": r"(process|Deno|Bun)\.env|import\.meta\.env"}},
            {"kind": "arguments", "inside": {"kind": "call_expression",
                                             "has": {"field": "function", "regex": _ENV}}},
            {"kind": "pair", "has": {"field": "key", "regex": "^(default|devDefault)$"}},
            {"kind": "object_assignment_pattern"},
            {"kind": "variable_declarator", "has": {"field": "name", "regex": _DEFAULT_NAME}},
        ]}}],
    },
    _LOOPBACK_PREFILTER,
    requires=_QUOTED,
)  # fmt: skip
code_pattern(
    "endpoint-fallback",
    [GO],
    {
        "any": [{"kind": "interpreted_string_literal"}, {"kind": "raw_string_literal"}],
        "all": [{"regex": _LOOPBACK_TEXT}, {"inside": {"any": [
            {"kind": "argument_list", "inside": {"kind": "call_expression", "has": {
                "field": "function", "regex": r"(?i)env|^p?flag\.|Flags\(\)\."}}},
            # addr := os.Getenv("X"); if addr == "" { addr = "localhost:6379" }
            {"kind": "expression_list", "inside": {"kind": "assignment_statement", "inside": {
                "stopBy": "end", "kind": "if_statement",
                "has": {"field": "condition", "regex": '== ""$'}}}},
            {"kind": "expression_list", "inside": {"any": [{"kind": "const_spec"},
                                                           {"kind": "var_spec"}],
                                                   "has": {"field": "name",
                                                           "regex": _DEFAULT_NAME}}},
        ]}}],
    },
    _LOOPBACK_PREFILTER,
    requires=_QUOTED,
)  # fmt: skip
code_pattern(
    "endpoint-fallback",
    [RUST],
    {
        "any": [{"kind": "string_literal"}, {"kind": "raw_string_literal"}],
        "all": [{"regex": _LOOPBACK_TEXT}, {"inside": {"stopBy": "end", "any": [
            {"kind": "call_expression", "has": {
                "field": "function", "regex": r"(?s)env::var.*\.(unwrap_or|unwrap_or_else)$"}},
            {"kind": "call_expression", "has": {"field": "function",
                                                "regex": r"\.default_value(_t)?$"}},
            {"kind": "attribute_item", "regex": r"\bdefault_value\b"},
            {"any": [{"kind": "const_item"}, {"kind": "static_item"}],
             "has": {"field": "name", "regex": _DEFAULT_NAME}},
        ]}}],
    },
    _LOOPBACK_PREFILTER,
    requires=_QUOTED,
)  # fmt: skip

_BACKING_SCHEMES = frozenset(
    {"postgres", "postgresql", "postgis", "cockroachdb", "mysql", "mariadb", "mssql",
     "sqlserver", "oracle", "redis", "rediss", "valkey", "memcached", "memcache", "mongodb",
     "amqp", "amqps", "kafka", "nats", "clickhouse", "elasticsearch", "opensearch",
     "cassandra", "neo4j", "bolt", "couchbase", "couchdb", "etcd", "smtp", "smtps", "ldap",
     "ldaps"}
)  # fmt: skip
_HOST = r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
# The whole literal must be the endpoint: sentences, templates and placeholders in the
# host ("postgres://{host}/db", "%s:5432") never match.
_URL = re.compile(
    r"(?P<full>(?P<scheme>[A-Za-z][A-Za-z0-9.-]*)(?:\+[A-Za-z0-9+.-]+)?)://"
    rf"(?:(?P<userinfo>[^@/\s?#]*)@)?{_HOST}(?::(?P<port>\d{{1,5}}))?(?:[/?#,]\S*)?"
)
_ADDRESS = re.compile(rf"{_HOST}:(?P<port>{'|'.join(_PORTS)})(?:/\S*)?")
_LITERAL = re.compile(r"""[rRbBuUfF]{0,2}(#*)("{3}|'{3}|["'`])(.*)\2\1""", re.DOTALL)
_LOOPBACK_NAMES = frozenset({"localhost", "host.docker.internal", "ip6-localhost"})
_PLACEHOLDERS = frozenset({"host", "hostname"})  # "postgres://user:pass@host/db" in help texts
_INTERNAL_SUFFIXES = (".internal", ".local", ".localdomain", ".svc", ".corp", ".lan",
                      ".intranet", ".private", ".consul", ".home.arpa")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A backing-service endpoint written in a literal."""

    shown: str
    host: str
    password: str | None


def _endpoint(text: str) -> Endpoint | None:
    """The endpoint a string literal's source text names, or None."""
    literal = _LITERAL.fullmatch(text)
    content = literal[3] if literal else None
    if content is None:
        return None
    endpoint = _parse(content)
    if endpoint is None or endpoint.host.lower() in _PLACEHOLDERS:
        return None
    return endpoint


def _parse(content: str) -> Endpoint | None:
    if url := _URL.fullmatch(content):
        scheme, host, port = url["scheme"].lower(), url["host"], url["port"]
        shown = f"{url['full']}://{host}" + (f":{port}" if port else "")
        userinfo = url["userinfo"] or ""
        password = userinfo.partition(":")[2] or None
        if scheme in _BACKING_SCHEMES or (
            scheme in ("http", "https") and _internal(host, explicit_port=port is not None)
        ):
            return Endpoint(shown, host, password)
        return None
    if (address := _ADDRESS.fullmatch(content)) and re.search("[A-Za-z.]", address["host"]):
        return Endpoint(f"{address['host']}:{address['port']}", address["host"], None)
    return None


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    name = host.lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    ip = _ip(host)
    return ip is not None and (ip.is_loopback or ip.is_unspecified)


def _internal(host: str, *, explicit_port: bool) -> bool:
    """An http(s) host that can only be a private service, never a public API."""
    if _loopback(host):
        return False
    ip = _ip(host)
    if ip is not None:
        return ip.is_private and not ip.is_link_local
    name = host.lower()
    # A single-label name with a port is a compose or cluster service ("payments:8080").
    return name.endswith(_INTERNAL_SUFFIXES) or ("." not in name and explicit_port)


def _key(match: CodeMatch) -> tuple[str, int, int]:
    return match.path, match.line, match.column


@rule(
    id="S0401",
    name="hardcoded-endpoint",
    factor=4,
    severity=Severity.WARNING,
    summary="Backing-service URL or host:port written in code instead of read from config",
    remediation="Read the endpoint from an environment variable (e.g. DATABASE_URL) and "
    "declare it in twelve.toml; keep local values in .env, not in code.",
)
def hardcoded_endpoint(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds string literals in service code that are a backing-service endpoint:

    - a URL with a backing-service scheme (`postgres://`, `mysql://`, `redis://`,
      `amqp://`, `mongodb://`, `kafka://`, `smtp://`, ... including SQLAlchemy's
      `postgresql+psycopg://`) and a literal host;
    - `host:port` where the port is a well-known backing-service port (5432, 3306, 6379,
      27017, 5672, 9092, 11211, 9200): `"10.0.0.5:6379"`, `"db.example.com:5432"`;
    - an `http(s)://` URL to an internal host: a private IP, a name under `.internal`,
      `.local`, `.svc`, `.corp`, `.lan`, `.consul`, ..., or a single-label name with a port
      (`http://payments:8080`). Public APIs (`https://api.stripe.com`) are not endpoints
      you attach, and are not reported.

    The whole literal must be the endpoint: log messages, help texts and templates with a
    placeholder in the host (`f"postgres://{host}/db"`, `"%s:5432"`) are not reported, nor
    are docstrings, comments and tests. Python, JavaScript, TypeScript, Go and Rust.

    A loopback endpoint (`localhost`, `127.0.0.1`, `::1`, `host.docker.internal`) is
    accepted when it is only a default: the fallback of an environment read
    (`os.environ.get("DATABASE_URL", "postgres://localhost/dev")`,
    `process.env.REDIS_URL || "redis://localhost:6379"`, `getEnv("X", "...")`,
    `env::var("X").unwrap_or_else(...)`, `if v == "" { v = "..." }` in Go), a flag or
    `default=` value, a pydantic settings field, or a constant named `DEFAULT_*` or
    `FALLBACK_*`. The service is then still attached by config, and the default only
    points at the developer's own machine. Loopback endpoints are also accepted in
    scripts and command-line tools (`scripts/`, `bin/`, `manage.py`, ...). Every other
    host is reported even as a fallback: a production hostname in code is a hard-coded
    endpoint whether or not an env var can override it.

    ## Why is this bad?
    A backing service is an attached resource: swapping the database for a replica, the
    cache for a managed one or a staging broker for production must be a config change,
    not a code change. An endpoint in code ties a build to one environment, so the same
    build cannot be promoted from staging to production, and a URL with a password in it
    is also a committed secret.

    ## Example
    ```python
    engine = create_engine("postgresql://app@db.internal:5432/app")
    cache = redis.Redis.from_url("redis://cache:6379/0")
    ```

    ## Use instead
    ```python
    engine = create_engine(os.environ["DATABASE_URL"])
    cache = redis.Redis.from_url(os.environ["REDIS_URL"])
    ```

    ## Known problems
    Only literals are checked: an endpoint assembled from pieces (`host = "db.internal"`,
    `net.JoinHostPort("db", "5432")`, `redis.Redis(host="cache", port=6379)`) is not
    found. A loopback default hides a missing setting in production (the service starts
    and fails at its first query); declare the key `required = true` in twelve.toml so the
    config rules and the probe catch it. Names under `.local` or single-label hosts with a
    port are assumed internal.
    """
    fallbacks = {_key(match) for match in facts.matches(FALLBACK)}
    for match in facts.matches(ENDPOINT):
        endpoint = _endpoint(match.text)
        if endpoint is None:
            continue
        if _loopback(endpoint.host) and (_key(match) in fallbacks or is_cli_path(match.path)):
            continue
        secrets = [endpoint.password] if endpoint.password else []
        yield fail(f"hard-coded endpoint `{endpoint.shown}`", match.location(), secrets=secrets)
