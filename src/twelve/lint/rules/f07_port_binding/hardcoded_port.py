"""S0701 hardcoded-port."""

import re
from collections.abc import Iterable, Iterator, Mapping

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.env import literal
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST


def _go(call: str) -> dict[str, object]:
    return {"pattern": {"context": f"func f() {{ {call} }}", "selector": "call_expression"}}


# Calls that bind a listening socket; $A is the port or address expression, or (Python)
# $$$ARGS holds the keyword arguments where `port=` is looked up.
LISTEN = code_pattern(
    "port-listen",
    [PY],
    {
        "any": [
            {"kind": "call", "pattern": "$F($$$ARGS)",
             "has": {"field": "function",
                     "regex": r"(?:^|\.)(?:run|run_app|serve|run_simple)$|^uvicorn\.Config$"}},
            {"kind": "call", "pattern": "$F(($H, $A), $$$)",
             "has": {"field": "function",
                     "regex": r"(?:^|\.)(?:HTTPServer|ThreadingHTTPServer|TCPServer"
                              r"|ThreadingTCPServer)$"}},
            {"pattern": "make_server($H, $A, $$$)"},
            {"pattern": "$X.add_insecure_port($A)"},
            {"pattern": "$X.add_secure_port($A, $$$)"},
        ]
    },
    ["port=", "listen=", "Server(", "make_server(", "_port("],
)  # fmt: skip
code_pattern(
    "port-listen",
    JS_FAMILY,
    {"any": [{"pattern": "$X.listen($A)"}, {"pattern": "$X.listen($A, $$$)"},
             {"pattern": "Bun.serve($A)"}, {"pattern": "Deno.serve($A)"},
             {"pattern": "Deno.serve($A, $$$)"}, {"pattern": "$X.bindAsync($A, $$$)"}]},
    [".listen(", ".serve(", ".bindAsync("],
)  # fmt: skip
code_pattern(
    "port-listen",
    [GO],
    {
        "any": [
            _go("http.ListenAndServe($A, $$$)"),
            _go("http.ListenAndServeTLS($A, $$$)"),
            _go("net.Listen($N, $A)"),
            _go("$X.Run($A)"),
            _go("$X.Start($A)"),
            _go("$X.Listen($A)"),
            {"kind": "keyed_element", "regex": r"^Addr\s*:",
             "inside": {"kind": "literal_value",
                        "inside": {"kind": "composite_literal",
                                   "has": {"field": "type", "regex": r"Server$"}}}},
        ]
    },
    ["Listen", ".Run(", ".Start(", "Addr:"],
)  # fmt: skip
code_pattern(
    "port-listen",
    [RUST],
    {"kind": "call_expression", "pattern": "$F($A)",
     "has": {"field": "function", "regex": r"(?:^|::|\.)bind$|\.run$"}},
    ["bind(", ".run("],
)  # fmt: skip
# Declarations and assignments of port-ish names, to follow `app.listen(port)` one step.
# The regex runs on the assigned name only, not on the whole (possibly huge) statement.
_NAME = r"^(?i:\w*(?:port|addr|address|listen|bind)\w*)$"


def _binding(language: Iterable[Language], kind: str, name: str, prefilter: list[str]) -> str:
    """Declare one node kind whose name field looks like a port or address.

    One declaration per kind, each with a top-level `kind`, so ast-grep visits only those
    nodes and runs the regex on the name alone.
    """
    rule = {"kind": kind, "has": {"field": name, "regex": _NAME}}
    return code_pattern("port-binding", language, rule, prefilter)


# Bindings matter only in a file that also makes a server call, so they share its prefilter.
_PY_CALLS = ["port=", "listen=", "Server(", "make_server(", "_port("]
_JS_CALLS = [".listen(", ".serve(", ".bindAsync("]
_GO_CALLS = ["Listen", ".Run(", ".Start(", "Addr:"]
_RUST_CALLS = ["bind(", ".run("]
BINDING = _binding([PY], "assignment", "left", _PY_CALLS)
_binding(JS_FAMILY, "variable_declarator", "name", _JS_CALLS)
_binding(JS_FAMILY, "assignment_expression", "left", _JS_CALLS)
for _kind, _field in (
    ("short_var_declaration", "left"),
    ("const_spec", "name"),
    ("var_spec", "name"),
    ("assignment_statement", "left"),
):
    _binding([GO], _kind, _field, _GO_CALLS)
for _kind, _field in (
    ("let_declaration", "pattern"),
    ("const_item", "name"),
    ("static_item", "name"),
    ("assignment_expression", "left"),
):
    _binding([RUST], _kind, _field, _RUST_CALLS)

_DECLARATION = re.compile(
    r"^(?:(?:let|const|static|var)\s+)?(?:mut\s+)?(?P<name>[A-Za-z_]\w*)"
    r"(?:\s*:\s*[^=]+?|\s+[\w.*\[\]&']+)?\s*:?=\s*(?P<value>.+?);?\s*$"
)
_ADDRESS = re.compile(r"^(?:[\w.*-]*|\[[0-9a-fA-F:]*\]):(?P<port>\d{1,5})$")
_PORT_KWARG = re.compile(r"(?:^|,\s*)(?:port|listen)\s*=\s*(?P<value>[^,()]+?)\s*(?:,|$)")
_RUST_PARSE = re.compile(r"""^"(?P<address>[^"]*)"\.parse""")
_TUPLE = re.compile(r"""^\(\s*(?:"[^"]*"|\[[^\]]*\]|[\w.:]+)\s*,\s*(?P<port>\d{1,5})\s*\)$""")
_SOCKET_ADDR = re.compile(r"SocketAddr(?:V4|V6)?::(?:from|new)\(.*,\s*(?P<port>\d{1,5})\s*\)+$")
_GO_CONCAT = re.compile(r"""^"[^"]*:"\s*\+\s*(?P<name>[A-Za-z_]\w*)$""")
_OBJECT_PORT = re.compile(r"(?:^|[{,\s])port\s*(?::\s*(?P<value>[^,{}\s]+)\s*)?(?:,|}|$)")
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")


@rule(
    id="S0701",
    name="hardcoded-port",
    factor=7,
    severity=Severity.WARNING,
    summary="The service listens on a port written in the code instead of one from config",
    remediation=(
        "Read the port from the environment variable the contract names (`port_env`, usually "
        "PORT), e.g. `int(os.environ['PORT'])`, `process.env.PORT`, `os.Getenv(\"PORT\")`."
    ),
)
def hardcoded_port(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds servers that listen on a literal port:

    - Python: `app.run(port=5000)`, `uvicorn.run(app, port=8000)`,
      `web.run_app(app, port=8080)`, `waitress.serve(app, listen="*:8080")`,
      `uvicorn.Config(app, port=8000)`, `HTTPServer(("", 8000), Handler)`,
      `make_server("", 8000, app)`, gRPC `server.add_insecure_port("[::]:50051")`;
    - JavaScript/TypeScript: `app.listen(3000)`, `server.listen(3000, cb)`,
      `fastify.listen({ port: 3000 })`, `Bun.serve({ port: 3000 })`,
      `Deno.serve({ port: 8000 }, handler)`, gRPC `server.bindAsync("0.0.0.0:50051", ...)`;
    - Go: `http.ListenAndServe(":8080", h)`, `net.Listen("tcp", ":8080")`,
      `&http.Server{Addr: ":8080"}`, gin `r.Run(":8080")`, echo `e.Start(":1323")`, fiber
      `app.Listen(":3000")`;
    - Rust: `TcpListener::bind("0.0.0.0:8080")`, `.bind(("0.0.0.0", 8080))`, actix
      `HttpServer::new(..).bind("127.0.0.1:8080")`, `Server::bind(&"0.0.0.0:3000".parse()?)`,
      warp `.run(([127, 0, 0, 1], 3030))`, `SocketAddr::from(([0, 0, 0, 0], 3000))`.

    A name is followed one step within the same file when it is assigned exactly once, to a
    literal: `const port = 3000; app.listen(port)` is reported, while
    `const port = process.env.PORT || 3000` is not: a default for local runs behind the
    config value is fine. Port 0 (any free port) is not reported, nor are scripts and
    command-line tools (`scripts/`, `bin/`, `manage.py`, ...).

    ## Why is this bad?
    The platform decides where a process listens: it assigns the port, runs several
    processes side by side and routes to them. A service that binds a port of its own
    choosing collides with its neighbours, cannot be run twice on one host, and ignores
    the `port_env` its contract declares, so the probe and the router knock on the wrong
    door.

    ## Example
    ```python
    uvicorn.run(app, host="0.0.0.0", port=8000)
    ```

    ```go
    log.Fatal(http.ListenAndServe(":8080", mux))
    ```

    ## Use instead
    ```python
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ["PORT"]))
    ```

    ```go
    log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
    ```

    ## Known problems
    Only literals in the call, or in a name assigned once in the same file, are seen: a
    port from a settings object (`settings.PORT` defaulting to 8000), an imported constant
    or `format!("0.0.0.0:{}", 8080)` is missed. Servers whose port defaults silently
    (`app.run()` on 5000, gin's `r.Run()` on 8080) are not reported.
    """
    bindings = _bindings(facts.matches(BINDING))
    for match in facts.matches(LISTEN):
        if is_cli_path(match.path):
            continue
        expression = _address_expression(match)
        if expression is None:
            continue
        port, via = _port(expression, bindings.get(match.path, {}))
        if port is not None:
            where = f" (via `{via}`)" if via else ""
            yield fail(f"port {port} hard-coded in `{_callee(match)}`{where}", match.location())


def _address_expression(match: CodeMatch) -> str | None:
    """The expression that gives the port or address of a listen call."""
    if "A" in match.captures:
        return match.captures["A"]
    if match.text.startswith("Addr"):
        return match.text.split(":", 1)[1].strip().rstrip(",")
    kwarg = _PORT_KWARG.search(match.captures.get("ARGS", ""))
    return kwarg["value"] if kwarg else None


def _bindings(matches: list[CodeMatch]) -> dict[str, dict[str, str | None]]:
    """Per file: port-ish names assigned exactly once, with the value text (None if more)."""
    found: dict[str, dict[str, str | None]] = {}
    for match in matches:
        declaration = _DECLARATION.match(match.text)
        if declaration is None:
            continue
        names = found.setdefault(match.path, {})
        name = declaration["name"]
        names[name] = None if name in names else declaration["value"]
    return found


def _port(expression: str, bindings: Mapping[str, str | None]) -> tuple[int | None, str]:
    """The literal port an expression spells, directly or through one assigned name."""
    expression = expression.strip().removeprefix("&").strip()
    name = None
    if _IDENTIFIER.match(expression) and expression in bindings:
        name, expression = expression, (bindings[expression] or "")
    elif (concat := _GO_CONCAT.match(expression)) is not None:
        name = concat["name"]
        expression = bindings.get(name) or ""
    elif expression.startswith("{") and (field := _OBJECT_PORT.search(expression)) is not None:
        return _port(field["value"] or "port", bindings)  # `{ port }` is `{ port: port }`
    port = _literal_port(expression.strip())
    return (port, name or "") if port else (None, "")


def _literal_port(expression: str) -> int | None:
    if expression.isdigit():
        return int(expression)
    if (text := literal(expression)) is not None:
        address = _ADDRESS.match(text)
        return int(address["port"]) if address else (int(text) if text.isdigit() else None)
    if (parsed := _RUST_PARSE.match(expression)) is not None:
        address = _ADDRESS.match(parsed["address"])
        return int(address["port"]) if address else None
    for shape in (_TUPLE, _SOCKET_ADDR):
        if (found := shape.search(expression)) is not None:
            return int(found["port"])
    return None


def _callee(match: CodeMatch) -> str:
    """A short name for the listening call: `app.listen`, `TcpListener::bind`, `.bind`."""
    if match.text.startswith("Addr"):
        return "http.Server{Addr}"
    function = match.captures.get("F") or match.text.split("(", 1)[0]
    if ")" in function:  # a method on a call chain: HttpServer::new(...).bind
        return "." + re.split(r"[.:]", function)[-1]
    return "::".join(function.split("::")[-2:])
