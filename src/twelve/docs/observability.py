"""`observability.md`: logs, identifiers, health semantics, and the metrics and traces declared."""

from __future__ import annotations

from twelve.contract import Contract
from twelve.docs.markdown import NONE, bullets, code, document, duration, section, table
from twelve.lint.facts import Facts

_STREAMS = {"stdout": "standard output", "stderr": "standard error", "either": "stdout or stderr"}
_MEANINGS = {
    "timestamp": "when it happened (ISO 8601, UTC)",
    "time": "when it happened",
    "level": "severity: debug, info, warning, error",
    "message": "what happened, in words",
    "event": "what happened, in words",
    "logger": "the module that logged it",
    "env": "the deploy environment (dev, staging, prod)",
    "environment": "the deploy environment (dev, staging, prod)",
    "trace_id": "the distributed trace the line belongs to",
    "span_id": "the span within that trace",
    "error_code": "a stable code naming the failure",
}
_ENV_KEYS = ("APP_ENV", "ENVIRONMENT", "ENV", "DEPLOY_ENV")
_TRACE_WORDS = ("OTEL_", "TRACE", "TRACING", "JAEGER", "ZIPKIN")
_METRIC_WORDS = ("METRIC", "PROMETHEUS", "STATSD")


def render_observability(contract: Contract, facts: Facts) -> str:
    """The observability contract document.

    Args:
        contract: the service contract.
        facts: the repository facts (unused today: the contract is the whole source).
    """
    del facts  # the observability contract is the contract's; same signature as its siblings
    name = contract.service.name
    intro = (
        f"What {code(name)} tells the platform about itself: the shape of its log lines, the "
        "identifiers that tie a line to a deploy and a request, what its health endpoints "
        "mean, and which metrics and traces it exports."
    )
    sections = [_logs(contract), _identifiers(contract), _health(contract), _telemetry(contract)]
    return document(
        f"{name} observability contract",
        intro,
        sections,
        "Hand-written notes (dashboards, alerts, log queries): kept verbatim.",
    )


def _meaning(field: str, contract: Contract) -> str:
    if field == "service":
        return f"the service name, {code(contract.service.name)}"
    if field == "version":
        env = contract.service.version_env
        return f"the release identity, from {code(env)}" if env else "the release identity"
    if field == "request_id":
        return f"the request's id, from the {code(contract.logs.request_id_header)} header"
    return _MEANINGS.get(field, "")


def _logs(contract: Contract) -> str:
    logs = contract.logs
    blocks = [
        f"One JSON object per line on {_STREAMS[logs.stream]}; the platform collects and "
        "routes the stream. No log files. Secrets are never written.",
        table(["Field", "Meaning"], [[code(f), _meaning(f, contract)] for f in logs.fields]),
    ]
    if logs.request_fields:
        blocks += [
            "While serving a request, lines also carry:",
            table(
                ["Field", "Meaning"],
                [[code(f), _meaning(f, contract)] for f in logs.request_fields],
            ),
        ]
    blocks.append(
        f"An inbound {code(logs.request_id_header)} header's value appears in every line "
        "logged for that request; without one, the service makes an id up."
    )
    return section("Logs", *blocks)


def _identifiers(contract: Contract) -> str:
    fields = contract.logs.fields
    versions = [p.version for p in contract.processes.values() if p.version]
    endpoint = f"endpoint {code(versions[0])}" if versions else None
    keys = contract.keys()
    env_key = next((k for k in _ENV_KEYS if k in keys), None)
    env_field = next((f for f in ("env", "environment") if f in fields), None)
    version_env = contract.service.version_env
    request_field = "request_id" if "request_id" in contract.logs.request_fields else None
    rows = [
        ["Service", code(contract.service.name), _where("service", fields, endpoint)],
        [
            "Version",
            f"{code(version_env)} (commit SHA)" if version_env else "not declared",
            _where("version", fields, endpoint),
        ],
        ["Environment", code(env_key) if env_key else "not declared", _where(env_field, fields)],
        [
            "Request",
            f"{code(contract.logs.request_id_header)} header",
            _where(request_field, contract.logs.request_fields),
        ],
    ]
    return section("Identifiers", table(["Identifier", "Source", "Reported in"], rows))


def _where(field: str | None, fields: list[str], endpoint: str | None = None) -> str:
    places = [f"log field {code(field)}"] if field is not None and field in fields else []
    if endpoint:
        places.append(endpoint)
    return ", ".join(places) or NONE


def _health(contract: Contract) -> str:
    web = {n: p for n, p in contract.processes.items() if p.kind == "web"}
    if not web:
        return section("Health and readiness", "No web process: no health endpoints.")
    backing = [n for n, k in contract.keys().items() if k.backing_service]
    needs = ", ".join(code(n) for n in backing) if backing else "its dependencies"
    rows = [
        [
            code(n),
            code(p.liveness) if p.liveness else "none declared",
            code(p.readiness) if p.readiness else "none declared",
            duration(p.startup_timeout),
            duration(p.drain_delay),
        ]
        for n, p in web.items()
    ]
    return section(
        "Health and readiness",
        table(["Process", "Liveness", "Readiness", "Ready within", "Drain delay"], rows),
        bullets(
            [
                "Liveness: 200 while the process is up. It checks nothing else, so a "
                "dependency outage never gets the process restarted.",
                f"Readiness: 200 only when the process can serve traffic ({needs} reachable); "
                "otherwise 503 with a short, safe reason. After SIGTERM it answers 503 for "
                "the drain delay while requests are still served.",
            ]
        ),
    )


def _telemetry(contract: Contract) -> str:
    keys = list(contract.keys())
    fields = [*contract.logs.fields, *contract.logs.request_fields]
    traced = [k for k in keys if any(w in k for w in _TRACE_WORDS)]
    measured = [k for k in keys if any(w in k for w in _METRIC_WORDS)]
    metrics = (
        "exported as configured by " + ", ".join(code(k) for k in measured) + "."
        if measured
        else "none declared in `twelve.toml`."
    )
    traces = (
        "exported as configured by " + ", ".join(code(k) for k in traced) + "."
        if traced
        else "none declared in `twelve.toml`."
    )
    if "trace_id" in fields:
        traces += " Log lines carry `trace_id`, so they join their traces."
    return section("Metrics and traces", bullets([f"Metrics: {metrics}", f"Traces: {traces}"]))
