"""P0909 readiness-endpoint."""

import json
import re
import signal
from collections.abc import Callable, Iterator

from twelve.model import (
    CheckInconclusive,
    Evidence,
    Severity,
    Verdict,
    fail,
    not_applicable,
    passed,
)
from twelve.probe.clock import Deadline
from twelve.probe.context import (
    READY_SLACK_S,
    ProbeContext,
    ProcessUnderTest,
    listening_elsewhere,
)
from twelve.probe.instance import Exchange, Instance
from twelve.probe.ports import accepting_host
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._loopback import fetch, no_answer
from twelve.probe.probes.f09_disposability._shutdown import JUDGED_GRACE_S

POLL_S = 0.03
TIMEOUT_S = 1.0
AFTER_SIGTERM_S = 0.5  # how long readiness is watched after SIGTERM
_DOWN = re.compile(
    r"\b(down|unhealthy|not[ _-]?ready|unready|fail(ed|ing|ure)?|error|unavailable"
    r"|out[ _-]of[ _-]service|starting|draining|stopping)\b",
    re.IGNORECASE,
)
_STATE_KEYS = ("status", "state", "health", "readiness")
_FLAG_KEYS = ("ready", "healthy", "ok", "up")


@probe(
    id="P0909",
    name="readiness-endpoint",
    factor=9,
    severity=Severity.ERROR,
    summary="Readiness answers 2xx when ready and 5xx (never 2xx or 3xx) when not",
    remediation="Answer readiness with 503 whenever the instance should get no traffic.",
)
def readiness_endpoint(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance and requests its `readiness` path from the moment the port
    accepts until it answers ready, then sends SIGTERM and watches it for half a second
    more. When ready it must answer 2xx; every not-ready answer (while starting, after
    SIGTERM) must be a 5xx. It fails on any 3xx or 4xx, and on a 2xx whose body says the
    instance is not ready (`{"status": "down"}`, "unhealthy", "not ready", "fail", "error").

    ## Why is this bad?
    Load balancers and Kubernetes read only the status code: 200-399 means "send traffic".
    A readiness endpoint that reports "down" in a 200 body, or redirects to a login page,
    keeps receiving traffic it cannot serve.

    ## Example
    ```python
    @app.get("/readyz")
    def readyz():
        return {"status": "up" if state.ready else "down"}     # always 200
    ```

    ## Use instead
    ```python
    @app.get("/readyz")
    def readyz(response):
        if not state.ready:
            response.status_code = 503
        return {"status": "up" if state.ready else "down"}
    ```

    ## Known problems
    A service that is ready the instant its port accepts, and closes the port at once on
    SIGTERM, shows no not-ready answer to judge; it passes on its ready answer alone.
    """
    path = service.process.readiness
    if not path:
        yield not_applicable("no readiness path declared")
        return
    with ctx.launch(service) as instance:
        seen: list[Exchange] = []
        base = _base_url(instance, service.process.startup_timeout)

        def ask() -> Exchange:
            answer = fetch(instance, ctx, path, base=base, timeout=TIMEOUT_S)
            if not seen or (seen[-1].status, seen[-1].body) != (answer.status, answer.body):
                seen.append(answer)  # the first of each run of equal answers
            return answer

        problem = _until_ready(instance, ask, ctx)
        starting = len(seen)
        if problem is None:
            watch = Deadline(ctx.clock, AFTER_SIGTERM_S)
            instance.signal(signal.SIGTERM)
            problem = _after_sigterm(ask, watch)
        evidence = (_requests(seen), *instance.evidence())
        instance.stop(JUDGED_GRACE_S)
    if problem is not None:
        yield fail(problem, evidence=evidence)
        return
    before, ready, after = seen[: starting - 1], seen[starting - 1], seen[starting:]
    yield passed(
        f"ready {ready.status}; while starting {_not_ready(before)}; "
        f"after SIGTERM {_not_ready(after)}"
    )


def _not_ready(answers: list[Exchange]) -> str:
    """The not-ready answers seen in one phase, e.g. "503" or "refused"."""
    shown = [
        str(e.status) if e.status is not None else no_answer(e.error)
        for e in answers
        if e.status is None or e.status >= 300
    ]
    return "/".join(dict.fromkeys(shown)) or "none seen"


def _base_url(instance: Instance, seconds: float) -> str:
    """The loopback URL prefix where the instance accepts, once it does (as ready_instance)."""
    proc, port = instance.proc, instance.port
    if not proc.wait_listening(port, seconds) and (
        listening_elsewhere(instance) or not proc.wait_listening(port, READY_SLACK_S)
    ):
        raise CheckInconclusive(f"not accepting on :{instance.port}", instance.evidence())
    host = accepting_host(instance.port, TIMEOUT_S) or "127.0.0.1"
    return f"http://{f'[{host}]' if ':' in host else host}:{instance.port}"


def _until_ready(instance: Instance, ask: Callable[[], Exchange], ctx: ProbeContext) -> str | None:
    """Poll readiness from the first accept until a clean 2xx; why it misbehaved, or None."""
    deadline = Deadline(ctx.clock, instance.process.startup_timeout + READY_SLACK_S)
    while not deadline.expired() and instance.proc.poll() is None:
        answer = ask()
        if (problem := judge(answer)) is not None:
            return f"{problem} while starting"
        if answer.status is not None and 200 <= answer.status < 300:
            return None
        deadline.sleep(POLL_S)
    raise CheckInconclusive("readiness never answered 2xx", instance.evidence())


def _after_sigterm(ask: Callable[[], Exchange], deadline: Deadline) -> str | None:
    """Watch readiness after SIGTERM until it answers 5xx or stops answering."""
    while not deadline.expired():
        answer = ask()
        if (problem := judge(answer)) is not None:
            return f"{problem} after SIGTERM"
        if answer.status is None or answer.status >= 500:
            return None
        deadline.sleep(POLL_S)
    return None


def judge(answer: Exchange) -> str | None:
    """What is wrong with one readiness answer, or None (2xx saying ready, 5xx, no answer).

    Args:
        answer: the exchange.
    """
    status = answer.status
    if status is None or status >= 500:
        return None
    if 300 <= status < 400:
        where = answer.headers.get("location", "")
        return f"readiness answered {status}" + (f" to {where}" if where else "")
    if status >= 400 or status < 200:
        return f"readiness answered {status} (expected 5xx when not ready)"
    if (word := says_not_ready(answer.body)) is not None:
        return f"readiness answered {status} with a body saying {word!r}"
    return None


def says_not_ready(body: str) -> str | None:
    """The word in a 2xx body that says "not ready", or None.

    JSON bodies are judged by their top-level state fields only (`status`, `state`, ...,
    and `ready: false`), so `{"status": "ok", "errors": 0}` is fine; other text by word.

    Args:
        body: the response body, as text.
    """
    try:
        data = json.loads(body)
    except ValueError:
        match = _DOWN.search(body)
        return match.group(0) if match else None
    if not isinstance(data, dict):
        return None
    lowered = {str(key).lower(): value for key, value in data.items()}
    for key in _STATE_KEYS:
        value = lowered.get(key)
        if isinstance(value, str) and (match := _DOWN.search(value)):
            return match.group(0)
    for key in _FLAG_KEYS:
        if lowered.get(key) is False:
            return f"{key}: false"
    return None


def _requests(seen: list[Exchange]) -> Evidence:
    """The distinct readiness answers, in order, with their bodies."""
    lines = [f"{e.describe()} {e.body[:120]}".rstrip() for e in seen[-12:]]
    return Evidence("readiness answers", tuple(lines))
