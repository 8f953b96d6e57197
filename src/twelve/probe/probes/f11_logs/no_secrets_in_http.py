"""P1105 no-secrets-in-http."""

import secrets
from collections import Counter
from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Exchange, Instance
from twelve.probe.probe import probe
from twelve.probe.probes.f11_logs._leaks import LeakFinder

_SHOWN = 10
_QUICK_STOP_S = 0.5
_SHOWN_CHARS = 300


@probe(
    id="P1105",
    name="no-secrets-in-http",
    factor=11,
    severity=Severity.ERROR,
    summary="No secret value ever appears in an HTTP response of the process",
    remediation="Never put config values of secret keys in responses, error pages or headers.",
    final=True,
)
def no_secrets_in_http(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Runs after every other probe. First it makes its own requests to a fresh instance:
    liveness, readiness, the version endpoint, an unknown path, and a method the liveness
    path does not allow (`DELETE`), so error pages are covered. Then it searches every
    HTTP response any instance of the process gave during the whole run (status, headers,
    body) for any canary the run handed out as a secret value, raw, URL-encoded or
    base64-encoded.

    ## Why is this bad?
    A secret in a response reaches whoever can send a request: a debug field on
    `/version`, a config dump on an error page, a connection string in a 500 body. Unlike
    a log line it needs no access to anything but the network.

    ## Example
    ```python
    @app.get("/version")
    def version():
        return {"version": GIT_SHA, "config": dict(os.environ)}   # every secret
    ```

    ## Use instead
    ```python
    @app.get("/version")
    def version():
        return {"service": "shortlinks", "version": os.environ["GIT_SHA"]}
    ```

    ## Known problems
    Bodies are kept up to their first 2,000 characters; a secret further down a large
    response is missed. Only responses to twelve's own requests during the run are seen.
    """
    with ctx.ready_instance(service) as instance:
        _ask(instance, service)
        instance.stop(_QUICK_STOP_S)  # its shutdown is not under test; the run waits on it
    prefix = f"{service.name}#"
    exchanges = [x for label, x in tuple(ctx.record.exchanges) if label.startswith(prefix)]
    canaries = frozenset(ctx.record.canaries.values)
    finder = LeakFinder(canaries)
    leaks = [
        (exchange, where, text, how)
        for exchange in exchanges
        for where, text in _parts(exchange)
        if (how := finder.find(text)) is not None
    ]
    if not leaks:
        yield passed(f"no secret value in {len(exchanges)} responses ({len(canaries)} canaries)")
        return
    places = Counter(f"{x.method} {x.path.split('?')[0]}" for x, _, _, _ in leaks)
    shown = [
        f"{exchange.describe()} {where} ({how}): {text[:_SHOWN_CHARS]}"
        for exchange, where, text, how in leaks[:_SHOWN]
    ]
    if len(leaks) > _SHOWN:
        shown.append(f"... {len(leaks) - _SHOWN} more")
    yield fail(
        f"a secret value appears in {len(leaks)} response part(s):"
        f" {', '.join(f'{request} ({n})' for request, n in places.most_common(5))}",
        evidence=(Evidence("responses showing a secret (masked)", tuple(shown)),),
        secrets=canaries,
    )


def _ask(instance: Instance, service: ProcessUnderTest) -> None:
    """The probe's own requests, error pages included."""
    process = service.process
    for path in (process.liveness, process.readiness, process.version):
        if path:
            instance.request("GET", path)
    instance.request("GET", f"/twelve-probe-{secrets.token_hex(4)}")
    instance.request("DELETE", process.liveness or "/")


def _parts(exchange: Exchange) -> list[tuple[str, str]]:
    """What a response is made of, as (where, text): status, each header, the body."""
    parts = [("status", str(exchange.status))]
    parts += [(f"header {name}", f"{name}: {value}") for name, value in exchange.headers.items()]
    parts.append(("body", exchange.body))
    return parts
