"""S0307 docs-current."""

from collections.abc import Iterator

from twelve.docs import RegionError, carry_over, render
from twelve.lint.facts import Facts
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail, not_applicable


@rule(
    id="S0307",
    name="docs-current",
    factor=3,
    severity=Severity.WARNING,
    summary="The generated runbook, config, observability or release doc, or .env.example, "
    "is stale or missing",
    remediation=(
        "Run `twelve docs` and commit the result; write hand-made text only inside the "
        "`twelve:begin custom` regions, which regeneration keeps."
    ),
)
def docs_current(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Regenerates the four operational documents (`runbook.md`, `config.md`,
    `observability.md`, `release.md` in the contract's `[docs] dir`, by default
    `docs/operations/`) and `.env.example` from the contract and the repository, exactly as
    `twelve docs` would, and compares them with the committed files. Text inside
    `twelve:begin custom NAME` / `twelve:end custom NAME` regions is hand-written and never
    compared. One finding per stale file, at its first differing line, and one per missing
    file. Not applicable without a contract.

    ## Why is this bad?
    The playbook makes these documents part of every change: a runbook, a config contract,
    an observability contract and a release plan. Written by hand they drift from the
    service; generated but not regenerated they drift just the same, and a stale
    `.env.example` sends the next developer off without a key the service now requires.

    ## Example
    ```toml
    [config.REDIS_URL]   # added to twelve.toml, docs/operations/config.md not regenerated
    type = "url"
    required = true
    ```

    ## Use instead
    ```sh
    twelve docs            # rewrites the generated parts, keeps the custom regions
    git add docs/operations .env.example
    ```

    ## Known problems
    Documents written elsewhere with `twelve docs --output-dir` are reported missing: set
    `[docs] dir` in twelve.toml instead. The documents also describe the Dockerfile, CI
    workflows, compose files and Procfile, so changing those makes them stale too.
    """
    contract, docs = facts.contract, facts.operations_docs
    if contract is None or docs is None:
        yield not_applicable("no contract")
        return
    paths = docs.paths()
    for name, generated in render(contract, facts).items():
        path = paths[name]
        current = docs.current.get(path)
        if current is None:
            yield fail(f"`{path}` is missing", Location(path))
            continue
        try:
            wanted = carry_over(generated, current)
        except RegionError as exc:
            yield fail(f"`{path}`: {exc.problem}", Location(path, exc.line))
            continue
        if wanted != current:
            line = _first_difference(current, wanted)
            yield fail(f"`{path}` is stale", Location(path, line))


def _first_difference(current: str, wanted: str) -> int:
    """The 1-based line where the two texts first differ."""
    have, want = current.splitlines(), wanted.splitlines()
    for number, (a, b) in enumerate(zip(have, want, strict=False), start=1):
        if a != b:
            return number
    return min(len(have), len(want)) + 1
