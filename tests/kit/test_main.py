"""`python -m twelve.kit config --doc | --check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from twelve.kit.__main__ import main

FIXTURE = Path(__file__).parent.parent / "fixtures" / "kit_app" / "twelve.toml"


def test_doc_lists_every_key_of_the_process(capsys: object) -> None:
    """--doc --process web: a header and one row per key, PORT (implicit) included."""
    assert main(["config", "--doc", "--contract", str(FIXTURE), "--process", "web"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    lines = out.splitlines()
    assert lines[0].split() == ["KEY", "TYPE", "REQUIRED", "DEFAULT", "SECRET", "DESCRIPTION"]
    assert [line.split()[0] for line in lines[1:]] == [
        "DATABASE_URL",
        "API_TOKEN",
        "UPSTREAM_URL",
        "LOG_LEVEL",
        "REQUEST_TIMEOUT",
        "MAX_SLOW_MS",
        "GIT_SHA",
        "APP_ENV",
        "PORT",
    ]


def test_doc_as_json(capsys: object) -> None:
    """--doc --json: a JSON list of rows with type, required, default, secret, description."""
    assert main(["config", "--doc", "--json", "--contract", str(FIXTURE)]) == 0
    rows = orjson.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert rows[0] == {
        "key": "DATABASE_URL",
        "type": "url (postgresql|postgres)",
        "required": "yes",
        "default": "",
        "secret": "yes",
        "description": "Primary Postgres database (twelve probe provides one)",
    }
    assert rows[3]["type"] == "enum (debug|info|warning|error)"
    assert rows[3]["default"] == "info"


def test_check_validates_the_environment_like_startup() -> None:
    """--check with a bad environment exits 78 naming the keys; with a good one exits 0."""
    base = [sys.executable, "-m", "twelve.kit", "config", "--check", "--contract", str(FIXTURE)]
    bad = subprocess.run(base, env={}, capture_output=True, text=True, timeout=30, check=False)
    assert bad.returncode == 78
    assert "missing DATABASE_URL, API_TOKEN, UPSTREAM_URL" in bad.stderr
    env = {
        "DATABASE_URL": "postgresql://127.0.0.1/app",
        "API_TOKEN": "token-123456",
        "UPSTREAM_URL": "https://127.0.0.1/api",
    }
    good = subprocess.run(base, env=env, capture_output=True, text=True, timeout=30, check=False)
    assert (good.returncode, good.stdout) == (0, "config of kit-app is valid: 8 key(s)\n")
