"""Config from the contract: typed values, every problem in one report, no value ever echoed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from twelve.contract import Contract, parse_contract
from twelve.kit.config import EX_CONFIG, Config, ConfigError, load_config
from twelve.kit.secret import Secret

CONTRACT = """
[service]
name = "demo"
version_env = "GIT_SHA"

[processes.web]
command = "python -m demo"
drain_delay = "1s"

[processes.worker]
kind = "worker"
command = "python -m demo.worker"

[config.DATABASE_URL]
type = "url"
schemes = ["postgresql"]
required = true
secret = true

[config.API_TOKEN]
type = "string"
required = true
secret = true

[config.LOG_LEVEL]
type = "enum"
choices = ["debug", "info"]
default = "info"

[config.TIMEOUT]
type = "duration"
default = "2s"

[config.WORKERS]
type = "int"

[config.DEBUG]
type = "bool"
default = false
"""
GOOD = {
    "DATABASE_URL": "postgresql://app:pw-canary-1@127.0.0.1/app",
    "API_TOKEN": "token-canary-2",
    "PORT": "8080",
    "GIT_SHA": "abc123",
    "APP_ENV": "staging",
}


@pytest.fixture
def contract() -> Contract:
    return parse_contract(CONTRACT, Path("twelve.toml"))


def test_values_are_typed_and_secrets_masked(contract: Contract) -> None:
    """Each key gets its declared type; defaults apply; secrets are `Secret` with masked repr."""
    config = load_config(contract, process="web", environ=GOOD | {"WORKERS": " 4 "})
    assert config.values == {
        "DATABASE_URL": Secret("postgresql://app:pw-canary-1@127.0.0.1/app"),
        "API_TOKEN": Secret("token-canary-2"),
        "LOG_LEVEL": "info",
        "TIMEOUT": 2.0,
        "WORKERS": 4,
        "DEBUG": False,
        "PORT": 8080,
    }
    assert (config.service, config.version, config.env, config.port) == (
        "demo",
        "abc123",
        "staging",
        8080,
    )
    assert config.get_str("API_TOKEN") == "token-canary-2"
    assert repr(config["API_TOKEN"]) == "Secret('**********')"
    assert f"{config['API_TOKEN']}" == "**********"
    assert "canary" not in repr(config)
    assert sorted(config.secrets()) == [
        "postgresql://app:pw-canary-1@127.0.0.1/app",
        "token-canary-2",
    ]


def test_every_problem_is_reported_missing_and_invalid_apart(contract: Contract) -> None:
    """Two missing and three invalid keys come in one error, split, with reasons and no values."""
    environ = {
        "DATABASE_URL": "mysql://app:pw-canary-3@127.0.0.1/app",
        "PORT": "99999",
        "WORKERS": "four-canary-4",
    }
    with pytest.raises(ConfigError) as caught:
        load_config(contract, process="web", environ=environ, exit_on_error=False)
    error = caught.value
    assert error.missing == ("API_TOKEN",)
    assert error.invalid == (
        ("DATABASE_URL", "URL scheme must be one of: postgresql"),
        ("WORKERS", "not an integer"),
        ("PORT", "not a port number (1-65535)"),
    )
    assert "canary" not in error.render()
    assert error.render() == (
        "invalid configuration of demo, 4 problem(s): missing API_TOKEN; invalid DATABASE_URL"
        " (URL scheme must be one of: postgresql), WORKERS (not an integer),"
        " PORT (not a port number (1-65535))"
    )


def test_empty_value_counts_as_missing_and_optional_empty_takes_default(contract: Contract) -> None:
    """A required key set to whitespace is missing; an optional one set empty gets its default."""
    with pytest.raises(ConfigError) as caught:
        load_config(
            contract, environ=GOOD | {"API_TOKEN": "  ", "TIMEOUT": ""}, exit_on_error=False
        )
    assert caught.value.missing == ("API_TOKEN",)
    config = load_config(contract, environ=GOOD | {"TIMEOUT": ""})
    assert config["TIMEOUT"] == 2.0


def test_worker_process_does_not_need_the_web_port(contract: Contract) -> None:
    """The implicit port key belongs to the web process only: a worker loads without PORT."""
    environ = {key: value for key, value in GOOD.items() if key != "PORT"}
    config = load_config(contract, process="worker", environ=environ)
    assert "PORT" not in config.values
    assert config.port is None
    assert config.process_spec() == contract.processes["worker"]


def test_a_contract_with_one_process_needs_no_process_name(contract: Contract) -> None:
    """Only one process in the contract: it is the one loaded (its port key checked, its
    drain delay known) without naming it; with two, none is assumed."""
    single = contract.model_copy(update={"processes": {"web": contract.processes["web"]}})
    config = load_config(single, environ=GOOD)
    assert (config.port, config.process_spec()) == (8080, contract.processes["web"])
    no_port = {key: value for key, value in GOOD.items() if key != "PORT"}
    with pytest.raises(ConfigError) as raised:
        load_config(single, environ=no_port, exit_on_error=False)
    assert raised.value.missing == ("PORT",)
    assert load_config(contract, environ=no_port).process_spec() is None


def test_contract_is_found_from_env_var(tmp_path: Path) -> None:
    """`TWELVE_CONTRACT` names the contract file when none is passed."""
    path = tmp_path / "service.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    config = load_config(environ=GOOD | {"TWELVE_CONTRACT": str(path)})
    assert config.contract is not None
    assert config.contract.path == path


def _run(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_startup_failure_exits_78_with_one_json_event_and_one_readable_line(tmp_path: Path) -> None:
    """A bad environment: exit 78, stdout empty, stderr = one JSON event + one readable line."""
    (tmp_path / "twelve.toml").write_text(CONTRACT, encoding="utf-8")
    env = {
        "DATABASE_URL": "http://app:pw-canary-5@127.0.0.1/app",
        "WORKERS": "x-canary-6",
        "GIT_SHA": "abc",
    }
    done = _run("from twelve.kit import load_config; load_config(process='web')", env, tmp_path)
    assert done.returncode == EX_CONFIG
    assert done.stdout == ""
    event_line, readable, *rest = done.stderr.splitlines()
    assert rest == []
    event = orjson.loads(event_line)
    assert event["level"] == "error"
    assert event["message"] == "invalid configuration"
    assert event["service"] == "demo"
    assert event["error_code"] == "config_invalid"
    assert event["missing"] == ["API_TOKEN", "PORT"]
    assert event["invalid"] == {
        "DATABASE_URL": "URL scheme must be one of: postgresql",
        "WORKERS": "not an integer",
    }
    assert readable.startswith("error: invalid configuration of demo, 4 problem(s): missing")
    assert "canary" not in done.stderr


def test_missing_contract_exits_78_naming_the_file(tmp_path: Path) -> None:
    """No twelve.toml anywhere up the tree: exit 78 and a line saying how to name one."""
    done = _run("from twelve.kit import load_config; load_config()", {}, tmp_path)
    assert done.returncode == EX_CONFIG
    assert "no twelve.toml found (set TWELVE_CONTRACT or pass its path)" in done.stderr


def test_config_without_contract_has_defaults() -> None:
    """A hand-made Config (tests, scripts) has unknown version/env, no port and no secrets."""
    config = Config(service="solo")
    assert (config.version, config.env, config.port, config.secrets()) == (
        "unknown",
        "unknown",
        None,
        [],
    )


def test_config_is_frozen(contract: Contract) -> None:
    """A loaded config cannot be changed: setting or deleting a field raises."""
    config = load_config(contract, process="web", environ=GOOD)
    with pytest.raises(AttributeError, match="frozen"):
        config.service = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del config.values
    assert config.service == "demo"


def test_contract_model_is_the_loaded_contract(tmp_path: Path) -> None:
    """Loaded from a file, `config.contract` is the same model `load_contract` gives (built on
    first use), and the plain view the kit reads agrees with it."""
    path = tmp_path / "twelve.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    config = load_config(path, process="web", environ=GOOD)
    assert config.contract == parse_contract(CONTRACT, path)
    assert config.contract is config.contract  # built once
    spec, plain = config.process_spec(), config.plain_process()
    assert spec is not None
    assert plain is not None
    assert (plain.kind, plain.port_env, plain.drain_delay) == (spec.kind, spec.port_env, 1.0)


def test_invalid_contract_exits_78_with_the_models_report(tmp_path: Path) -> None:
    """An invalid contract: exit 78, and stderr has every problem as `load_contract` words it."""
    (tmp_path / "twelve.toml").write_text(
        '[service]\nname = "Demo"\n[config.MAX]\ntype = "int"\ndefault = "ten"\n',
        encoding="utf-8",
    )
    done = _run("from twelve.kit import load_config; load_config()", {}, tmp_path)
    assert done.returncode == EX_CONFIG
    event_line, *readable = done.stderr.splitlines()
    assert orjson.loads(event_line)["error_code"] == "contract_invalid"
    assert readable == [
        f"error: {tmp_path / 'twelve.toml'}: invalid contract, 2 problems",
        f"  {tmp_path / 'twelve.toml'}:2: service.name: must be kebab-case (lowercase letters,"
        ' digits, hyphens), e.g. "web-api"',
        f"  {tmp_path / 'twelve.toml'}:3: config.MAX: `default` is invalid: not an integer",
    ]


def test_configs_compare_by_their_fields_and_contract(tmp_path: Path) -> None:
    """Two loads of one contract and environment are equal; another environment is not."""
    path = tmp_path / "twelve.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    first = load_config(path, process="web", environ=GOOD)
    assert first == load_config(path, process="web", environ=GOOD)
    assert first != load_config(path, process="web", environ=GOOD | {"APP_ENV": "prod"})
    assert first != load_config(path, process="worker", environ=GOOD)
    assert Config(service="solo") == Config(service="solo")
