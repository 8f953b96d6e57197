"""P0303 config-errors-reported-together."""

from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, inconclusive, not_applicable, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f03_config._breakage import (
    Breakage,
    invalid,
    missing,
    required_keys,
    typed_keys,
)
from twelve.probe.probes.f03_config._broken_start import start_all, start_broken


@probe(
    id="P0303",
    name="config-errors-reported-together",
    factor=3,
    severity=Severity.WARNING,
    summary="With two config keys broken, the one error message names both",
    remediation="Validate every key before exiting and report all problems in one message.",
    kinds=("web", "worker"),
    needs_start=False,  # a broken start is judged on its own, even when a good one fails
    budget=20.0,
)
def config_errors_reported_together(
    service: ProcessUnderTest, ctx: ProbeContext
) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance with two keys broken at once: a required key left out and a
    typed key set to an invalid value when the contract has both, else two missing or two
    invalid keys. The instance must exit and its output must name both keys. When it names
    only one, each unnamed key is tried alone: if the service does not report it alone
    either, the fault is not reporting it at all (see `fail-fast-missing-config` and
    `fail-fast-invalid-config`) and this probe is inconclusive.

    ## Why is this bad?
    A service that stops at the first problem makes a broken deploy a guessing game: fix
    one key, redeploy, wait for the crash, read the next error. With every problem in one
    message the operator fixes them in one go.

    ## Example
    ```python
    for key in REQUIRED:
        if key not in os.environ:
            sys.exit(f"config error: {key} is missing")   # stops at the first
    ```

    ## Use instead
    ```python
    problems = [f"{key} is missing" for key in REQUIRED if key not in os.environ]
    if problems:
        sys.exit("config error: " + "; ".join(problems))
    ```
    """
    pair = _pair(service, ctx)
    if pair is None:
        yield not_applicable("fewer than 2 config keys to break (required or typed)")
        return
    both = pair[0].plus(pair[1])
    start = start_broken(service, ctx, both)
    if not start.rejected:
        yield inconclusive(
            f"{both.label}: {start.problem()}; see fail-fast-missing/invalid-config",
            evidence=start.evidence,
        )
        return
    if not start.unnamed:
        yield passed(f"{both.label}: exit {start.exit_code}, output names both")
        return
    alone = [b for b in pair if b.names[0] in start.unnamed]
    reported_alone = [s for s in start_all(service, ctx, alone) if s.rejected and not s.unnamed]
    unnamed = ", ".join(start.unnamed)
    if not reported_alone:
        yield inconclusive(
            f"{both.label}: output never names {unnamed}, which is not reported even when"
            " broken alone; see fail-fast-missing/invalid-config",
            evidence=start.evidence,
        )
        return
    dropped = ", ".join(s.breakage.names[0] for s in reported_alone)
    yield fail(
        f"{both.label}: exit {start.exit_code}, output never names {dropped}"
        f" (it does when {dropped} is the only broken key)",
        evidence=start.evidence + tuple(e for s in reported_alone for e in s.evidence),
        secrets=start.secrets | {secret for s in reported_alone for secret in s.secrets},
    )


def _pair(service: ProcessUnderTest, ctx: ProbeContext) -> tuple[Breakage, Breakage] | None:
    """A missing required key and an invalid typed one when possible; else two of a kind."""
    keys = service.contract.keys()
    required = required_keys(service)
    port = service.process.port_env
    # Prefer plain keys for the invalid value: the port changes where "serving" is seen.
    typed = sorted(typed_keys(service), key=lambda name: (name == port, keys[name].secret))

    def broken(name: str) -> Breakage:
        return invalid(name, keys[name], ctx.record.canaries.new)[0]

    if required and (others := [name for name in typed if name != required[0]]):
        return missing(required[0]), broken(others[0])
    if len(required) >= 2:
        return missing(required[0]), missing(required[1])
    if len(typed) >= 2:
        return broken(typed[0]), broken(typed[1])
    return None
