"""P0302 fail-fast-invalid-config."""

from collections.abc import Iterator

from twelve.model import Severity, Verdict, not_applicable
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f03_config._breakage import invalid, typed_keys
from twelve.probe.probes.f03_config._broken_start import judge, start_all


@probe(
    id="P0302",
    name="fail-fast-invalid-config",
    factor=3,
    severity=Severity.ERROR,
    summary="With an invalid typed config value the process exits non-zero at once, naming the key",
    remediation="Parse and validate every typed key at startup; exit non-zero naming the bad key.",
    kinds=("web", "worker"),
    needs_start=False,  # a broken start is judged on its own, even when a good one fails
    budget=20.0,
)
def fail_fast_invalid_config(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    For each key with a checkable type (int, float, port, bool, enum, url, duration; the
    process's own port included), starts a fresh instance with one invalid value for it:
    `not-a-number`, `99999` and `http` for a port, `maybe`, `not-a-choice`, a URL with a
    scheme the contract does not allow (`not a url` when it allows any), `soon`. Invalid
    values of secret keys embed a fresh canary, so an echo is caught by
    `no-secret-in-config-errors` and the leak probes. Each start must exit non-zero within
    `startup_timeout` (kept within 3-5 s) + 1 s, never accept connections (with a broken
    port: on any port) and name the key in its output.

    ## Why is this bad?
    A value that is silently ignored, clamped or replaced by a default makes the process
    run with config nobody chose: a pool of 10 instead of "1O", debug logging in
    production, a feature flag that is never on. Rejecting it at startup, with the key's
    name, makes the mistake visible in the deploy that introduced it.

    ## Example
    ```python
    try:
        max_connections = int(os.environ.get("MAX_CONNECTIONS", "10"))
    except ValueError:
        max_connections = 10   # "1O" silently becomes 10
    ```

    ## Use instead
    ```python
    raw = os.environ.get("MAX_CONNECTIONS", "10")
    if not raw.isdigit():
        sys.exit("config error: MAX_CONNECTIONS is not an integer")
    max_connections = int(raw)
    ```

    ## Known problems
    A key counts as named when its name appears as a whole word in any case, so a generic
    runtime error that happens to contain the word (`port must be 0-65535`) passes for
    `PORT`. Plain string keys have no invalid value and are not tested.
    """
    breakages = [
        breakage
        for name in typed_keys(service)
        for breakage in invalid(name, service.contract.keys()[name], ctx.record.canaries.new)
    ]
    if not breakages:
        yield not_applicable("no config keys with a checkable type")
        return
    yield judge(service, ctx, start_all(service, ctx, breakages), what="invalid")
