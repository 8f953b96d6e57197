"""The public surface: a sorted __all__ whose every name resolves, and a cheap import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from twelve import kit

KIT_APP = Path(__file__).resolve().parents[1] / "fixtures" / "kit_app"


def test_all_is_sorted_and_every_name_resolves() -> None:
    """__all__ is sorted (constants first, as ruff sorts it) and each name is importable."""
    assert kit.__all__ == sorted(kit.__all__, key=lambda name: (not name.isupper(), name))
    for name in kit.__all__:
        assert getattr(kit, name) is not None


def test_importing_the_kit_loads_no_heavy_dependency() -> None:
    """`import twelve.kit` imports none of structlog, uvicorn, psycopg, pydantic_settings,
    procrastinate, stamina or pydantic: they load when a part that needs them is used."""
    code = (
        "import sys, twelve.kit\n"
        "heavy = {'structlog', 'uvicorn', 'psycopg', 'pydantic_settings', 'procrastinate',"
        " 'stamina', 'pydantic'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "[]"


def test_unknown_attribute_raises_attribute_error() -> None:
    """A name the kit does not have is an AttributeError naming it."""
    try:
        kit.no_such_thing  # noqa: B018 -- the access is the test
    except AttributeError as error:
        assert "no_such_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_a_service_starts_from_a_valid_contract_without_pydantic() -> None:
    """Config, logging, health, middleware and the server module of the tiny app load no
    pydantic: the contract is read by the plain reader (a cost paid at every start). The
    Postgres driver is loaded once attached, before serving, not in the first readiness
    check (where its import would block the event loop inside the check's timeout)."""
    code = (
        "import sys, io, kit_app\n"
        "from twelve import kit\n"
        "config = kit.load_config(kit_app.CONTRACT, process='web')\n"
        "kit.setup_logging(config, stream=io.StringIO())\n"
        "health = kit.Health(config)\n"
        "before = 'psycopg_pool' in sys.modules\n"
        "kit.attach_postgres(config, health=health)\n"
        "after = 'psycopg_pool' in sys.modules\n"
        "kit.instrument(kit_app.make_app(1), health)\n"
        "import twelve.kit.server\n"
        "print(before, after, sorted(m for m in sys.modules"
        " if m.split('.')[0] in {'pydantic', 'pydantic_core'} or m == 'twelve.contract.model'))\n"
    )
    env = {
        "DATABASE_URL": "postgresql://app:pw@127.0.0.1:9/app",
        "API_TOKEN": "token",
        "UPSTREAM_URL": "https://127.0.0.1:9/api",
        "PORT": "8080",
    }
    done = _in_kit_app(code, env)
    assert (done.returncode, done.stdout.strip()) == (0, "False True []"), done.stderr


def test_a_start_that_fails_on_its_config_loads_only_what_it_reports_with() -> None:
    """A missing key: exit 78 without importing pydantic, orjson, structlog or uvicorn."""
    code = (
        "import sys, kit_app\n"
        "try:\n"
        "    kit_app.main([])\n"
        "finally:\n"
        "    heavy = {'pydantic', 'pydantic_core', 'orjson', 'structlog', 'uvicorn'}\n"
        "    print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = _in_kit_app(code)
    assert done.returncode == 78
    assert done.stdout.strip() == "[]"
    assert '"missing":["DATABASE_URL","API_TOKEN","UPSTREAM_URL","PORT"]' in done.stderr


def _in_kit_app(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter that imports the tiny kit app, with only `env`."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**(env or {}), "PYTHONPATH": str(KIT_APP)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
