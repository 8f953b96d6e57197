"""requirements.txt as a lock: the installed closure of a distribution, pinned with `==`."""

from __future__ import annotations

from importlib import metadata

import pytest

from twelve.scaffold.lock import NotInstalled, Pin, normalize, pins, render_requirements


def test_the_kit_closure_pins_every_installed_dependency() -> None:
    """twelve[kit] brings its extra's dependencies and theirs, each at its installed version."""
    locked = {pin.name: pin for pin in pins("twelve", ("kit",))}
    assert locked["twelve"] == Pin("twelve", metadata.version("twelve"), ("kit",))
    for name in ("structlog", "uvicorn", "h11", "pydantic", "pydantic-core", "psycopg-binary"):
        assert locked[name].version == metadata.version(name), name
    assert locked["psycopg"].extras == ("binary", "pool")
    assert list(locked) == sorted(locked)
    # Development tools twelve does not depend on stay out.
    assert "pytest" not in locked
    assert "mypy" not in locked


def test_without_the_extra_only_the_base_dependencies_are_pinned() -> None:
    """An extra's requirements (`extra == "kit"`) are followed only when it is asked for."""
    locked = {pin.name for pin in pins("twelve")}
    assert {"pydantic", "httpx", "ast-grep-py"} <= locked
    assert not {"structlog", "uvicorn", "procrastinate"} & locked


def test_a_missing_distribution_is_reported() -> None:
    """Nothing can be pinned from a distribution that is not installed."""
    with pytest.raises(NotInstalled) as missing:
        pins("no-such-distribution-tw12")
    assert str(missing.value) == (
        "no-such-distribution-tw12 (needed by the service) is not installed"
    )


def test_requirements_text() -> None:
    """A comment header, then one `name[extras]==version` a line."""
    text = render_requirements(
        [Pin("httpx", "0.28.1"), Pin("twelve", "1.0", ("kit",))], "from here\nand there"
    )
    assert text == "# from here\n# and there\nhttpx==0.28.1\ntwelve[kit]==1.0\n"


def test_names_are_normalized() -> None:
    """PEP 503: case folded, runs of `-`, `_` and `.` become one hyphen."""
    assert normalize("Typing_Extensions") == "typing-extensions"
    assert normalize("zope.interface") == "zope-interface"
