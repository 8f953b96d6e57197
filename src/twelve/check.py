"""`twelve check`: the lint (which includes the documents' drift) and the probe, one verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from twelve import __version__, catalogue
from twelve.contract import Contract
from twelve.lint.engine import LintOptions, lint
from twelve.model import Kind, Report, Result
from twelve.probe.runner import ProbeOptions, Progress, probe_service
from twelve.scorecard import scorecard


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How to run the whole check.

    Args:
        lint: lint options; `select`/`ignore` hold tokens for rules and probes alike.
        probe: probe options (its own `select`/`ignore` are taken from `lint`'s).
        static_only: skip the probe.
    """

    lint: LintOptions = field(default_factory=LintOptions)
    probe: ProbeOptions = field(default_factory=ProbeOptions)
    static_only: bool = False


def check(
    root: Path,
    contract: Contract | None,
    options: CheckOptions,
    *,
    progress: Progress | None = None,
) -> Report:
    """Lint and probe the service at `root`, then judge the run against the Done checklist.

    Args:
        root: the service directory.
        contract: its contract, if any (without one the probe cannot run).
        options: what to run.
        progress: probe progress callback.
    """
    select, ignore = options.lint.select, options.lint.ignore
    results: list[Result] = []
    notes: list[str] = []
    secrets: set[str] = set()
    rules = _tokens(select, Kind.RULE)
    if rules is not None:
        lint_options = replace(options.lint, select=rules, ignore=_tokens(ignore, Kind.RULE) or [])
        static, _ = lint(root, contract, lint_options)
        results += static.results
        notes += static.notes
    probes = _tokens(select, Kind.PROBE)
    if options.static_only:
        notes.append("probe skipped (--static-only): dynamic checks are not counted")
    elif contract is None:
        notes.append("probe skipped: no twelve.toml to start the service from")
    elif probes is not None:
        probe_options = replace(options.probe, select=probes,
                                ignore=_tokens(ignore, Kind.PROBE) or [])  # fmt: skip
        dynamic = probe_service(root, contract, probe_options, progress=progress)
        results += dynamic.results
        notes += dynamic.notes
        secrets |= dynamic.secrets
    return Report(
        target=str(root),
        results=tuple(results),
        tool_version=__version__,
        notes=tuple(notes),
        secrets=frozenset(secrets),
        scorecard=scorecard(results),
    )


def _tokens(tokens: Sequence[str], kind: Kind) -> list[str] | None:
    """The tokens that select checks of `kind`; None when tokens were given but none does.

    `--select S11,P09` runs rule S11xx in the lint and probe P09xx in the probe; a factor
    number selects both. An unknown token raises SelectionError.
    """
    registry = catalogue.load()
    kept = [t for t in tokens if registry.select([t], kind=kind, preview=True)]
    return None if tokens and not kept else kept
