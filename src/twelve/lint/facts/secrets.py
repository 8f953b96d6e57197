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

# Each detector runs only on files containing one of its literal needles: Python's `re`
# has no literal-prefix search for these patterns, so a needle test first is what keeps a
# large repository cheap.
_DETECTORS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("private key", ("PRIVATE KEY",),
     re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS access key", ("AKIA", "ASIA"), re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{60,})\b")),
    ("Slack token", ("xox",), re.compile(r"\b(xox[abprs]-[A-Za-z0-9-]{10,})\b")),
    ("Stripe key", ("k_live_",), re.compile(r"\b([rs]k_live_[A-Za-z0-9]{20,})\b")),
    ("Google API key", ("AIza",), re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b")),
    ("JWT", ("eyJ",), re.compile(r"\b(eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,})\b")),
)  # fmt: skip
# URL credentials are matched from each `://`: the scheme before it, the password after.
_SCHEME_BEFORE = re.compile(r"[a-z][a-z0-9+.-]{0,30}$")
_CREDENTIALS_AFTER = re.compile(r"://[^\s:/@'\"]+:([^\s@/'\"]{3,})@[\w.-]")
# Assignments are found from their keyword: `str.find` locates each keyword in the lowered
# text, then this anchored pattern is tried there only.
_KEYWORDS = ("passw", "pwd", "secret", "token", "apikey", "api_key", "api-key", "accesskey",
             "access_key", "access-key", "privatekey", "private_key", "private-key", "authkey",
             "auth_key", "auth-key", "credential")  # fmt: skip
_ASSIGNMENT = re.compile(
    r"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|auth[_-]?key|credentials?)[\w.-]*[\"']?[ \t]*(?::=|=|:|=>)[ \t]*"
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


def _keyword_offsets(text: str) -> set[int]:
    """Where an assignment keyword starts (lowering keeps offsets for ASCII text only)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return {match.start() for match in _ASSIGNMENT.finditer(text)}
    offsets = set()
    for keyword in _KEYWORDS:
        at = lowered.find(keyword)
        while at >= 0:
            offsets.add(at)
            at = lowered.find(keyword, at + 1)
    return offsets


def find_secrets(path: str, text: str) -> Iterator[tuple[SecretHit, str]]:
    """Likely secrets in a file, each with its line's text (to build a masked snippet).

    Each detector runs once over the whole text, and only when one of its needles occurs;
    line numbers come from the offsets afterwards.

    Args:
        path: the repository path, for the hits.
        text: the file content.
    """
    # (phase, column offset, kind, value): detectors before the generic assignment, so a
    # token that both match is reported as what it is; a hit's column is where its match
    # starts (the URL for a URL password, the value for an assignment).
    candidates: list[tuple[int, int, str, str]] = []
    for kind, needles, pattern in _DETECTORS:
        if any(needle in text for needle in needles):
            for match in pattern.finditer(text):
                value = match.group(1) if pattern.groups else match.group(0)
                candidates.append((0, match.start(), kind, value))
    at = text.find("://")
    while at >= 0:
        scheme = _SCHEME_BEFORE.search(text, max(0, at - 31), at)
        credentials = _CREDENTIALS_AFTER.match(text, at)
        if scheme is not None and credentials is not None:
            candidates.append((0, scheme.start(), "URL password", credentials.group(1)))
        at = text.find("://", at + 3)
    for start in _keyword_offsets(text):
        assignment = _ASSIGNMENT.match(text, start)
        if assignment is not None and entropy(value := assignment.group(1)) >= MIN_ENTROPY:
            candidates.append((1, assignment.start(1), "secret assignment", value))
    if not candidates:
        return
    located = sorted(
        (text.count("\n", 0, offset) + 1, phase, offset, kind, value)
        for phase, offset, kind, value in candidates
    )
    seen: set[tuple[int, str]] = set()
    for number, _, offset, kind, value in located:
        if (number, value) in seen or _PLACEHOLDER.match(value):
            continue
        seen.add((number, value))
        line_start = text.rfind("\n", 0, offset) + 1
        line_end = len(text) if (end := text.find("\n", offset)) < 0 else end
        column = offset - line_start + 1
        yield SecretHit(path, number, column, kind, value), text[line_start:line_end]
