"""P1101 structured-logs."""

from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, inconclusive, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f11_logs._log_lines import (
    describe,
    log_scenario,
    on_stream,
    parse_object,
)

_SHOWN = 5


@probe(
    id="P1101",
    name="structured-logs",
    factor=11,
    severity=Severity.ERROR,
    summary="Every line on the declared log stream is one JSON object",
    remediation="Write one JSON object per line to the stream the contract names (logs.stream).",
    kinds=("web", "worker"),
)
def structured_logs(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance, makes a few requests to a web process (liveness, readiness,
    an unknown path with a request id header), sends SIGTERM and lets it finish (one run
    of this scenario per process type, which `log-fields` judges too). Every
    non-empty line it wrote on the contract's `logs.stream` (stdout, stderr, or either)
    must parse as exactly one JSON object. A failure shows the first offending lines with
    their line numbers on that stream.

    ## Why is this bad?
    The platform captures the stream and ships it to a log store; a JSON object per line is
    what it can index, filter by level or request id and alert on without fragile regexes.
    A plain-text line, a multi-line traceback or a banner is one unsearchable blob, or
    several broken events.

    ## Example
    ```python
    print(f"{datetime.now()} INFO listening on {port}")
    ```

    ## Use instead
    ```python
    print(json.dumps({"timestamp": now(), "level": "info", "message": "listening",
                      "port": port}), flush=True)
    ```

    ## Known problems
    When the declared stream has no lines at all but the other stream has some, that is a
    failure (the logs go elsewhere); when the process wrote nothing anywhere, the probe
    cannot tell.
    """
    stream = service.contract.logs.stream
    scenario = log_scenario(service, ctx)
    output, evidence = scenario.output, scenario.evidence
    lines = on_stream(output, stream)
    if not lines:
        others = [line for line in output if line.text.strip()]
        if not others:
            yield inconclusive("the process wrote nothing", evidence=evidence)
            return
        yield fail(
            f"no lines on {stream} (the contract's logs.stream);"
            f" {len(others)} lines on {others[0].stream}",
            evidence=evidence,
        )
        return
    bad = [(number, line) for number, line in lines if parse_object(line.text) is None]
    if not bad:
        yield passed(f"{len(lines)} lines on {stream}, each one JSON object")
        return
    shown = tuple(describe(number, line) for number, line in bad[:_SHOWN])
    yield fail(
        f"{len(bad)} of {len(lines)} lines on {stream} are not a JSON object"
        f" (first: line {bad[0][0]})",
        evidence=(Evidence(f"lines on {stream} that are not JSON objects", shown), evidence[0]),
        secrets=scenario.secrets,
    )
