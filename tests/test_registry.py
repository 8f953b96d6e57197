"""The check registry: identity rules, selection, and crash isolation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twelve.model import Lifecycle, Outcome, Severity, Verdict, fail
from twelve.registry import Registry, RegistryError, SelectionError, declare, parse_docs

DOCS = """
## What it does
Finds things.

## Why is this bad?
Because.

## Example
```python
bad()
```

## Use instead
```python
good()
```
"""


def _registry() -> Registry:
    registry = Registry()

    def add(check_id: str, name: str, factor: int, lifecycle: Lifecycle = Lifecycle.STABLE) -> None:
        def check(_facts: object) -> Iterator[Verdict]:
            yield fail(f"{name} found")

        check.__doc__ = DOCS
        declare(
            registry,
            id=check_id,
            name=name,
            factor=factor,
            severity=Severity.WARNING,
            summary="s",
            remediation="r",
            lifecycle=lifecycle,
        )(check)

    add("S0301", "committed-secret", 3)
    add("S0302", "committed-env-file", 3)
    add("S1101", "print-logging", 11)
    add("S0601", "local-state", 6, Lifecycle.PREVIEW)
    add("P0902", "graceful-sigterm", 9)
    return registry


def _ids(
    registry: Registry, *select: str, ignore: tuple[str, ...] = (), preview: bool = False
) -> list[str]:
    return [c.meta.id for c in registry.select(select, ignore, preview=preview)]


def test_default_selection_is_every_stable_check() -> None:
    """Without --select every stable check runs and preview checks do not."""
    assert _ids(_registry()) == ["P0902", "S0301", "S0302", "S1101"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("S0301", ["S0301"]),
        ("s0301", ["S0301"]),
        ("committed-env-file", ["S0302"]),
        ("S03", ["S0301", "S0302"]),
        ("3", ["S0301", "S0302"]),
        ("III", ["S0301", "S0302"]),
        ("P", ["P0902"]),
        ("9", ["P0902"]),
        ("S06", []),
        ("S0601", ["S0601"]),
        ("local-state", ["S0601"]),
    ],
)
def test_select_by_id_name_prefix_or_factor(token: str, expected: list[str]) -> None:
    """Tokens match IDs, names, ID prefixes and factor numbers; preview checks need their ID."""
    assert _ids(_registry(), token) == expected


def test_preview_flag_and_ignore() -> None:
    """--preview adds preview checks to broad selections; --ignore removes matches."""
    assert _ids(_registry(), "6", preview=True) == ["S0601"]
    assert _ids(_registry(), ignore=("III", "print-logging")) == ["P0902"]


def test_unknown_token_is_an_error() -> None:
    """A token that matches nothing is a usage error, not a silent empty run."""
    with pytest.raises(SelectionError, match="'S9999' matches no check"):
        _registry().select(["S9999"])


@pytest.mark.parametrize(
    ("check_id", "name", "factor", "message"),
    [
        ("S0301", "other-name", 3, "duplicate check ID S0301"),
        ("S0399", "committed-secret", 3, "duplicate check name committed-secret"),
        ("X0301", "bad-prefix", 3, "'X0301' is not an ID like S0301 or P0902"),
        ("S0401", "wrong-factor", 3, "S0401 does not match its kind rule / factor"),
        ("S0398", "Not_Kebab", 3, "'Not_Kebab' is not a kebab-case name"),
    ],
)
def test_registry_rejects_bad_identities(
    check_id: str, name: str, factor: int, message: str
) -> None:
    """IDs are unique and well-formed, names are unique kebab-case."""
    registry = _registry()

    def check(_facts: object) -> Iterator[Verdict]:
        yield from ()

    check.__doc__ = DOCS
    with pytest.raises(RegistryError) as caught:
        declare(registry, id=check_id, name=name, factor=factor, severity=Severity.INFO,
                summary="s", remediation="r")(check)  # fmt: skip
    assert str(caught.value).startswith(message)


def test_docs_need_every_heading() -> None:
    """A docstring missing ruff's headings is rejected at registration."""
    with pytest.raises(RegistryError, match="Example, Use instead"):
        parse_docs("## What it does\nx\n## Why is this bad?\ny\n")


def test_crashing_check_yields_error_result_and_empty_check_passes() -> None:
    """A check that raises becomes one `error` result; one that yields nothing passes."""
    registry = Registry()

    def crashes(_facts: object) -> Iterator[Verdict]:
        raise KeyError("boom")

    def clean(_facts: object) -> Iterator[Verdict]:
        yield from ()

    for check_id, name, function in (("S0101", "crashes", crashes), ("S0102", "clean", clean)):
        function.__doc__ = DOCS
        declare(registry, id=check_id, name=name, factor=1, severity=Severity.ERROR,
                summary="s", remediation="r")(function)  # fmt: skip
    crashed = registry.get("crashes").run(None)
    assert [(r.outcome, r.message.split(" at ")[0]) for r in crashed] == [
        (Outcome.ERROR, "check crashed: KeyError")
    ]
    assert [(r.outcome, r.message) for r in registry.get("S0102").run(None)] == [
        (Outcome.PASS, "no findings")
    ]
