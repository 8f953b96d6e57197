"""P1102 log-fields."""

from collections.abc import Iterator, Sequence

from twelve.model import Evidence, Severity, Verdict, fail, inconclusive, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.harness import OutputLine
from twelve.probe.probe import probe
from twelve.probe.probes.f11_logs._log_lines import (
    describe,
    has_field,
    log_scenario,
    on_stream,
    parse_object,
    request_lines,
)

_SHOWN = 5
Numbered = tuple[int, OutputLine, dict[str, object]]


@probe(
    id="P1102",
    name="log-fields",
    factor=11,
    severity=Severity.WARNING,
    summary="Log lines carry the contract's fields; request lines also its request fields",
    remediation="Put logs.fields on every line and logs.request_fields on every request line.",
    kinds=("web", "worker"),
)
def log_fields(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Judges the run of the `structured-logs` scenario (a few requests with request ids,
    then SIGTERM) and checks every JSON line on the declared stream for the contract's
    `logs.fields`, and every request line for `logs.request_fields`. A dotted name
    (`log.level`) may be a nested field. A request line is a line that carries the
    request id the probe sent, or that contains the request's path and was written
    between the request and 0.5 s after its answer.

    ## Why is this bad?
    Dashboards, alerts and on-call queries filter on fields: `level` to page, `version` to
    compare releases, `request_id` to follow one request across services. A line without
    them is invisible to those queries exactly when it matters.

    ## Example
    ```python
    log.info("request done")   # no request_id, no version
    ```

    ## Use instead
    ```python
    log.info("request done", request_id=request_id, version=os.environ["GIT_SHA"])
    ```

    ## Known problems
    Lines that are not JSON objects are left to `structured-logs`; with none at all this
    probe cannot tell. A request the service does not log at all leaves its request fields
    unchecked.
    """
    logs = service.contract.logs
    scenario = log_scenario(service, ctx)
    sent, output, secrets = scenario.sent, scenario.output, scenario.secrets
    numbered = on_stream(output, logs.stream)
    records = [(n, line, r) for n, line in numbered if (r := parse_object(line.text)) is not None]
    if not records:
        yield inconclusive(f"no JSON lines on {logs.stream} (see structured-logs)")
        return
    requests = {n for n, _ in request_lines([(n, line) for n, line, _ in records], sent)}
    on_requests = [record for record in records if record[0] in requests]
    problems, evidence = _missing(records, logs.fields, "JSON lines")
    more_problems, more_evidence = _missing(on_requests, logs.request_fields, "request lines")
    problems += more_problems
    evidence += more_evidence
    if problems:
        yield fail("; ".join(problems), evidence=evidence, secrets=secrets)
        return
    checked = f"{len(records)} JSON lines have {', '.join(logs.fields) or 'no required fields'}"
    if logs.request_fields and sent and not on_requests:
        yield inconclusive(
            f"{checked}; no request line found to check {', '.join(logs.request_fields)}"
        )
        return
    if logs.request_fields and on_requests:
        checked += f"; {len(on_requests)} request lines have {', '.join(logs.request_fields)}"
    yield passed(checked)


def _missing(
    records: Sequence[Numbered], fields: Sequence[str], what: str
) -> tuple[list[str], list[Evidence]]:
    """Per missing field, a problem ("version missing on 12 of 12 JSON lines") and evidence."""
    problems, evidence = [], []
    for name in fields:
        lacking = [(n, line) for n, line, record in records if not has_field(record, name)]
        if lacking:
            problems.append(f"{name} missing on {len(lacking)} of {len(records)} {what}")
            shown = tuple(describe(n, line) for n, line in lacking[:_SHOWN])
            evidence.append(Evidence(f"{what} without {name}", shown))
    return problems, evidence
