"""Loading `twelve.toml`: defaults, durations, and errors that list every problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from twelve.contract import ContractError, ValueType, load_contract, parse_contract

DESIGN_EXAMPLE = Path(__file__).parent / "design_example.toml"


def _problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ContractError) as caught:
        parse_contract(text, Path("twelve.toml"))
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def test_design_example_loads_with_every_key() -> None:
    """The example contract of DESIGN §1 loads, durations become seconds, defaults apply."""
    contract = load_contract(DESIGN_EXAMPLE)
    web = contract.processes["web"]
    assert contract.service.name == "shortlinks"
    assert (web.startup_timeout, web.drain_delay, web.shutdown_timeout) == (10.0, 0.0, 15.0)
    assert web.drain_request == "GET /slow?ms=2000"
    assert contract.processes["worker"].shutdown_timeout == 30.0
    assert contract.admin["migrate"].idempotent is True
    assert contract.config["DATABASE_URL"].schemes == ["postgres", "postgresql"]
    assert contract.keys()["PORT"].type is ValueType.PORT
    assert contract.secret_keys() == ["DATABASE_URL"]
    assert contract.logs.fields == ["timestamp", "level", "message", "service", "version"]
    assert contract.probe.env == {"APP_ENV": "dev"}
    assert contract.path == DESIGN_EXAMPLE
    assert contract.line_of("config", "LOG_LEVEL") == 35


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("500ms", 0.5), ("15s", 15.0), ("2m", 120.0), ("1h", 3600.0), ("3", 3.0), (2.5, 2.5)],
)
def test_durations_accept_units_and_numbers(written: object, seconds: float) -> None:
    """Durations are seconds as numbers, or strings with ms/s/m/h."""
    value = f'"{written}"' if isinstance(written, str) else str(written)
    text = f'[service]\nname = "a"\n[processes.web]\ncommand = "x"\ndrain_delay = {value}\n'
    assert parse_contract(text, Path("t.toml")).processes["web"].drain_delay == seconds


def test_five_mistakes_are_reported_together_with_lines() -> None:
    """One error lists all five problems, each with its line, in file order."""
    text = """\
[service]
name = "Short_Links"

[processes.web]
kindd = "web"
command = "python -m app"
shutdown_timeout = "15 parsecs"

[config.LOG_LEVEL]
type = "enum"

[config.API_TOKEN]
secret = true
default = "abc"
"""
    kebab = 'must be kebab-case (lowercase letters, digits, hyphens), e.g. "web-api"'
    assert _problems(text) == [
        (2, "service.name", kebab),
        (5, "processes.web.kindd", 'unknown key; did you mean "kind"?'),
        (7, "processes.web.shutdown_timeout",
         "a duration is a number of seconds or a string like '500ms', '15s', '2m'"),
        (9, "config.LOG_LEVEL", "an enum key needs `choices`"),
        (12, "config.API_TOKEN", "a secret key may not have a `default` or `example` in the file"),
    ]  # fmt: skip


def test_cross_table_rules_are_checked() -> None:
    """probe.values only for declared keys, {canary} only for secrets, port_env must be a port."""
    text = """\
[service]
name = "a"
[processes.web]
command = ["app"]
port_env = "HTTP_PORT"
[config.HTTP_PORT]
type = "int"
[config.LOG_LEVEL]
default = "info"
[probe]
env = { LOG_LEVEL = "debug" }
[probe.values]
MISSING = "x"
LOG_LEVEL = "{canary}"
"""
    port = "HTTP_PORT is the port of process 'web', so its type must be port"
    assert _problems(text) == [
        (7, "config.HTTP_PORT.type", port),
        (13, "probe.values.MISSING", "MISSING is not a declared config key"),
        (14, "probe.values.LOG_LEVEL", "{canary} may only appear in a secret key's template"),
    ]  # fmt: skip


def test_typed_defaults_and_misplaced_options_are_rejected() -> None:
    """Defaults must fit the type; choices belong to enums and schemes to URLs."""
    text = """\
[service]
name = "a"
[config.MAX]
type = "int"
default = "ten"
[config.URL]
type = "url"
schemes = ["https"]
example = "ftp://files"
[config.MODE]
choices = ["a"]
"""
    assert _problems(text) == [
        (3, "config.MAX", "`default` is invalid: not an integer"),
        (6, "config.URL", "`example` is invalid: URL scheme must be one of: https"),
        (10, "config.MODE", "`choices` is only for type = enum"),
    ]


def test_toml_syntax_error_shows_line_and_column() -> None:
    """A TOML syntax error names the line and column."""
    assert _problems('[service]\nname = "a\n') == [(2, "", "TOML syntax: Illegal character '\\n'")]


def test_missing_service_table_is_a_required_key() -> None:
    """A contract without [service] says the key is required."""
    assert _problems("[processes.web]\ncommand = 'x'\n") == [
        (None, "service", "required key is missing")
    ]


def test_rendered_error_lists_file_line_and_key(tmp_path: Path) -> None:
    """People see a count, then one `file:line: key: problem` line per problem."""
    path = tmp_path / "twelve.toml"
    path.write_text('[service]\nname = "a"\nnmae = "b"\n')
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    assert str(caught.value) == (
        f"{path}: invalid contract, 1 problem\n"
        f'  {path}:3: service.nmae: unknown key; did you mean "name"?'
    )
