"""Redaction: remove every secret value, and every URL password, from a rendered log line.

Two steps. Detection looks at the line's keys and values before rendering: a string is
searched once for any form of any secret (and for "://"), and remembered as clean, so the
field names and messages a service logs over and over cost a set lookup; anything it cannot
reason about (nested data, unknown types) sends the line to the second step. Replacement
works on the final JSON bytes: whatever key, nested value or traceback a secret is in, it
is in those bytes, JSON-escaped, so the escaped forms are what is replaced.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import cast
from urllib.parse import unquote, urlsplit

from twelve.kit.secret import secret_forms

REDACTED = "[REDACTED]"
MIN_LENGTH = 4  # shorter values would match everywhere (digits in numbers, words)
_CLEAN_CACHE = 4096  # strings remembered as clean; cleared when full or secrets change
_URL_PASSWORD = re.compile(rb"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s\"\\]*:)([^@/\s\"\\]+)(?=@)")
_URL_PASSWORD_TEXT = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s\"\\]*:)([^@/\s\"\\]+)(?=@)")
_URL = re.compile("://")
_UNIQUE = frozenset({"timestamp", "request_id", "trace_id", "span_id"})  # never remembered
_NUMBER = re.compile(r"^[0-9.eE+-]+$")


class Redactor:
    """Replaces secrets (in all their forms) and URL passwords with `[REDACTED]`.

    Args:
        secrets: raw secret values; a URL's password is added as a secret of its own,
            so it is found even when the URL is reformatted (a conninfo string).
    """

    __slots__ = ("_clean", "_lock", "_numeric", "_pattern", "_search", "_secrets", "_text")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[bytes] | None = None
        self._text: re.Pattern[str] | None = None
        self._search: re.Pattern[str] = _URL
        self._numeric = False
        self._clean: set[str] = set()
        self.set(secrets)

    @property
    def secrets(self) -> frozenset[str]:
        """The values searched for (each secret, and the password of each URL secret)."""
        return frozenset(self._secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Also redact `secrets` from now on.

        Args:
            secrets: raw secret values.
        """
        self.set([*self._secrets, *secrets])

    def set(self, secrets: Iterable[str]) -> None:
        """Redact exactly `secrets` (and URL passwords) from now on.

        Args:
            secrets: raw secret values.
        """
        with self._lock:
            self._secrets = expand(secrets)
            # A URL with a password is found by its password's forms; its own raw form is
            # kept so that the whole URL is replaced where it appears whole.
            urls = {s for s in self._secrets if _password(s)}
            forms = sorted(
                set(secret_forms(self._secrets - urls)) | urls, key=lambda f: (-len(f), f)
            )
            escaped = sorted({_json_form(form) for form in forms}, key=lambda f: -len(f))
            self._pattern = re.compile(b"|".join(map(re.escape, escaped))) if escaped else None
            self._text = re.compile("|".join(map(re.escape, forms))) if forms else None
            self._search = re.compile("|".join([*map(re.escape, forms), "://"]))
            self._numeric = any(_NUMBER.match(form) for form in forms)
            self._clean = set()

    def __bool__(self) -> bool:
        return self._pattern is not None

    def suspect(self, line: Mapping[str, object]) -> bool:
        """False when no key or value of `line` can hold a secret form or a URL.

        Args:
            line: the event's fields, before rendering.
        """
        clean, search, numeric = self._clean, self._search.search, self._numeric
        for key, value in line.items():
            if key not in clean:
                if search(key) is not None:
                    return True
                self._remember(key)
            kind = type(value)
            if kind is str:
                text = cast(str, value)
                if text not in clean:
                    if search(text) is not None:
                        return True
                    if key not in _UNIQUE:
                        self._remember(text)
            elif kind is int or kind is float:
                if numeric and search(str(value)) is not None:
                    return True
            elif kind is not bool and value is not None:
                return True  # nested or unknown: the rendered line is searched whole
        return False

    def suspect_text(self, texts: Iterable[str]) -> bool:
        """False when none of `texts` can hold a secret form or a URL.

        Args:
            texts: strings about to be logged.
        """
        clean = self._clean
        for text in texts:
            if text not in clean:
                if self._search.search(text) is not None:
                    return True
                self._remember(text)
        return False

    def _remember(self, text: str) -> None:
        if len(self._clean) >= _CLEAN_CACHE:
            self._clean = set()
        self._clean.add(text)

    def line(self, data: bytes) -> bytes:
        """A rendered JSON line with secrets and URL passwords replaced.

        Args:
            data: the line, without its newline.
        """
        pattern = self._pattern
        if pattern is not None and pattern.search(data) is not None:
            data = pattern.sub(b"[REDACTED]", data)
        if b"://" in data:
            data = _URL_PASSWORD.sub(rb"\1[REDACTED]", data)
        return data

    def text(self, text: str) -> str:
        """Plain text (a readable line) with secrets and URL passwords replaced.

        Args:
            text: any text.
        """
        if self._text is not None:
            text = self._text.sub(REDACTED, text)
        return _URL_PASSWORD_TEXT.sub(r"\1" + REDACTED, text) if "://" in text else text

    def value(self, value: object) -> object:
        """A JSON-able value with secrets replaced at any depth, in keys too.

        The fallback when a secret matched outside a JSON string (inside a number), where
        replacing bytes would break the line.

        Args:
            value: a decoded event or part of one.
        """
        walk: Callable[[object], object] = self.value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(key)): walk(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = str(value)
            return self.text(shown) if self.text(shown) != shown else value
        return value


def _json_form(form: str) -> bytes:
    """How orjson writes `form` inside a JSON string (imported with the first secret)."""
    import orjson  # noqa: PLC0415 -- a start that fails on its config never needs it

    return orjson.dumps(form)[1:-1]


def _password(value: str) -> str | None:
    if "://" not in value:
        return None
    try:
        return urlsplit(value).password
    except ValueError:
        return None


def expand(secrets: Iterable[str]) -> set[str]:
    """The secrets worth searching for: each value, and the password of each URL value.

    Args:
        secrets: raw secret values.
    """
    found: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_LENGTH:
            found.add(secret)
        password = _password(secret)
        for part in (password, unquote(password or "")):
            if part and len(part) >= MIN_LENGTH:
                found.add(part)
    return found


REDACTOR = Redactor()  # the process's redactor: `setup_logging` fills it from the config
