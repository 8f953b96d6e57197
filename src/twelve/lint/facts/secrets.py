"""Secrets committed to files: keyword-prefiltered detectors plus an entropy test.

Only lines that contain a trigger (a keyword or a token prefix) are examined, which is what
makes this cheap enough to run on every file of a large repository.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

_TRIGGERS = (
    "key", "secret", "token", "passw", "pwd", "auth", "credential", "private", "akia", "asia",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "sk_live", "rk_live", "aiza",
    "eyj", "://",
)  # fmt: skip
_DETECTORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS access key", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{60,})\b")),
    ("Slack token", re.compile(r"\b(xox[abprs]-[A-Za-z0-9-]{10,})\b")),
    ("Stripe key", re.compile(r"\b([rs]k_live_[A-Za-z0-9]{20,})\b")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b")),
    ("JWT", re.compile(r"\b(eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,})\b")),
    ("URL password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"]{3,})@[\w.-]")),
)
_ASSIGNMENT = re.compile(
    r"(?i)\b[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|auth[_-]?key|credentials?)[\w.-]*[\"']?\s*(?::=|=|:|=>)\s*"
    r"[\"'`]([^\"'`\s]{8,})[\"'`]"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:\$\{?\w+\}?|\{\{.*\}\}|\{\w*\}|<[^>]*>|%\(?\w*\)?s?|x{3,}|\*{3,}|\.{3,}|"
    r"(?:your|my|some|example|sample|dummy|fake|test|change|replace|placeholder|redacted|"
    r"secret|password|changeme|todo)[\w-]*)$"
)
MIN_ENTROPY = 3.0


@dataclass(frozen=True, slots=True)
class SecretHit:
    """A likely secret at a place in a file. `secret` is carried only so reports can mask it."""

    path: str
    line: int
    column: int
    kind: str
    secret: str

    def masked_line(self, text: str) -> str:
        """The line with the secret replaced, for a snippet."""
        return text.replace(self.secret, "*" * 8).strip()[:200]


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def find_secrets(path: str, text: str) -> Iterator[tuple[SecretHit, str]]:
    """Likely secrets in a file, each with its line's text (to build a masked snippet).

    Args:
        path: the repository path, for the hits.
        text: the file content.
    """
    lowered = text.lower()
    if not any(trigger in lowered for trigger in _TRIGGERS):
        return
    for number, line in enumerate(text.splitlines(), start=1):
        low = line.lower()
        if not any(trigger in low for trigger in _TRIGGERS):
            continue
        seen: set[str] = set()
        for kind, pattern in _DETECTORS:
            for match in pattern.finditer(line):
                value = match.group(1) if pattern.groups else match.group(0)
                if value not in seen and not _PLACEHOLDER.match(value):
                    seen.add(value)
                    yield SecretHit(path, number, match.start() + 1, kind, value), line
        for match in _ASSIGNMENT.finditer(line):
            value = match.group(1)
            if value in seen or _PLACEHOLDER.match(value) or entropy(value) < MIN_ENTROPY:
                continue
            seen.add(value)
            yield SecretHit(path, number, match.start(1) + 1, "secret assignment", value), line
