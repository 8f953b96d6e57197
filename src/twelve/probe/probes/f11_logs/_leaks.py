"""Finding secret values in what a service wrote or answered, in every form they leak in.

A secret leaks raw, URL-encoded (a connection string in a query), or base64-encoded, often
inside a longer encoded string (`Authorization: Basic base64(user:secret)`), where its
encoding depends on where it falls in a 3-byte group. `leak_forms` covers all three offsets.

Not a probe itself: shared by the leak probes and no-secret-in-config-errors.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

# Characters of raw canaries, base64 and URL-safe base64; a leak lies inside a run of them.
_RUN_CHARS = "A-Za-z0-9+/=_-"
_ANCHOR = 12  # forms are found by their first characters, then compared whole
_ENCODERS: tuple[tuple[str, Callable[[bytes], bytes]], ...] = (
    ("base64", base64.b64encode),
    ("URL-safe base64", base64.urlsafe_b64encode),
)


def leak_forms(secret: str) -> dict[str, str]:
    """Every form of `secret` worth looking for, mapped to how it was encoded.

    Args:
        secret: the value (a canary) that must never appear.
    """
    forms = {secret: "raw"}
    for encoded in (quote(secret, safe=""), quote_plus(secret)):
        forms.setdefault(encoded, "URL-encoded")
    raw = secret.encode()
    for how, encode in _ENCODERS:
        whole = encode(raw).decode()
        forms.setdefault(whole, how)
        forms.setdefault(whole.rstrip("="), how)
        for offset in (1, 2):  # the secret starts mid-group inside a longer encoded string
            groups_from = 1
            groups_to = (offset + len(raw)) // 3
            if groups_to > groups_from:
                encoded = encode(b"\0" * offset + raw).decode()
                forms.setdefault(encoded[4 * groups_from : 4 * groups_to], how)
    return {form: how for form, how in forms.items() if len(form) >= min(_ANCHOR, len(secret))}


class LeakFinder:
    """Recognises any of a set of secrets, in any of their forms, in a piece of text.

    Args:
        secrets: the values that must never appear.
    """

    __slots__ = ("_anchor", "_anchors", "_other", "_run")

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: dict[str, str] = {}
        for secret in secrets:
            if secret:
                forms |= leak_forms(secret)
        self._anchor = min((len(form) for form in forms), default=_ANCHOR)
        self._anchor = min(self._anchor, _ANCHOR)
        in_runs = re.compile(f"[{_RUN_CHARS}]+")
        self._anchors: dict[str, list[tuple[str, str]]] = {}
        self._other: list[tuple[str, str]] = []  # forms with characters that end a run
        for form, how in forms.items():
            if in_runs.fullmatch(form):
                self._anchors.setdefault(form[: self._anchor], []).append((form, how))
            else:
                self._other.append((form, how))
        shortest = min((len(form) for form in forms), default=1)
        self._run = re.compile(f"[{_RUN_CHARS}]{{{shortest},}}")

    def __bool__(self) -> bool:
        return bool(self._anchors or self._other)

    def find(self, text: str) -> str | None:
        """How a secret appears in `text` ("raw", "base64", ...), or None when none does.

        Args:
            text: a line of output, a header or a body.
        """
        # One regex pass finds the candidate runs; only those are looked at character by
        # character, so thousands of lines times hundreds of canaries stay cheap.
        for match in self._run.finditer(text):
            run = match.group()
            for start in range(len(run) - self._anchor + 1):
                for form, how in self._anchors.get(run[start : start + self._anchor], ()):
                    if run.startswith(form, start):
                        return how
        for form, how in self._other:
            if form in text:
                return how
        return None
