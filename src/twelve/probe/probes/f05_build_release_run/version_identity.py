"""P0501 version-identity."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from twelve.model import Evidence, Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.harness import OutputLine
from twelve.probe.instance import Instance, wait_until
from twelve.probe.probe import probe

_VERSION_FIELDS = frozenset({"version", "git_sha", "sha", "commit", "revision", "release", "build"})
_TIMEOUT_S = 2.0


@probe(
    id="P0501",
    name="version-identity",
    factor=5,
    severity=Severity.WARNING,
    summary="The process reports exactly the release identity it was started with",
    remediation="Report the value of version_env unchanged from the version endpoint and in logs.",
    kinds=("web", "worker"),
    shared=True,
)
def version_identity(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Every instance twelve starts gets a unique release identity (`twelve-probe-<hex>`) in
    the contract's `version_env`; this probe uses the run's shared ready instance. A web
    process with a `version` endpoint must answer it 2xx with a JSON body that has the
    injected value, exactly, as one of its values, and the service's name. Without an
    endpoint (and for workers), some log line must carry both: when the shared instance's
    lines do not yet, a fresh instance of its own gets up to `startup_timeout` to write
    one, and is then stopped so that buffered lines are flushed.

    ## Why is this bad?
    A release is a build plus config; the running process is the only witness of which
    one is live. A version baked in at build time ("1.0.0"), read from a file, or never
    reported makes "which commit is serving?" unanswerable during an incident, and
    rollbacks unverifiable.

    ## Example
    ```python
    @app.get("/version")
    def version():
        return {"service": "shortlinks", "version": "1.0.0"}   # hard-coded
    ```

    ## Use instead
    ```python
    @app.get("/version")
    def version():
        return {"service": "shortlinks", "version": os.environ["GIT_SHA"]}
    ```

    ## Known problems
    In logs, the value must be a JSON value of its own or a whole word of a plain line; a
    version embedded in a longer string ("fixture@twelve-probe-…") counts only in plain lines.
    """
    if not service.contract.service.version_env:
        yield not_applicable("no version_env")
        return
    name = service.contract.service.name
    with ctx.shared_instance(service) as instance:
        expected = instance.ienv.version or ""
        path = service.process.version
        if service.kind == "web" and path:
            yield _judge_endpoint(instance, path, expected, name)
            return
        if ctx.owns(instance):
            yield _judge_own_logs(instance, service, ctx)
            return
        if _reports(instance.output(), expected) and _reports(instance.output(), name):
            yield _judge_logs(instance, expected, name)
            return
    with ctx.ready_instance(service) as instance:  # one it may stop, to flush its lines
        yield _judge_own_logs(instance, service, ctx)


def _judge_own_logs(instance: Instance, service: ProcessUnderTest, ctx: ProbeContext) -> Verdict:
    """Wait for the version in the logs of an instance the probe started, then judge them."""
    expected = instance.ienv.version or ""
    # The line may come late (a worker's first iteration): wait up to startup_timeout.
    limit = service.process.startup_timeout
    if not wait_until(ctx.clock, limit, lambda: _reports(instance.output(), expected)):
        instance.stop(max(2.0, service.process.shutdown_timeout))  # flushes what is buffered
    return _judge_logs(instance, expected, service.contract.service.name)


def _judge_endpoint(instance: Instance, path: str, expected: str, name: str) -> Verdict:
    exchange = instance.request("GET", path, timeout=_TIMEOUT_S)
    evidence = (Evidence("exchange", (exchange.describe(), exchange.body[:500])),)
    if exchange.status is None or not 200 <= exchange.status < 300:
        return fail(f"GET {path} -> {exchange.status or exchange.error}", evidence=evidence)
    try:
        body = json.loads(exchange.body)
    except ValueError:
        return fail(f"GET {path}: the body is not JSON", evidence=evidence)
    values = set(scalar_values(body))
    problems = []
    if expected not in values:
        seen = version_field(body)
        problems.append(
            f"reports {seen}, expected {expected}"
            if seen is not None
            else f"no value equals the injected version {expected}"
        )
    if name not in values:
        problems.append(f"no value equals the service name {name!r}")
    if problems:
        return fail(f"GET {path}: {'; '.join(problems)}", evidence=evidence)
    return passed(f"GET {path} reports version {expected} of {name}")


def _judge_logs(instance: Instance, expected: str, name: str) -> Verdict:
    lines = instance.output()
    has_version, has_name = _reports(lines, expected), _reports(lines, name)
    if has_version and has_name:
        return passed(f"the logs report version {expected} of {name}")
    problems = []
    if not has_version:
        seen = sorted({v for line in lines if (v := version_field(_json(line.text))) is not None})
        reported = f"; lines report version {', '.join(seen[:3])}" if seen else ""
        problems.append(f"no log line reports the injected version {expected}{reported}")
    if not has_name:
        problems.append(f"no log line reports the service name {name!r}")
    return fail(f"{'; '.join(problems)} ({len(lines)} lines)", evidence=instance.evidence())


def _reports(lines: Sequence[OutputLine], value: str) -> bool:
    word = re.compile(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])")
    for line in lines:
        record = _json(line.text)
        if record is not None and value in scalar_values(record):
            return True
        if record is None and word.search(line.text):
            return True
    return False


def _json(text: str) -> object | None:
    try:
        return json.loads(text) if text.lstrip().startswith(("{", "[")) else None
    except ValueError:
        return None


def scalar_values(value: object) -> Iterator[str]:
    """Every string value in a JSON document, at any depth.

    Args:
        value: the parsed document.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from scalar_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from scalar_values(item)


def version_field(value: object) -> str | None:
    """The value of the first version-like field ("version", "git_sha", ...), if any.

    Args:
        value: the parsed document.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if key.lower() in _VERSION_FIELDS and isinstance(item, str | int | float):
                return str(item)
        for item in value.values():
            if (found := version_field(item)) is not None:
                return found
    return None
