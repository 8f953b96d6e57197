"""P0301 fail-fast-missing-config."""

from collections.abc import Iterator

from twelve.model import Severity, Verdict, not_applicable
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f03_config._breakage import missing, required_keys
from twelve.probe.probes.f03_config._broken_start import judge, start_all


@probe(
    id="P0301",
    name="fail-fast-missing-config",
    factor=3,
    severity=Severity.ERROR,
    summary="Without a required config key the process exits non-zero at once, naming the key",
    remediation="Check every required key at startup; exit non-zero with a message naming it.",
    kinds=("web", "worker"),
    needs_start=False,  # a broken start is judged on its own, even when a good one fails
    budget=20.0,
)
def fail_fast_missing_config(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    For each required key of the config contract (except the process's port), starts a
    fresh instance without that key, all keys at once in parallel. Each must exit non-zero
    within `startup_timeout` (kept within 3-5 s) + 1 s, never accept a connection on its
    port, and name the missing key in its output (stdout or stderr). One verdict lists
    every key that went wrong and how.

    ## Why is this bad?
    A process that starts without its config fails later, on the first request that needs
    the value, far from the cause, or runs with a silent fallback in production. Failing at
    once, with the key's name, turns a broken deploy into a crash loop with an obvious
    message that the platform's rollout stops on.

    ## Example
    ```python
    DATABASE_URL = os.environ.get("DATABASE_URL", "")   # "" until the first query fails
    serve(app, port=int(os.environ["PORT"]))
    ```

    ## Use instead
    ```python
    missing = [key for key in ("DATABASE_URL", "API_TOKEN") if not os.environ.get(key)]
    if missing:
        sys.exit(f"config error: missing {', '.join(missing)}")   # exit 1, names the keys
    ```

    ## Known problems
    A key counts as named when its name appears as a whole word in any case
    (pydantic-settings reports `database_url`), so a message that merely mentions the
    word passes. The contract has no per-process key lists: a worker is tested with every
    required key but the web processes' ports.
    """
    keys = required_keys(service)
    if not keys:
        yield not_applicable("no required config keys (other than the port)")
        return
    starts = start_all(service, ctx, [missing(key) for key in keys])
    yield judge(service, ctx, starts, what="missing")
