"""`twelve init`: a draft contract inferred from code, Procfile, Dockerfile, compose, manifests."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from twelve.contract import json_schema, parse_contract
from twelve.contract.infer import ContractExists, init_contract
from twelve.contract.render import TODO, Draft, render, string, value
from twelve.contract.usage import clues
from twelve.lint.facts import EnvRead, Language

FIXTURES = Path(__file__).parent.parent / "fixtures" / "init"


def _init(tmp_path: Path, language: str) -> tuple[dict[str, Any], str]:
    root = tmp_path / language
    shutil.copytree(FIXTURES / language, root)
    result = init_contract(root)
    assert result.path == root / "twelve.toml"
    assert result.path.read_text(encoding="utf-8") == result.text
    return tomllib.loads(result.text), result.text


def _valid(text: str) -> None:
    """The draft loads as a contract and validates against the JSON Schema."""
    parse_contract(text, Path("twelve.toml"))
    assert list(Draft202012Validator(json_schema()).iter_errors(tomllib.loads(text))) == []


def test_python_service(tmp_path: Path) -> None:
    """Flask/FastAPI-style code: int()/bool parse/defaults/secrets, Procfile processes and
    release line, routes for health, compose values for schemes and credentials."""
    data, text = _init(tmp_path, "python")
    _valid(text)
    assert data["service"] == {
        "name": "orders-api",
        "description": "Orders API",
        "version_env": "GIT_SHA",
    }
    assert data["processes"] == {
        "web": {
            "kind": "web",
            "command": "uvicorn orders.app:app --host 0.0.0.0 --port $PORT",
            "liveness": "/healthz",
            "readiness": "/readyz",
        },
        "worker": {"kind": "worker", "command": "python -m orders.worker"},
    }
    assert data["admin"] == {"migrate": {"command": "alembic upgrade head", "idempotent": True}}
    assert data["config"] == {
        "DATABASE_URL": {
            "type": "url",
            "schemes": ["postgres", "postgresql"],
            "required": True,
            "secret": True,
            "backing_service": True,
        },
        "REDIS_URL": {
            "type": "url",
            "schemes": ["redis", "rediss"],
            "required": False,
            "backing_service": True,
            "default": "redis://localhost:6379/0",
        },
        "SECRET_KEY": {"type": "string", "required": True, "secret": True},
        "PORT": {
            "type": "port",
            "required": False,
            "default": 8000,
            "description": "TCP port to listen on",
        },
        "DEBUG": {"type": "bool", "required": False, "default": False},
        "WEB_CONCURRENCY": {"type": "int", "required": True},
        "LOG_LEVEL": {"type": "string", "required": False, "default": "info"},
        "REQUEST_TIMEOUT": {"type": "duration", "required": False, "default": "15s"},
        "BROKER_URL": {
            "type": "url",
            "schemes": ["amqp", "amqps"],
            "required": True,
            "secret": True,
            "backing_service": True,
        },
    }
    assert "HOME" not in data["config"]  # set by the platform, not the deploy


def test_node_service(tmp_path: Path) -> None:
    """Express code in JS and TS: parseInt/Number/`=== "true"`/`||`/`??` defaults, the
    package.json start script as web process and its knex script as the migration."""
    data, text = _init(tmp_path, "node")
    _valid(text)
    assert data["service"] == {"name": "inventory", "description": "Inventory service"}
    assert data["processes"] == {
        "web": {
            "kind": "web",
            "command": "node src/server.js",
            "liveness": "/health",
            "readiness": "/ready",
        }
    }
    assert data["admin"] == {"migrate": {"command": "npm run migrate", "idempotent": True}}
    assert data["config"] == {
        "CACHE_TTL_SECONDS": {"type": "int", "required": False, "default": 300},
        "AWS_REGION": {"type": "string", "required": False, "default": "eu-west-1"},
        "PORT": {
            "type": "port",
            "required": False,
            "default": 3000,
            "description": "TCP port to listen on",
        },
        "DATABASE_URL": {
            "type": "url",
            "required": True,
            "secret": True,
            "backing_service": True,
        },
        "JWT_SECRET": {"type": "string", "required": True, "secret": True},
        "FEATURE_SEARCH": {"type": "bool", "required": False, "default": False},
        "MAX_CONNECTIONS": {"type": "int", "required": False, "default": 10},
        "MONGO_URL": {
            "type": "url",
            "schemes": ["mongodb", "mongodb+srv"],
            "required": False,
            "backing_service": True,
            "default": "mongodb://localhost:27017/inventory",
        },
        "STRIPE_API_KEY": {"type": "string", "required": True, "secret": True},
    }


def test_go_service(tmp_path: Path) -> None:
    """net/http code: strconv parses, the `if port == ""` fallback and `cmp.Or` defaults,
    the Dockerfile ENTRYPOINT as the web process, goose migrations as admin.migrate."""
    data, text = _init(tmp_path, "go")
    _valid(text)
    assert data["service"] == {"name": "ledger"}
    assert data["processes"] == {
        "web": {"kind": "web", "command": ["/ledger"], "liveness": "/livez", "readiness": "/readyz"}
    }
    assert data["admin"] == {"migrate": {"command": "goose -dir migrations up", "idempotent": True}}
    assert data["config"] == {
        "PORT": {
            "type": "port",
            "required": False,
            "default": 8080,
            "description": "TCP port to listen on",
        },
        "WORKER_COUNT": {"type": "int", "required": True},
        "VERBOSE": {"type": "bool", "required": False, "default": False},
        "SHUTDOWN_TIMEOUT": {"type": "duration", "required": False, "default": "10s"},
        "AMQP_URL": {
            "type": "url",
            "schemes": ["amqp", "amqps"],
            "required": True,
            "secret": True,
            "backing_service": True,
        },
        "API_TOKEN": {"type": "string", "required": True, "secret": True},
    }


def test_rust_service(tmp_path: Path) -> None:
    """axum-style code: `let x: u16`, `.parse::<u64>()`, `unwrap_or_else(|_| "8000"...)`,
    `== "true"`; the compose service built from the repository as the process."""
    data, text = _init(tmp_path, "rust")
    _valid(text)
    assert data["service"] == {"name": "search-svc", "description": "Search service"}
    assert data["processes"] == {
        "app": {
            "kind": "web",
            "command": ["/usr/local/bin/search-svc"],
            "liveness": "/healthz",
            "readiness": "/readyz",
        }
    }
    assert "admin" not in data
    assert data["config"] == {
        "PORT": {
            "type": "port",
            "required": False,
            "default": 8000,
            "description": "TCP port to listen on",
        },
        "DATABASE_URL": {
            "type": "url",
            "schemes": ["postgres", "postgresql"],
            "required": True,
            "secret": True,
            "backing_service": True,
        },
        "CACHE_TTL_SECS": {"type": "int", "required": False, "default": 60},
        "SESSION_SECRET": {"type": "string", "required": True, "secret": True},
        "ENABLE_TRACING": {"type": "bool", "required": False, "default": False},
    }


def test_guesses_carry_todo_comments(tmp_path: Path) -> None:
    """Guessed values end with `# TODO: confirm` and say why; facts taken as read do not."""
    _, text = _init(tmp_path, "python")
    lines = text.splitlines()
    assert 'type = "port"  # TODO: confirm — from the name' in lines
    assert "required = true  # TODO: confirm — no default in code" in lines
    assert "secret = true  # TODO: confirm — a URL with credentials is set for it" in lines
    assert 'command = "python -m orders.worker"' in lines
    assert "[config.DATABASE_URL]  # read at orders/app.py:5" in lines
    assert text.count(f"  # {TODO}") == 26  # one per guess; the header names it once more


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    """An existing twelve.toml stops init unchanged; `force` replaces it."""
    (tmp_path / "twelve.toml").write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ContractExists) as raised:
        init_contract(tmp_path)
    message = f"{tmp_path / 'twelve.toml'} exists; run with --force to overwrite it"
    assert str(raised.value) == message
    assert (tmp_path / "twelve.toml").read_text(encoding="utf-8") == "keep me\n"
    result = init_contract(tmp_path, force=True)
    assert (tmp_path / "twelve.toml").read_text(encoding="utf-8") == result.text
    assert result.text.startswith("# Drafted by `twelve init` from 0 env vars read in code.\n")


def test_empty_repository_gets_a_minimal_valid_draft(tmp_path: Path) -> None:
    """Nothing to infer: a service table named after the directory, and nothing else."""
    root = tmp_path / "My_Service"
    root.mkdir()
    result = init_contract(root)
    assert tomllib.loads(result.text) == {"service": {"name": "my-service"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('quote " and back\\slash', '"quote \\" and back\\\\slash"'),
        ("line\nbreak\ttab", '"line\\nbreak\\ttab"'),
        ("bell\x07 del\x7f", '"bell\\u0007 del\\u007F"'),
        ("naïve ☃", '"naïve ☃"'),
    ],
)
def test_strings_are_escaped_for_toml(text: str, expected: str) -> None:
    """Every character TOML forbids raw is escaped, and the value reads back unchanged."""
    assert string(text) == expected
    assert tomllib.loads(f"k = {expected}")["k"] == text


def test_draft_keys_and_values_round_trip() -> None:
    """Keys that are not bare are quoted; floats, booleans and lists survive tomllib."""
    draft = Draft()
    table = draft.table("processes", "web.api", note="a\nnote")
    table.add("command", ["run", 'a "b"'], guess=True)
    table.add("ratio", 0.5)
    table.add("count", 3)
    table.add("flag", False)
    text = render(draft)
    assert '[processes."web.api"]  # a note' in text.splitlines()
    assert tomllib.loads(text) == {
        "processes": {
            "web.api": {"command": ["run", 'a "b"'], "ratio": 0.5, "count": 3, "flag": False}
        }
    }
    assert value(2.0) == "2.0"


CLUES = [
    (Language.PYTHON, 'x = int(os.getenv("N") or "4")', 'os.getenv("N")', "int", "4"),
    (Language.PYTHON, 'x = env.bool("N", True)', 'env.bool("N", True)', "bool", "true"),
    (Language.JAVASCRIPT, "const n = parseFloat(process.env.N)", "process.env.N", "float", None),
    (Language.GO, 'n, _ := strconv.ParseFloat(os.Getenv("N"), 8)', 'os.Getenv("N")', "float", None),
    (Language.RUST, 'let n = env::var("N").unwrap_or("7".into());', 'env::var("N")', None, "7"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "line", "snippet", "kind", "default"), CLUES)
def test_usage_clues(
    language: Language, line: str, snippet: str, kind: str | None, default: str | None
) -> None:
    """The type and default a single read's surroundings give away."""
    read = EnvRead("N", "f", 1, line.index(snippet) + 1, language, snippet)
    found_kind, found_default, secret = clues(read, [line])
    assert (found_kind.value if found_kind else None, found_default) == (kind, default)
    assert secret is False


def test_pydantic_settings_fields(tmp_path: Path) -> None:
    """A pydantic-settings class: annotations give types, SecretStr marks a secret."""
    (tmp_path / "settings.py").write_text(
        "from pydantic import SecretStr\n"
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        "    workers: int = 4\n"
        "    api_token: SecretStr\n"
        "    sentry_dsn: str = ''\n",
        encoding="utf-8",
    )
    config = tomllib.loads(init_contract(tmp_path).text)["config"]
    assert config == {
        "WORKERS": {"type": "int", "required": False, "default": 4},
        "API_TOKEN": {"type": "string", "required": True, "secret": True},
        "SENTRY_DSN": {"type": "string", "required": False, "secret": True},
    }
