"""Redaction: remove every secret value, and every URL password, from a rendered log line.

It works on the final JSON bytes, not on the event dict: whatever field, nested object,
key, message or traceback text a secret ended up in, it is in those bytes. A secret inside
a JSON string appears JSON-escaped, so the escaped form of each value is what is searched.
One regex pass finds them all; the common case (nothing to redact) costs one search.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urlsplit

import orjson

from twelve.kit.secret import secret_forms

REDACTED = "[REDACTED]"
MIN_LENGTH = 4  # shorter values would match everywhere (digits in numbers, words)
_URL_PASSWORD = re.compile(rb"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s\"\\]*:)([^@/\s\"\\]+)(?=@)")
_NOTHING = re.compile(b"(?!)")
_URL_PASSWORD_TEXT = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s\"\\]*:)([^@/\s\"\\]+)(?=@)")


class Redactor:
    """Replaces secrets (in all their forms) and URL passwords with `[REDACTED]`.

    Args:
        secrets: raw secret values; a URL's password is added as a secret of its own,
            so it is found even when the URL is reformatted (a conninfo string).
    """

    __slots__ = ("_lock", "_needles", "_pattern", "_secrets", "_text_pattern")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[bytes] = _NOTHING
        self._needles: tuple[bytes, ...] = ()
        self._text_pattern: re.Pattern[str] | None = None
        self.add(secrets)

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
            forms = secret_forms(self._secrets)
            escaped = sorted({orjson.dumps(form)[1:-1] for form in forms}, key=lambda f: -len(f))
            self._pattern = re.compile(b"|".join(map(re.escape, escaped))) if escaped else _NOTHING
            # Detection only needs the forms that contain no other form: a URL holds its
            # password. Substring tests are far cheaper than the alternation regex.
            self._needles = tuple(f for f in escaped if not any(o != f and o in f for o in escaped))
            texts = re.compile("|".join(map(re.escape, forms))) if forms else None
            self._text_pattern = texts

    def __bool__(self) -> bool:
        return bool(self._needles)

    def line(self, data: bytes) -> bytes:
        """A rendered JSON line with secrets and URL passwords replaced.

        Args:
            data: the line, without its newline.
        """
        for needle in self._needles:
            if needle in data:
                data = self._pattern.sub(b"[REDACTED]", data)
                break
        if b"://" in data:
            data = _URL_PASSWORD.sub(rb"\1[REDACTED]", data)
        return data

    def text(self, text: str) -> str:
        """Plain text (a readable line) with secrets and URL passwords replaced.

        Args:
            text: any text.
        """
        if self._text_pattern is not None:
            text = self._text_pattern.sub(REDACTED, text)
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


def expand(secrets: Iterable[str]) -> set[str]:
    """The secrets worth searching for: each value, and the password of each URL value.

    Args:
        secrets: raw secret values.
    """
    found: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_LENGTH:
            found.add(secret)
        if "://" in secret:
            try:
                password = urlsplit(secret).password
            except ValueError:
                password = None
            for part in (password, unquote(password or "")):
                if part and len(part) >= MIN_LENGTH:
                    found.add(part)
    return found


REDACTOR = Redactor()  # the process's redactor: `setup_logging` fills it from the config
