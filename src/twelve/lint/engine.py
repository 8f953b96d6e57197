"""The lint run: collect facts once, run the selected rules, apply suppressions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from twelve import __version__, catalogue
from twelve.contract import Contract
from twelve.lint.baseline import Baseline
from twelve.lint.facts import Facts, collect
from twelve.lint.facts.suppressions import InlineSuppression
from twelve.model import Kind, Report, Result
from twelve.registry import Check

UNUSED_SUPPRESSION = "S0191"


@dataclass(frozen=True, slots=True)
class LintOptions:
    """How to run the lint.

    Args:
        select: IDs, names, prefixes or factors to run (empty: every stable rule).
        ignore: the same, to leave out.
        preview: include preview rules in broad selections.
        suppressions: honour inline, per-path and baseline suppressions.
        baseline: findings accepted earlier.
        jobs: worker processes for the file pass.
    """

    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    preview: bool = False
    suppressions: bool = True
    baseline: Baseline | None = None
    jobs: int | None = None


@dataclass(slots=True)
class _Suppressed:
    inline: int = 0
    per_path: int = 0
    baseline: int = 0
    used: set[InlineSuppression] = field(default_factory=set)


def lint(root: Path, contract: Contract | None, options: LintOptions) -> tuple[Report, Facts]:
    """Lint the repository at `root` and return the report and the facts it used.

    Args:
        root: the repository root.
        contract: the service contract, if any.
        options: selection and suppression settings.
    """
    # A selection is checked against every ID; without one, the probes need not be imported.
    registry = catalogue.load(None if options.select or options.ignore else Kind.RULE)
    checks = registry.select(
        options.select, options.ignore, kind=Kind.RULE, preview=options.preview
    )
    facts = collect(root, contract, jobs=options.jobs)
    results: list[Result] = []
    unused_check: Check | None = None
    for check in checks:
        if check.meta.id == UNUSED_SUPPRESSION:
            unused_check = check
        else:
            results.extend(check.run(facts))
    suppressed = _Suppressed()
    if options.suppressions:
        results = _apply(results, facts, contract, options.baseline, suppressed)
        if unused_check is not None:
            results.extend(unused_check.run(facts, frozenset(suppressed.used)))
    notes = _notes(facts, contract, suppressed)
    return Report(str(root), tuple(results), __version__, notes=notes), facts


def _apply(
    results: list[Result],
    facts: Facts,
    contract: Contract | None,
    baseline: Baseline | None,
    suppressed: _Suppressed,
) -> list[Result]:
    per_path = [
        (pathspec.GitIgnoreSpec.from_lines([pattern]), set(ids))
        for pattern, ids in (contract.lint.per_path_ignores.items() if contract else ())
    ]
    by_line: dict[tuple[str, int], list[InlineSuppression]] = {}
    for suppression in facts.suppressions:
        if suppression.reason:  # without a reason it suppresses nothing (and is reported)
            by_line.setdefault((suppression.path, suppression.target_line), []).append(suppression)
    kept = []
    for result in results:
        location = result.location
        names = {result.check.id, result.check.name}
        if not result.is_finding or location is None:
            kept.append(result)
            continue
        inline = [
            s for s in by_line.get((location.path, location.line or 0), []) if names & set(s.ids)
        ]
        if inline:
            suppressed.inline += 1
            suppressed.used.update(inline)
        elif any(ids & names and spec.match_file(location.path) for spec, ids in per_path):
            suppressed.per_path += 1
        elif baseline is not None and baseline.absorbs(result):
            suppressed.baseline += 1
        else:
            kept.append(result)
    return kept


def _notes(facts: Facts, contract: Contract | None, suppressed: _Suppressed) -> tuple[str, ...]:
    notes = []
    if contract is None:
        notes.append(
            "no twelve.toml: contract rules are not applicable; run `twelve init` to draft one"
        )
    total = suppressed.inline + suppressed.per_path + suppressed.baseline
    if total:
        notes.append(
            f"{total} finding(s) suppressed: {suppressed.inline} inline, "
            f"{suppressed.per_path} per-path, {suppressed.baseline} baseline"
        )
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(facts.tree.skipped.items()))
    notes.append(f"read {len(facts.files)} files" + (f"; skipped {skipped}" if skipped else ""))
    for problem in facts.problems[:10]:
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        notes.append(f"could not parse {where}: {problem.message}")
    if facts.scanned.broken_patterns:
        broken = ", ".join(sorted(facts.scanned.broken_patterns))
        notes.append(f"internal: ast-grep rejected the pattern(s) {broken}; please report it")
    if facts.scanned.unreadable:
        notes.append(f"could not read or parse: {', '.join(facts.scanned.unreadable[:5])}")
    return tuple(notes)
