"""The public surface: a sorted __all__ whose every name resolves, and a cheap import."""

from __future__ import annotations

import subprocess
import sys

from twelve import kit


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
