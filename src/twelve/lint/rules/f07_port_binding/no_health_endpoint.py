"""S0702 no-health-endpoint."""

from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, code_pattern
from twelve.lint.facts.env import literal
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail, not_applicable

# A string literal that reads as an HTTP path, optionally with Go 1.22's method prefix.
_PATH_LITERAL = r"""^[rRbBuU]{0,2}["'`](?:[A-Z]+ )?/[\w./{}:*-]*["'`]$"""
PATH_LITERAL = code_pattern(
    "http-path-literal",
    [Language.PYTHON],
    {"kind": "string", "regex": _PATH_LITERAL},
    ['"/', "'/"],
)
code_pattern(
    "http-path-literal",
    JS_FAMILY,
    {"any": [{"kind": "string"}, {"kind": "template_string"}], "regex": _PATH_LITERAL},
    ['"/', "'/", "`/"],
)
code_pattern(
    "http-path-literal",
    [Language.GO],
    {"any": [{"kind": "interpreted_string_literal"}, {"kind": "raw_string_literal"}],
     "regex": _PATH_LITERAL},
    ['"/', "`/", ' /'],
)  # fmt: skip
code_pattern(
    "http-path-literal",
    [Language.RUST],
    {"kind": "string_literal", "regex": _PATH_LITERAL},
    ['"/'],
)


@rule(
    id="S0702",
    name="no-health-endpoint",
    factor=7,
    severity=Severity.WARNING,
    summary="A liveness or readiness path declared in twelve.toml has no route in code",
    remediation=(
        "Serve the declared path (a cheap 200 for liveness; 200 only when dependencies are "
        "reachable for readiness), or correct the path in twelve.toml."
    ),
)
def no_health_endpoint(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    For every web process of the contract, checks that its `liveness` and `readiness`
    paths (by default `/healthz` and `/readyz`) appear in the code as a string literal:
    the path of a Flask/FastAPI/Starlette decorator or `Route("/healthz")`, an Express
    `app.get("/healthz", ...)`, a Go `HandleFunc("/healthz", ...)` (or
    `"GET /healthz"`), an axum `.route("/healthz", ...)`, an actix `web::resource` or
    `#[get("/healthz")]`. A literal that is a suffix of the declared path (`"/healthz"`
    for `/api/healthz`, on a router mounted at `/api`) counts. The finding points at the
    path's line in twelve.toml, or at the process table when the path is a default.

    Not applicable without a contract, without a web process declaring a health path, or
    without code in a supported language. A service built on `twelve.kit` passes: the kit
    serves both paths from the contract.

    ## Why is this bad?
    The platform and the probe use these paths to decide whether to restart the process
    and whether to send it traffic. A declared path the service does not serve answers
    404: the orchestrator restarts a healthy process in a loop, or never routes traffic
    to it.

    ## Example
    ```toml
    [processes.web]
    command = "gunicorn shop.wsgi"
    readiness = "/readyz"          # no route serves /readyz
    ```

    ## Use instead
    ```python
    @app.get("/readyz")
    def readyz():
        db.execute("select 1")
        return {"status": "ok"}
    ```

    ## Known problems
    The check is textual: a path assembled at run time (`PREFIX + "/healthz"`) or served
    by a library configured elsewhere (Spring Actuator, a Kubernetes sidecar) is reported;
    suppress it with a reason. Conversely, the literal anywhere in code counts, even when
    it is not registered as a route (a client calling another service's `/healthz`).
    """
    contract = facts.contract
    if contract is None:
        yield not_applicable("no contract")
        return
    checks = [
        (name, kind, path)
        for name, process in contract.processes.items()
        if process.kind == "web"
        for kind, path in (("liveness", process.liveness), ("readiness", process.readiness))
        if path
    ]
    if not checks:
        yield not_applicable("no web process declares a health path")
        return
    if not any(file.language is not None for file in facts.files):
        yield not_applicable("no code in a supported language")
        return
    if facts.uses_kit:
        return
    in_code = {_route(m.text) for m in facts.matches(PATH_LITERAL)}
    path = facts.contract_path
    seen: set[tuple[str, str]] = set()
    for name, kind, wanted in checks:
        if (name, wanted) in seen or _served(wanted, in_code):
            continue
        seen.add((name, wanted))
        line = contract.line_of("processes", name, kind)
        location = Location(path, line, snippet=f'{kind} = "{wanted}"')
        yield fail(f"{kind} path `{wanted}` of process `{name}` has no route in code", location)


def _route(text: str) -> str:
    """The path a literal names, without quotes or a method prefix."""
    value = literal(text) or ""
    return value.split(" ", 1)[-1].rstrip("/") or "/"


def _served(path: str, routes: set[str]) -> bool:
    path = path.rstrip("/") or "/"
    return any(path == r or (r != "/" and path.endswith(r) and r.startswith("/")) for r in routes)
