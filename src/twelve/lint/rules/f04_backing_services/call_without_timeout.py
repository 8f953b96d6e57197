"""S0402 call-without-timeout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import RUST_TEST_CODE, CodeMatch, code_pattern
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail

PY, JS, TS, TSX = Language.PYTHON, Language.JAVASCRIPT, Language.TYPESCRIPT, Language.TSX
GO, RUST = Language.GO, Language.RUST
Rule = dict[str, Any]


def _callee(regex: str, kind: str = "call") -> Rule:
    return {"kind": kind, "has": {"field": "function", "regex": regex}}


def _py_without(*keywords: str) -> Rule:
    """Python arguments with none of `keywords` and no `**kwargs` (which may carry them)."""
    names = "|".join(keywords)
    return {"not": {"has": {"field": "arguments", "has": {"any": [
        {"kind": "keyword_argument", "has": {"field": "name", "regex": f"^({names})$"}},
        {"kind": "dictionary_splat"},
        {"kind": "list_splat"},
    ]}}}}  # fmt: skip


def _js_options_without(key: str) -> Rule:
    """A JS object literal without `key` and without a spread (which may carry it)."""
    return {"kind": "object", "not": {"has": {"any": [
        {"kind": "pair", "has": {"field": "key", "regex": f"^[\"'`]?{key}[\"'`]?$"}},
        {"kind": "shorthand_property_identifier", "regex": f"^{key}$"},
        {"kind": "spread_element"},
    ]}}}  # fmt: skip


def _js_no_option(position: int, key: str) -> Rule:
    """Call arguments whose options object (at `position`) is absent or lacks `key`."""
    return {"has": {"field": "arguments", "any": [
        {"not": {"has": {"nthChild": position}}},
        {"has": {"nthChild": position, **_js_options_without(key)}},
    ]}}  # fmt: skip


_REQUESTS = r"^requests\.(get|post|put|patch|delete|head|options|request)$"
_HTTPX = r"^httpx\.(get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient)$"
MISSING = code_pattern(
    "call-without-timeout",
    [PY],
    {"any": [
        {"all": [_callee(_REQUESTS), _py_without("timeout")]},
        {"all": [
            _callee(_HTTPX),
            {"has": {"field": "arguments", "has": {"kind": "keyword_argument", "all": [
                {"has": {"field": "name", "regex": "^timeout$"}},
                {"has": {"field": "value", "regex": r"^(None|httpx\.Timeout\(None\))$"}},
            ]}}},
        ]},
        # urlopen(url, data=None, timeout=...): a third positional argument is the timeout.
        {"all": [
            _callee(r"^((urllib\.)?request\.)?urlopen$"),
            _py_without("timeout"),
            {"not": {"has": {"field": "arguments", "has": {
                "nthChild": 3, "not": {"kind": "keyword_argument"}}}}},
        ]},
        {"all": [
            _callee(r"^(aiohttp\.)?ClientSession$"),
            _py_without("timeout"),
            {"inside": {"kind": "module", "stopBy": "end", "regex": r"\baiohttp\b"}},
        ]},
    ]},
    ["requests.", "httpx.", "urlopen", "ClientSession"],
)  # fmt: skip

_AXIOS = [
    {"all": [_callee(r"^axios\.(get|delete|head|options)$", "call_expression"),
             _js_no_option(2, "timeout")]},
    {"all": [_callee(r"^axios\.(post|put|patch|postForm|putForm|patchForm)$",
                     "call_expression"),
             _js_no_option(3, "timeout")]},
    {"all": [_callee(r"^axios(\.request|\.create)?$", "call_expression"),
             {"has": {"field": "arguments", "not": {"has": {"nthChild": 2}}}},
             _js_no_option(1, "timeout"),
             {"not": {"has": {"field": "arguments", "has": {"nthChild": 1, "any": [
                 {"kind": "string"}, {"kind": "template_string"}]}}}}]},
    {"all": [_callee(r"^axios$", "call_expression"),
             {"has": {"field": "arguments", "has": {"nthChild": 1, "any": [
                 {"kind": "string"}, {"kind": "template_string"}]}}},
             _js_no_option(2, "timeout")]},
]  # fmt: skip
# Node's fetch needs an absolute URL: a relative one ("/api/items") is browser code.
# `fetch(request)` forwards a Request, which may carry its own signal.
_FETCH = {"all": [
    _callee(r"^fetch$", "call_expression"),
    {"has": {"field": "arguments", "has": {"nthChild": 1, "not": {"any": [
        {"kind": "new_expression"},
        {"kind": "identifier", "regex": "(?i)^req$|request$"},  # a Request may carry a signal
        {"regex": "^[\"'`]/"},
    ]}}}},
    _js_no_option(2, "signal"),
]}  # fmt: skip
code_pattern("call-without-timeout", [JS, TS], {"any": [_FETCH, *_AXIOS]}, ["fetch(", "axios"])
# .tsx is UI code: browser fetch calls are not service calls.
code_pattern("call-without-timeout", [TSX], {"any": _AXIOS}, ["axios"])
AXIOS_DEFAULTS = code_pattern(
    "axios-default-timeout",
    [JS, TS, TSX],
    {"pattern": "axios.defaults.timeout = $T"},
    ["axios.defaults.timeout"],
)
code_pattern(
    "call-without-timeout",
    [GO],
    {"any": [
        _callee(r"^http\.(Get|Post|PostForm|Head)$", "call_expression"),
        # A request built with a deadline context is bounded even on the default client.
        {"all": [
            _callee(r"^http\.DefaultClient\.(Do|Get|Post|PostForm|Head)$", "call_expression"),
            {"not": {"inside": {"stopBy": "end", "regex": r"context\.With(Timeout|Deadline)",
                                "any": [{"kind": "function_declaration"},
                                        {"kind": "method_declaration"},
                                        {"kind": "func_literal"}]}}},
        ]},
        {"kind": "composite_literal", "has": {"field": "type", "regex": r"^http\.Client$"},
         "not": {"has": {"field": "body", "has": {"kind": "keyed_element",
                                                  "regex": r"^Timeout\s*:"}}}},
    ]},
    ["http."],
)  # fmt: skip
_USES_REQWEST_CLIENT = {
    "inside": {
        "kind": "source_file",
        "stopBy": "end",
        "has": {
            "kind": "use_declaration",
            "regex": r"reqwest::(Client|ClientBuilder|\{[^}]*\bClient)\b",
        },
    }
}
# A file that sets per-request timeouts (`.timeout(` on a RequestBuilder) is given the
# benefit of the doubt for its `Client::new()`.
_NO_TIMEOUT_IN_FILE = {
    "not": {"inside": {"kind": "source_file", "stopBy": "end", "regex": r"\.timeout\("}}
}
code_pattern(
    "call-without-timeout",
    [RUST],
    {"all": [
        {"not": RUST_TEST_CODE},
        {"any": [
            _callee(r"^reqwest::get$", "call_expression"),
            {"all": [_callee(r"^reqwest::Client::new$", "call_expression"), _NO_TIMEOUT_IN_FILE]},
            {"all": [_callee(r"^Client::new$", "call_expression"), _USES_REQWEST_CLIENT,
                     _NO_TIMEOUT_IN_FILE]},
            {"all": [
                _callee(r"\.build$", "call_expression"),
                {"any": [
                    {"regex": r"^reqwest::(Client::builder|ClientBuilder::new)\(\)"},
                    {"regex": r"^(Client::builder|ClientBuilder::new)\(\)", **_USES_REQWEST_CLIENT},
                ]},
                {"not": {"regex": r"\.(timeout|read_timeout)\("}},
            ]},
        ]},
    ]},
    ["reqwest"],
)  # fmt: skip


# How each kind of finding reads, by the callee's first characters (first match wins).
_MESSAGES = (
    ("httpx.", "`{callee}` with `timeout=None`"),
    ("fetch", "`fetch` without an abort signal (`AbortSignal.timeout`)"),
    ("http.Client", "`http.Client` without a `Timeout`"),
    ("http.", "`{callee}` uses `http.DefaultClient`, which has no timeout"),
    ("reqwest::get", "`reqwest::get` uses a client without a timeout"),
)


def _message(match: CodeMatch) -> str:
    callee = match.text.lstrip("&").split("(", 1)[0].split("{", 1)[0].strip()
    if callee.endswith(("builder", "ClientBuilder::new")):
        return f"`{callee}()` client built without `.timeout(...)`"
    for prefix, message in _MESSAGES:
        if callee.startswith(prefix):
            return message.format(callee=callee)
    return f"`{callee}` without a timeout"


@rule(
    id="S0402",
    name="call-without-timeout",
    factor=4,
    severity=Severity.WARNING,
    summary="HTTP call or client to a backing service without a timeout",
    remediation="Give every outbound call a timeout (requests `timeout=`, "
    "`AbortSignal.timeout()`, `http.Client{Timeout: ...}`, reqwest `.timeout(...)`).",
)
def call_without_timeout(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds outbound HTTP calls and clients that can wait forever:

    - Python: `requests.get/post/put/patch/delete/head/options/request(...)` without
      `timeout=`; `httpx` calls and `httpx.Client`/`AsyncClient` with an explicit
      `timeout=None` (httpx has a 5 s default, so only `None` turns it off);
      `urllib.request.urlopen(url)` without a timeout; `aiohttp.ClientSession()` without
      `timeout=` (its default allows 5 minutes per request).
    - JavaScript/TypeScript: `fetch(url)` and `fetch(url, {...})` without a `signal`;
      `axios.get/post/...(...)`, `axios(...)` and `axios.create({...})` without `timeout`
      (axios waits forever by default), unless the code sets `axios.defaults.timeout`.
    - Go: `http.Get`, `http.Post`, `http.PostForm`, `http.Head` and
      `http.DefaultClient.Do(...)` (the default client has no timeout), and
      `http.Client{...}` literals without a `Timeout` field.
    - Rust: `reqwest::get(...)` (no timeout can be set), `reqwest::Client::new()`, and
      `Client::builder()...build()` chains without `.timeout(...)`.

    A call whose options are passed as a variable or spread (`**kwargs`, `{...opts}`,
    `axios.get(url, config)`) is not reported: the timeout may be in there.

    ## Why is this bad?
    A backing service that stops answering (a hung TCP connection, a half-open load
    balancer, a slow dependency) holds the caller's worker, thread or connection for as
    long as the socket lives: minutes or forever. Requests pile up behind it, the pool
    empties, and one slow dependency takes the whole service down. A timeout turns the
    hang into an error the service can retry, degrade or report.

    ## Example
    ```python
    response = requests.get(f"{PAYMENTS_URL}/charges/{charge_id}")
    ```

    ## Use instead
    ```python
    response = requests.get(f"{PAYMENTS_URL}/charges/{charge_id}", timeout=5)
    ```

    ## Known problems
    Only the well-known entry points are checked: calls on a `requests.Session`, an
    `aiohttp` session or an axios instance are not followed to where the client was made.
    `fetch` with a relative URL (browser code), `fetch(request)` and calls in `.tsx` files
    are skipped. `http.DefaultClient.Do(req)` is not reported in a function that makes a
    `context.WithTimeout`/`WithDeadline` context, assuming the request carries it. A Rust
    file that sets any per-request `.timeout(...)` is assumed to time out every request
    of its `Client::new()`.
    """
    axios_defaults = bool(facts.matches(AXIOS_DEFAULTS))
    for match in facts.matches(MISSING):
        if axios_defaults and match.text.startswith("axios"):
            continue
        yield fail(_message(match), match.location())
