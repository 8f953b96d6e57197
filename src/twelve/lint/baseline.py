"""Baselines: accept today's findings so only new ones fail, keyed by content, not line.

A finding's key is its rule, its path, its normalised snippet and a hash of any secret it
holds. Moving a line keeps it baselined; a new secret on a baselined line does not.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from twelve.model import Result

VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


def fingerprint(result: Result) -> str:
    """The content key of a finding."""
    location = result.location
    snippet = re.sub(r"\s+", " ", (location.snippet or "") if location else "").strip()
    path = location.path if location else ""
    secrets = sorted(hashlib.sha256(s.encode()).hexdigest() for s in result.secrets)
    material = "\0".join([result.check.id, path, snippet or result.message, *secrets])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


@dataclass(slots=True)
class Baseline:
    """Known findings, as a multiset of fingerprints (two equal lines need two entries)."""

    entries: Counter[str]

    @classmethod
    def of(cls, results: Iterable[Result]) -> Baseline:
        """A baseline accepting these findings."""
        return cls(Counter(fingerprint(r) for r in results if r.is_finding))

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline file written by `write`."""
        try:
            data = orjson.loads(path.read_bytes())
            if data.get("version") != VERSION:
                raise BaselineError(f"{path}: unsupported baseline version {data.get('version')}")
            return cls(Counter({e["fingerprint"]: int(e["count"]) for e in data["findings"]}))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise BaselineError(f"{path}: not a twelve baseline ({exc})") from None

    def write(self, path: Path, results: Iterable[Result]) -> None:
        """Save, with each entry's rule and path for people reading diffs."""
        described = {fingerprint(r): r for r in results if r.is_finding}
        findings = [
            {
                "fingerprint": key,
                "count": count,
                "id": described[key].check.id,
                "path": (loc.path if (loc := described[key].location) else ""),
            }
            for key, count in sorted(self.entries.items())
            if key in described
        ]
        data = {"version": VERSION, "findings": findings}
        path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")

    def absorbs(self, result: Result) -> bool:
        """Consume one entry matching the finding; False when it is new."""
        key = fingerprint(result)
        if self.entries[key] > 0:
            self.entries[key] -= 1
            return True
        return False
