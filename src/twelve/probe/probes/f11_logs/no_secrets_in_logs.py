"""P1104 no-secrets-in-logs."""

from collections import Counter
from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, inconclusive, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f11_logs._leaks import LeakFinder

_SHOWN = 10
_SHOWN_CHARS = 300


@probe(
    id="P1104",
    name="no-secrets-in-logs",
    factor=11,
    severity=Severity.ERROR,
    summary="No secret value ever appears in anything the process wrote during the run",
    remediation="Never log values of secret keys; redact them in the logger as a safety net.",
    kinds=("web", "worker"),
    final=True,
)
def no_secrets_in_logs(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Runs after every other probe. Every secret the run handed to any instance is a fresh
    canary; this probe searches everything every instance of the process wrote during the
    whole run (stdout and stderr: normal starts, broken config, shutdowns, crashes) for
    any canary, raw, URL-encoded or base64-encoded (standard or URL-safe, padded or not,
    also inside a longer encoded string).

    ## Why is this bad?
    Logs are shipped, indexed, retained for months and readable by far more people and
    systems than the secret store. One logged connection string at startup, or an echoed
    bad value in a config error, puts the production password in all of them.

    ## Example
    ```python
    log.info("connecting", database_url=settings.database_url)
    ```

    ## Use instead
    ```python
    log.info("connecting", database=urlsplit(settings.database_url).hostname)
    ```

    ## Known problems
    Only values the run gave the process are known; a secret the service reads from a
    file or computes is not looked for. Lines longer than 64 KiB are split by the harness,
    so a secret across a split is missed. Reports mask every canary in the evidence.
    """
    prefix = f"{service.name}#"
    outputs = [
        (label, line) for label, line in tuple(ctx.record.outputs) if label.startswith(prefix)
    ]
    canaries = frozenset(ctx.record.canaries.values)
    if not outputs:
        yield inconclusive("no output of this process was recorded during the run")
        return
    finder = LeakFinder(canaries)
    leaks = [(label, line, how) for label, line in outputs if (how := finder.find(line.text))]
    if not leaks:
        yield passed(f"no secret value in {len(outputs)} output lines ({len(canaries)} canaries)")
        return
    forms = Counter(how for _, _, how in leaks)
    shown = [
        f"{label} +{line.t:.2f} {line.stream} ({how}): {line.text[:_SHOWN_CHARS]}"
        for label, line, how in leaks[:_SHOWN]
    ]
    if len(leaks) > _SHOWN:
        shown.append(f"... {len(leaks) - _SHOWN} more")
    yield fail(
        f"a secret value appears in {len(leaks)} output lines"
        f" ({', '.join(f'{count} {how}' for how, count in forms.most_common())})",
        evidence=(Evidence("lines showing a secret (masked)", tuple(shown)),),
        secrets=canaries,
    )
