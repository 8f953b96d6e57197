"""The service's names: a kebab-case service name and the Python package it becomes."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass

from twelve.scaffold.errors import InvalidName

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # the contract's rule for `[service] name`
# Top-level names the service's package must not take besides the standard library's:
# twelve, what the kit and the generated code import, and the tests' directory.
_TAKEN = frozenset({"twelve", "tests", "test", "uvicorn", "structlog", "orjson", "httpx"})


@dataclass(frozen=True, slots=True)
class ServiceName:
    """A valid service name and its package.

    Args:
        name: kebab-case, as in `[service] name` and the distribution name ("order-api").
        package: the importable Python package ("order_api").
    """

    name: str
    package: str

    @classmethod
    def parse(cls, name: str) -> ServiceName:
        """Validate `name` and derive its package name.

        Args:
            name: what the user typed.

        Raises:
            InvalidName: not kebab-case, or its package would be a keyword or shadow a
                module the service needs.
        """
        if not _KEBAB.match(name):
            raise InvalidName(
                f"{name!r} is not a valid service name: use kebab-case (lowercase letters, "
                'digits and single hyphens, starting with a letter), e.g. "order-api"'
            )
        package = name.replace("-", "_")
        if keyword.iskeyword(package) or keyword.issoftkeyword(package):
            raise InvalidName(f"{name!r} would make the package {package!r}, a Python keyword")
        if package in sys.stdlib_module_names or package in _TAKEN:
            what = (
                "a standard library module"
                if package in sys.stdlib_module_names
                else "a module the service imports or runs on"
            )
            raise InvalidName(
                f"{name!r} would make the package {package!r}, which would shadow {what} "
                "of that name: choose another name"
            )
        return cls(name, package)
