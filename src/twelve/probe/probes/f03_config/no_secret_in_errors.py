"""P0304 no-secret-in-config-errors."""

from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, inconclusive, not_applicable, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f03_config._breakage import (
    Breakage,
    invalid,
    malformed_secret,
    missing,
    required_keys,
    typed_keys,
)
from twelve.probe.probes.f03_config._broken_start import BrokenStart, start_all
from twelve.probe.probes.f11_logs._leaks import LeakFinder

_SHOWN = 10


@probe(
    id="P0304",
    name="no-secret-in-config-errors",
    factor=3,
    severity=Severity.ERROR,
    summary="A config error never prints a secret value, not even a malformed one",
    remediation="Name the broken key and what was expected; never print its value.",
    kinds=("web", "worker"),
    needs_start=False,  # a broken start is judged on its own, even when a good one fails
    budget=20.0,
)
def no_secret_in_config_errors(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    For each secret key whose type can be malformed (a URL, a number, ...), starts a fresh
    instance with that key set to a malformed value that embeds a fresh canary
    (`not-a-url-<canary>`). When no secret can be malformed (plain strings), it starts one
    instance with another key broken while every secret holds a canary. In every start,
    no canary may appear in stdout or stderr: not raw, not URL-encoded, not base64-encoded.

    ## Why is this bad?
    Config errors land in crash logs, CI output and chat alerts that many people read and
    nobody treats as secret. A validator that quotes the bad value ("expected a postgres
    URL, got 'mysql://app:hunter2@db/app'") publishes the password that was one typo away
    from being right.

    ## Example
    ```python
    raise SystemExit(f"DATABASE_URL must be a postgres URL, got {url!r}")
    ```

    ## Use instead
    ```python
    raise SystemExit("config error: DATABASE_URL must be a postgres:// URL")
    ```

    ## Known problems
    A service that accepts the malformed value and starts is still checked: nothing it
    printed may contain the canary. When no start produced a config error (a non-zero exit
    whose output names the broken key), the probe is inconclusive.
    """
    keys = service.contract.keys()
    secrets = [name for name in service.contract.secret_keys() if name in keys]
    if not secrets:
        yield not_applicable("no secret config keys")
        return
    breakages = []
    for name in secrets:
        if malformed_secret(keys[name], "probe") is None:
            continue  # a plain string: nothing is malformed
        canary = ctx.record.canaries.new()
        if (value := malformed_secret(keys[name], canary)) is not None:
            label = f"{name} (malformed {keys[name].type})"
            breakages.append(
                Breakage(label, overrides=((name, value),), names=(name,), canaries=(canary,))
            )
    if not breakages:  # nothing to malform: break another key while the secrets hold canaries
        if (other := _other_key(service, ctx, set(secrets))) is None:
            yield inconclusive("no other key to break while the secrets hold canaries")
            return
        breakages.append(other)
    starts = start_all(service, ctx, breakages)
    leaks = [(start, lines) for start in starts if (lines := _leaked_lines(start))]
    if leaks:
        what = "; ".join(f"{s.breakage.label}: {len(lines)} line(s)" for s, lines in leaks)
        yield fail(
            f"a secret value appears in the output: {what}",
            evidence=[e for start, lines in leaks for e in _evidence(start, lines)],
            secrets=[secret for start, _ in leaks for secret in start.secrets],
        )
    elif not any(start.rejected and not start.unnamed for start in starts):
        labels = ", ".join(start.breakage.label for start in starts)
        yield inconclusive(
            f"no config error to inspect: {labels} did not make it exit non-zero"
            " with a message naming the key",
            evidence=[e for start in starts for e in start.evidence],
        )
    else:
        labels = ", ".join(start.breakage.label for start in starts)
        count = sum(len(start.output) for start in starts)
        yield passed(f"{labels}: no secret value in {count} output line(s)")


def _other_key(service: ProcessUnderTest, ctx: ProbeContext, secrets: set[str]) -> Breakage | None:
    """A non-secret key to break: a missing required one, else an invalid typed one."""
    keys = service.contract.keys()
    if plain := [name for name in required_keys(service) if name not in secrets]:
        return missing(plain[0])
    if typed := [name for name in typed_keys(service) if name not in secrets]:
        return invalid(typed[0], keys[typed[0]], ctx.record.canaries.new)[0]
    if len(secrets) > 1 and (required := [n for n in required_keys(service) if n in secrets]):
        return missing(required[0])  # the other secrets still hold their canaries
    return None


def _leaked_lines(start: BrokenStart) -> list[tuple[int, str]]:
    """(line number, how) of every output line showing a secret of this start."""
    finder = LeakFinder(start.secrets)
    return [
        (number, how)
        for number, line in enumerate(start.output, 1)
        if (how := finder.find(line.text)) is not None
    ]


def _evidence(start: BrokenStart, lines: list[tuple[int, str]]) -> tuple[Evidence, ...]:
    shown = [
        f"line {number} ({how}) {start.output[number - 1].stream}:"
        f" {start.output[number - 1].text[:300]}"
        for number, how in lines[:_SHOWN]
    ]
    if len(lines) > _SHOWN:
        shown.append(f"... {len(lines) - _SHOWN} more")
    title = f"{start.breakage.label}: lines showing a secret"
    return (Evidence(title, tuple(shown)), start.evidence[0])
