"""The check catalogue: permanent IDs, documentation, and selection by ID, name or factor."""

from __future__ import annotations

import inspect
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from twelve.model import (
    CheckDocs,
    CheckInconclusive,
    CheckMeta,
    Factor,
    Kind,
    Lifecycle,
    Outcome,
    Result,
    Severity,
    Verdict,
)

CheckFunction = Callable[..., Iterable[Verdict]]

_ID = re.compile(r"^(?P<kind>[SP])(?P<factor>\d{2})(?P<seq>\d{2})$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_HEADINGS = {
    "What it does": "what_it_does",
    "Why is this bad?": "why_is_this_bad",
    "Example": "example",
    "Use instead": "use_instead",
    "Known problems": "known_problems",
}
_ROMAN = {factor.roman: factor for factor in Factor}


class RegistryError(ValueError):
    """A check was declared wrongly (duplicate ID, bad name, missing docs)."""


class SelectionError(ValueError):
    """A `--select`/`--ignore` token matches no check."""


@dataclass(frozen=True, slots=True)
class Check:
    """A check's metadata and the function that implements it."""

    meta: CheckMeta
    function: CheckFunction

    def run(self, *args: Any) -> list[Result]:
        """Run the check; a crash becomes one `error` result, never an exception.

        Args:
            args: what the check function takes (facts for rules; service and context
                for probes).
        """
        started = time.monotonic()
        try:
            verdicts = list(self.function(*args))
        except CheckInconclusive as exc:
            verdicts = [Verdict(Outcome.INCONCLUSIVE, exc.reason, evidence=exc.evidence)]
        except Exception as exc:  # noqa: BLE001 -- a broken check must not abort the run
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
            verdicts = [Verdict(Outcome.ERROR, f"check crashed: {type(exc).__name__} at {where}")]
        if not verdicts:
            verdicts = [Verdict(Outcome.PASS, "no findings")]
        elapsed = time.monotonic() - started
        return [
            Result(
                check=self.meta,
                outcome=verdict.outcome,
                message=verdict.message,
                location=verdict.location,
                evidence=verdict.evidence,
                secrets=verdict.secrets,
                duration=elapsed,
            )
            for verdict in verdicts
        ]


def parse_docs(docstring: str | None) -> CheckDocs:
    """Split a check function's docstring into ruff's documentation sections.

    Args:
        docstring: text with `## What it does`, `## Why is this bad?`, `## Example` and
            `## Use instead` headings (and optionally `## Known problems`).
    """
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in inspect.cleandoc(docstring or "").splitlines():
        heading = line.removeprefix("## ").strip() if line.startswith("## ") else None
        if heading is not None and heading in _HEADINGS:
            current = sections.setdefault(_HEADINGS[heading], [])
        elif current is not None:
            current.append(line)
    missing = [h for h, key in _HEADINGS.items() if key != "known_problems" and key not in sections]
    if missing:
        raise RegistryError(f"docs lack the section(s): {', '.join(missing)}")
    text = {key: "\n".join(lines).strip() for key, lines in sections.items()}
    return CheckDocs(**text)


class Registry:
    """All checks, by permanent ID; rejects duplicate IDs and names."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}
        self._names: dict[str, str] = {}

    def __iter__(self) -> Iterator[Check]:
        return iter(sorted(self._checks.values(), key=lambda check: check.meta.id))

    def __len__(self) -> int:
        return len(self._checks)

    def add(self, check: Check) -> Check:
        """Register a check after validating its identity."""
        meta = check.meta
        match = _ID.match(meta.id)
        if match is None:
            raise RegistryError(f"{meta.id!r} is not an ID like S0301 or P0902")
        expected_kind = Kind.RULE if match["kind"] == "S" else Kind.PROBE
        if meta.kind is not expected_kind or int(match["factor"]) != meta.factor:
            raise RegistryError(f"{meta.id} does not match its kind {meta.kind} / factor")
        if not _NAME.match(meta.name):
            raise RegistryError(f"{meta.name!r} is not a kebab-case name")
        if meta.id in self._checks:
            raise RegistryError(f"duplicate check ID {meta.id}")
        if meta.name in self._names:
            raise RegistryError(f"duplicate check name {meta.name} ({self._names[meta.name]})")
        if not meta.remediation.strip() or not meta.summary.strip():
            raise RegistryError(f"{meta.id} needs a summary and a remediation")
        self._checks[meta.id] = check
        self._names[meta.name] = meta.id
        return check

    def get(self, key: str) -> Check:
        """One check by ID or name (case-insensitive ID)."""
        if key.upper() in self._checks:
            return self._checks[key.upper()]
        if key in self._names:
            return self._checks[self._names[key]]
        raise KeyError(key)

    def select(
        self,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        *,
        kind: Kind | None = None,
        preview: bool = False,
    ) -> list[Check]:
        """The checks a run should execute.

        Args:
            select: IDs, names, ID prefixes (`S03`, `P`) or factor numbers (`3`, `III`);
                empty means every stable check. A preview check runs only when `preview`
                is set or it is selected by its exact ID or name.
            ignore: tokens of the same forms, removed from the selection.
            kind: only rules or only probes.
            preview: include preview checks in broad selections.
        """
        pool = [check for check in self if kind is None or check.meta.kind is kind]
        if select:
            chosen = {c.meta.id for token in select for c in self._matching(token, pool, preview)}
        else:
            chosen = {c.meta.id for c in pool if preview or c.meta.lifecycle is Lifecycle.STABLE}
        dropped = {c.meta.id for token in ignore for c in self._matching(token, pool, True)}
        return [check for check in pool if check.meta.id in chosen - dropped]

    def _matching(self, token: str, pool: list[Check], preview: bool) -> list[Check]:
        token = token.strip()
        exact = [c for c in pool if token.upper() == c.meta.id or token == c.meta.name]
        if exact:
            return exact
        factor = _factor_of(token)
        broad = [
            c
            for c in pool
            if (factor is not None and c.meta.factor == factor)
            or (factor is None and c.meta.id.startswith(token.upper()))
        ]
        if not broad and not any(c.meta.id.startswith(token.upper()) for c in self):
            raise SelectionError(f"{token!r} matches no check (see `twelve rules`)")
        return [c for c in broad if preview or c.meta.lifecycle is Lifecycle.STABLE]


def _factor_of(token: str) -> Factor | None:
    if token.isdigit() and 1 <= int(token) <= 12:
        return Factor(int(token))
    return _ROMAN.get(token.upper())


def declare(
    registry: Registry,
    *,
    id: str,  # noqa: A002 -- "id" is the domain word for a check's permanent identifier
    name: str,
    factor: int,
    severity: Severity,
    summary: str,
    remediation: str,
    lifecycle: Lifecycle = Lifecycle.STABLE,
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorate a check function to register it; its docstring holds the documentation.

    Args:
        registry: where to register (the rule or probe catalogue).
        id: permanent ID; never derived from the name, never reused.
        name: kebab-case name.
        factor: 1-12.
        severity: default severity of a failure.
        summary: one line for listings.
        remediation: what to do about a failure.
        lifecycle: preview (opt-in) or stable.
    """
    kind = Kind.RULE if id.startswith("S") else Kind.PROBE

    def register(function: CheckFunction) -> CheckFunction:
        meta = CheckMeta(
            id=id,
            name=name,
            kind=kind,
            factor=Factor(factor),
            severity=severity,
            lifecycle=lifecycle,
            summary=summary,
            docs=parse_docs(function.__doc__),
            remediation=remediation,
        )
        registry.add(Check(meta, function))
        return function

    return register
