"""Service names: kebab-case in, a package that imports cleanly out, or a clear refusal."""

from __future__ import annotations

import pytest

from twelve.scaffold import InvalidName, ServiceName


@pytest.mark.parametrize(
    ("name", "package"),
    [("orders", "orders"), ("order-api", "order_api"), ("svc2-v3", "svc2_v3")],
)
def test_kebab_names_become_snake_case_packages(name: str, package: str) -> None:
    """The package is the name with hyphens turned into underscores."""
    assert ServiceName.parse(name) == ServiceName(name, package)


@pytest.mark.parametrize(
    "name", ["Order-API", "order_api", "order--api", "-orders", "orders-", "2fa", "", "a b"]
)
def test_names_that_are_not_kebab_case_are_refused(name: str) -> None:
    """Anything but lowercase words joined by single hyphens is refused, with an example."""
    with pytest.raises(InvalidName) as refused:
        ServiceName.parse(name)
    assert str(refused.value) == (
        f"{name!r} is not a valid service name: use kebab-case (lowercase letters, digits "
        'and single hyphens, starting with a letter), e.g. "order-api"'
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("class", "'class' would make the package 'class', a Python keyword"),
        ("match", "'match' would make the package 'match', a Python keyword"),
        (
            "json",
            "'json' would make the package 'json', which would shadow a standard library "
            "module of that name: choose another name",
        ),
        (
            "twelve",
            "'twelve' would make the package 'twelve', which would shadow a module the "
            "service imports or runs on of that name: choose another name",
        ),
    ],
)
def test_packages_that_cannot_be_imported_safely_are_refused(name: str, why: str) -> None:
    """A keyword cannot be imported; a stdlib or kit module name would be shadowed."""
    with pytest.raises(InvalidName) as refused:
        ServiceName.parse(name)
    assert str(refused.value) == why
