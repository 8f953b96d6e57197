"""S0802 background-work-in-web."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.model import Lifecycle, Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST


def _calling(regex: str) -> dict[str, object]:
    return {"kind": "call", "has": {"field": "function", "regex": regex}}


def _go_calling(regex: str) -> dict[str, object]:
    return {"kind": "call_expression", "has": {"field": "function", "regex": regex}}


# Schedulers, timers and interval loops that run jobs inside the process that starts them.
BACKGROUND = code_pattern(
    "background-work",
    [PY],
    {"any": [
        _calling(r"(?:^|\.)(?:BackgroundScheduler|AsyncIOScheduler|GeventScheduler"
                 r"|TornadoScheduler|AsyncScheduler|APScheduler)$"),
        {"pattern": "schedule.every($$$)"},
    ]},
    ["Scheduler", "schedule.every"],
)  # fmt: skip
code_pattern(
    "background-work",
    JS_FAMILY,
    {"any": [{"pattern": "setInterval($$$)"}, {"pattern": "cron.schedule($$$)"},
             {"pattern": "new CronJob($$$)"}, {"pattern": "CronJob.from($$$)"},
             {"pattern": "schedule.scheduleJob($$$)"}]},
    ["setInterval", "cron", "CronJob", "scheduleJob"],
)  # fmt: skip
code_pattern(
    "background-work",
    [GO],
    _go_calling(r"^(?:time\.(?:NewTicker|Tick)|cron\.New|gocron\.New(?:Scheduler)?)$"),
    ["time.NewTicker", "time.Tick", "cron.New", "gocron.New"],
)
code_pattern(
    "background-work",
    [RUST],
    {"any": [
        {"kind": "call_expression", "has": {"field": "function", "regex": r"(?:^|::)spawn$"},
         "all": [{"has": {"stopBy": "end", "kind": "call_expression",
                          "has": {"field": "function", "regex": r"(?:^|::)interval(?:_at)?$"}}}]},
        _go_calling(r"(?:^|::)JobScheduler::new$"),
    ]},
    ["interval", "JobScheduler"],
)  # fmt: skip
# What makes a module the web process: it creates the app or starts the HTTP server.
WEB_SERVER = code_pattern(
    "web-server",
    [PY],
    _calling(r"^(?:Flask|FastAPI|Starlette|Quart|Sanic|Litestar|web\.Application|uvicorn\.run"
             r"|get_wsgi_application|get_asgi_application)$"),
    ["Flask(", "FastAPI(", "Starlette(", "Quart(", "Sanic(", "Litestar(", "Application(",
     "uvicorn.run(", "_application("],
)  # fmt: skip
code_pattern(
    "web-server",
    JS_FAMILY,
    {"any": [
        _go_calling(r"^(?:express|fastify|Fastify|(?:https?\.)?createServer)$"),
        {"kind": "new_expression", "has": {"field": "constructor", "regex": r"^(?:Koa|Hono)$"}},
    ]},
    ["express(", "astify(", "createServer(", "new Koa", "new Hono"],
)  # fmt: skip
code_pattern(
    "web-server",
    [GO],
    _go_calling(r"(?:^|\.)ListenAndServe(?:TLS)?$|^(?:gin\.(?:Default|New)|echo\.New|fiber\.New)$"),
    ["ListenAndServe", "gin.", "echo.New", "fiber.New"],
)
code_pattern(
    "web-server",
    [RUST],
    _go_calling(r"(?:^|::)(?:axum::serve|HttpServer::new|warp::serve|rocket::build|Server::bind)$"),
    ["axum::serve", "HttpServer::new", "warp::serve", "rocket::build", "Server::bind"],
)
# Modules named for background work are the worker's, even when they also serve HTTP
# (a worker's own health or metrics endpoint).
_WORKER_PATH = re.compile(
    r"(?i)(?:^|[/_.-])(?:workers?|jobs?|cron|scheduler|tasks?|beat)(?:[/_.-]|$)"
)


@rule(
    id="S0802",
    name="background-work-in-web",
    factor=8,
    severity=Severity.INFO,
    summary="A scheduler or timer loop runs inside the web process",
    remediation=(
        "Move the scheduled work to a worker process type (`[processes.worker]`, kind = "
        '"worker") or a platform scheduler that runs an admin task.'
    ),
    lifecycle=Lifecycle.PREVIEW,
)
def background_work_in_web(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds schedulers and periodic loops started in a module that also creates the web
    app or starts the HTTP server:

    - Python: APScheduler's `BackgroundScheduler`, `AsyncIOScheduler`, `GeventScheduler`,
      `TornadoScheduler`, `AsyncScheduler`, Flask-APScheduler's `APScheduler()`, and the
      `schedule` library's `schedule.every(...)`, next to `Flask(...)`, `FastAPI(...)`,
      `Starlette(...)`, `web.Application(...)`, `uvicorn.run(...)` or a Django
      `get_wsgi_application()`;
    - JavaScript/TypeScript: `setInterval(...)`, node-cron `cron.schedule(...)`,
      `new CronJob(...)`, node-schedule `schedule.scheduleJob(...)`, next to `express()`,
      `fastify()`, `http.createServer(...)`, `new Koa()` or `new Hono()`;
    - Go: `time.NewTicker`, `time.Tick`, robfig `cron.New()`, `gocron.NewScheduler`, next
      to `ListenAndServe` or a gin/echo/fiber app;
    - Rust: `tokio::spawn` of a task built on `tokio::time::interval`, and
      `JobScheduler::new()`, next to `axum::serve`, actix `HttpServer::new`,
      `warp::serve`, `rocket::build` or `Server::bind`.

    Modules whose path names background work (`worker`, `jobs`, `cron`, `scheduler`,
    `tasks`, `beat`) and scripts are skipped: a worker may serve its own health endpoint.
    Plain threads and `asyncio.create_task` are not reported: too often they serve the
    request path itself.

    ## Why is this bad?
    Web processes are scaled by traffic and restarted at will. A scheduler inside them
    runs its jobs once per web process (ten replicas, ten nightly reports), stops when
    the platform scales to zero, competes with requests for CPU, and dies mid-job on every
    deploy. Background work belongs in its own process type, scaled and stopped on its
    own terms.

    ## Example
    ```python
    app = Flask(__name__)
    scheduler = BackgroundScheduler()
    scheduler.add_job(send_digests, "cron", hour=6)
    scheduler.start()
    ```

    ## Use instead
    ```python
    # shop/worker.py, run as [processes.worker] (kind = "worker")
    scheduler = BlockingScheduler()
    scheduler.add_job(send_digests, "cron", hour=6)
    scheduler.start()
    ```

    ## Known problems
    The heuristic works per file: a scheduler started in one module for an app created
    in another is missed, and a web module that sets a short `setInterval` to refresh an
    in-memory cache (harmless, per-process by design) is reported; suppress it with a
    reason. Schedulers protected by a leader lock are reported too.
    """
    web_modules = {match.path for match in facts.matches(WEB_SERVER)}
    for match in facts.matches(BACKGROUND):
        if match.path not in web_modules or is_cli_path(match.path):
            continue
        if _WORKER_PATH.search(match.path):
            continue
        yield fail(f"{_what(match)} in a web-server module", match.location())


def _what(match: CodeMatch) -> str:
    callee = match.text.split("(", 1)[0].removeprefix("new ").strip()
    if match.language is RUST and callee.endswith("spawn"):
        return f"`{callee}` of an interval loop"
    return f"`{callee}`"
