"""A secret config value that never shows itself, and the texts redaction must look for."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Generic, TypeVar
from urllib.parse import quote, quote_plus

T = TypeVar("T")
MASK = "**********"


class Secret(Generic[T]):
    """A config value of a secret key: `repr`, `str` and f-strings show `**********`.

    Like pydantic's `SecretStr`, the value is only reachable through `get_secret_value()`,
    so printing a config object or an exception that holds one never leaks it.

    Args:
        value: the typed value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def get_secret_value(self) -> T:
        """The value itself; never log it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and bool(self._value == other._value)

    def __hash__(self) -> int:
        return hash(self._value)


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Every form a secret value leaks in: raw, URL-encoded and base64 (also mid-string).

    A value is found raw in a message, percent-encoded in a URL query, and base64-encoded
    in an `Authorization: Basic` header, where its encoding depends on its offset inside
    the encoded string, so the inner groups of each offset are listed as well. Longest
    first, so a regex alternation prefers the whole form.

    Args:
        secrets: the raw secret values; empty ones are skipped.
    """
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.update((secret, quote(secret, safe=""), quote_plus(secret)))
        raw = secret.encode()
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encode(raw).decode().rstrip("="))
            for offset in (1, 2):
                groups = (offset + len(raw)) // 3
                if groups > 1:
                    forms.add(encode(b"\0" * offset + raw).decode()[4 : 4 * groups])
    # Short base64 fragments would match too much; a secret's own raw form is always kept.
    kept = {form for form in forms if len(form) >= 8 or form in secrets}
    return sorted(kept, key=lambda form: (-len(form), form))
