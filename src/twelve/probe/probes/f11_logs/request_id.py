"""P1103 request-id-propagation."""

from collections.abc import Iterator
from dataclasses import dataclass

from twelve.model import Evidence, Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Instance, wait_until
from twelve.probe.probe import probe
from twelve.probe.probes.f11_logs._log_lines import Sent, exercise, finish

_LOG_WAIT_S = 1.0


@probe(
    id="P1103",
    name="request-id-propagation",
    factor=11,
    severity=Severity.WARNING,
    summary="The request id a client sends appears in the log lines of that request",
    remediation="Read the logs.request_id_header of each request and log it on its lines.",
    shared=True,
)
def request_id_propagation(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Sends a few requests to the run's shared ready instance (liveness, readiness, an
    unknown path), each with a unique value (a UUID) in the contract's
    `logs.request_id_header`. Each value must appear in the log lines the instance writes
    (in any field, on any stream) within a second. When one does not, the requests are
    repeated on a fresh instance of its own, which is then sent SIGTERM so that a
    buffering logger flushes what it holds. It also reports, without failing, whether
    responses echo the header.

    ## Why is this bad?
    A request id set at the edge (load balancer, gateway, calling service) is what ties a
    user's complaint, the proxy's access log and every service's lines for one request
    together. A service that drops it, or replaces it with its own, breaks the chain
    exactly where the trail is needed.

    ## Example
    ```python
    request_id = uuid.uuid4().hex   # ignores the caller's X-Request-ID
    ```

    ## Use instead
    ```python
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    ```

    ## Known problems
    The values are UUIDs, since some middleware accepts no other format; a service that
    only accepts its own format is judged as dropping the id.
    """
    header = service.contract.logs.request_id_header
    with ctx.shared_instance(service) as instance:
        trial = _trial(instance, service, ctx)
    if trial.missing and not trial.own:  # only an instance of its own may be sent SIGTERM
        with ctx.ready_instance(service) as instance:
            trial = _trial(instance, service, ctx)
    sent, missing, evidence = trial.sent, trial.missing, trial.evidence
    echoed = [request for request in sent if _echoes(request, header)]
    echo = f"responses echo {header} on {len(echoed)} of {len(sent)}"
    exchanges = Evidence(
        "requests (id -> logged?)",
        tuple(
            f"{r.exchange.describe()} {header}: {r.request_id}"
            f" -> {'not logged' if r in missing else 'logged'}"
            for r in sent
        ),
    )
    if missing:
        requests = ", ".join(f"{r.exchange.method} {r.exchange.path}" for r in missing)
        yield fail(
            f"the {header} value never appears in the logs for {requests}"
            f" ({len(missing)} of {len(sent)}); {echo}",
            evidence=(exchanges, *evidence),
            secrets=trial.secrets,
        )
        return
    yield passed(f"each of {len(sent)} {header} values appears in the logs; {echo}")


@dataclass(frozen=True, slots=True)
class _Trial:
    """The requests sent to one instance and which ids its logs never showed."""

    sent: list[Sent]
    missing: list[Sent]
    evidence: tuple[Evidence, ...]
    secrets: tuple[str, ...]
    own: bool


def _trial(instance: Instance, service: ProcessUnderTest, ctx: ProbeContext) -> _Trial:
    sent = exercise(instance, service)
    own = ctx.owns(instance)

    def logged(request: Sent) -> bool:
        return any(request.request_id in line.text for line in instance.output())

    if not wait_until(ctx.clock, _LOG_WAIT_S, lambda: all(map(logged, sent))) and own:
        finish(instance, service)  # flushes what a buffering logger still holds
    missing = [request for request in sent if not logged(request)]
    secrets = tuple(instance.ienv.secrets.values())
    return _Trial(sent, missing, instance.evidence(tail=10), secrets, own)


def _echoes(request: Sent, header: str) -> bool:
    headers = {name.lower(): value for name, value in request.exchange.headers.items()}
    return headers.get(header.lower()) == request.request_id
