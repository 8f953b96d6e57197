"""The vocabulary every part of twelve shares: factors, outcomes, checks, results, reports."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twelve.scorecard import Scorecard


class Factor(enum.IntEnum):
    """The twelve factors, numbered as in the Twelve-Factor App."""

    CODEBASE = 1
    DEPENDENCIES = 2
    CONFIG = 3
    BACKING_SERVICES = 4
    BUILD_RELEASE_RUN = 5
    PROCESSES = 6
    PORT_BINDING = 7
    CONCURRENCY = 8
    DISPOSABILITY = 9
    DEV_PROD_PARITY = 10
    LOGS = 11
    ADMIN_PROCESSES = 12

    @property
    def roman(self) -> str:
        """The factor's Roman numeral, as the playbook writes it."""
        return _ROMAN[self.value]

    @property
    def title(self) -> str:
        """The factor's human name ("Backing services")."""
        return _TITLES[self.value]


_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_TITLES = (
    "",
    "Codebase",
    "Dependencies",
    "Config",
    "Backing services",
    "Build, release, run",
    "Processes",
    "Port binding",
    "Concurrency",
    "Disposability",
    "Dev/prod parity",
    "Logs",
    "Admin processes",
)


class Severity(enum.StrEnum):
    """How much a failed check matters; `--fail-on` compares against it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Outcome(enum.StrEnum):
    """What a check concluded. "Couldn't tell" is never a failure."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"


class Lifecycle(enum.StrEnum):
    """New checks start in preview and are opt-in until promoted to stable."""

    PREVIEW = "preview"
    STABLE = "stable"


class Kind(enum.StrEnum):
    """Static rules read the repository; probes run the service."""

    RULE = "rule"
    PROBE = "probe"


@dataclass(frozen=True, slots=True)
class CheckDocs:
    """A check's documentation, under ruff's headings."""

    what_it_does: str
    why_is_this_bad: str
    example: str
    use_instead: str
    known_problems: str = ""


@dataclass(frozen=True, slots=True)
class CheckMeta:
    """Everything permanent about a check: its identity and its documentation.

    Args:
        id: permanent ID, `S<factor><seq>` for rules and `P<factor><seq>` for probes.
        name: kebab-case display name; may be renamed, the ID may not.
        kind: rule or probe.
        factor: the factor it enforces.
        severity: the default severity of its failures.
        lifecycle: preview checks run only when selected explicitly.
        summary: one line for listings.
        docs: the full documentation.
        remediation: what to do about a failure, in one or two sentences.
    """

    id: str
    name: str
    kind: Kind
    factor: Factor
    severity: Severity
    lifecycle: Lifecycle
    summary: str
    docs: CheckDocs
    remediation: str


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the repository; lines and columns are 1-based."""

    path: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    snippet: str | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a probe saw: a titled block of lines (a timeline, output, an HTTP exchange)."""

    title: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    """One check's conclusion about one thing.

    Args:
        check: the check that produced it.
        outcome: pass, fail, not applicable, inconclusive or error.
        message: terse, specific ("`print` found", "exited 0 after 11.02 s").
        location: where, for static findings.
        evidence: what was seen, for probes.
        secrets: values this result knows to be secret; every report masks them.
        duration: seconds the check took, when measured.
    """

    check: CheckMeta
    outcome: Outcome
    message: str
    location: Location | None = None
    evidence: tuple[Evidence, ...] = ()
    secrets: frozenset[str] = frozenset()
    duration: float | None = None

    @property
    def severity(self) -> Severity:
        """The check's severity."""
        return self.check.severity

    @property
    def is_finding(self) -> bool:
        """True for a failure or an error: something a person has to look at."""
        return self.outcome in (Outcome.FAIL, Outcome.ERROR)


@dataclass(frozen=True, slots=True)
class Report:
    """The results of one run, in the order the checks ran.

    Args:
        target: the directory that was checked.
        results: every result, passes included.
        tool_version: twelve's version.
        notes: run-level remarks for people (e.g. "no contract: run `twelve init`").
        secrets: values every format masks (the probe's canaries).
        scorecard: the Done checklist and factor scores, for `twelve check`.
    """

    target: str
    results: tuple[Result, ...]
    tool_version: str
    notes: tuple[str, ...] = ()
    secrets: frozenset[str] = field(default=frozenset())
    scorecard: Scorecard | None = None

    def counts(self) -> dict[Outcome, int]:
        """The number of results per outcome, every outcome present."""
        counts = dict.fromkeys(Outcome, 0)
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    def findings(self, at_least: Severity | None = None) -> Iterator[Result]:
        """Failures and errors, optionally only those at or above a severity."""
        for result in self.results:
            if result.is_finding and (at_least is None or result.severity.rank >= at_least.rank):
                yield result

    def all_secrets(self) -> frozenset[str]:
        """Every secret known to the run or any of its results."""
        found = set(self.secrets)
        for result in self.results:
            found |= result.secrets
        return frozenset(found)

    def with_results(self, results: Iterable[Result]) -> Report:
        """A copy with other results."""
        return replace(self, results=tuple(results))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a check function yields; the runner attaches the check and makes it a `Result`."""

    outcome: Outcome
    message: str
    location: Location | None = None
    evidence: tuple[Evidence, ...] = ()
    secrets: frozenset[str] = frozenset()


def fail(
    message: str,
    location: Location | None = None,
    *,
    evidence: Iterable[Evidence] = (),
    secrets: Iterable[str] = (),
) -> Verdict:
    """A failure, at a location (rules) or with evidence (probes)."""
    return Verdict(Outcome.FAIL, message, location, tuple(evidence), frozenset(secrets))


def passed(message: str, *, evidence: Iterable[Evidence] = ()) -> Verdict:
    """An explicit pass with a message worth showing (e.g. "ready in 0.42 s")."""
    return Verdict(Outcome.PASS, message, None, tuple(evidence))


def not_applicable(reason: str) -> Verdict:
    """The check has nothing to look at here (no Dockerfile, no contract, ...)."""
    return Verdict(Outcome.NOT_APPLICABLE, reason)


def inconclusive(reason: str, *, evidence: Iterable[Evidence] = ()) -> Verdict:
    """The check could not tell; never counted as a pass or a failure."""
    return Verdict(Outcome.INCONCLUSIVE, reason, None, tuple(evidence))


class CheckInconclusive(Exception):
    """Raised inside a check that cannot tell; the registry turns it into an inconclusive result.

    Args:
        reason: why it could not tell.
        evidence: what was seen on the way.
    """

    def __init__(self, reason: str, evidence: Iterable[Evidence] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = tuple(evidence)
