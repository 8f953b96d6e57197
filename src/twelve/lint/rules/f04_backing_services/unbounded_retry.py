"""S0403 unbounded-retry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, RUST_TEST_CODE, code_pattern
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST
Rule = dict[str, Any]


def _kinds(*kinds: str) -> Rule:
    return {"any": [{"kind": kind} for kind in kinds]}


def _callee(regex: str, kind: str = "call") -> Rule:
    return {"kind": kind, "has": {"field": "function", "regex": regex}}


# --- Python: retry decorators and helpers without a stop condition -----------------------


def _py_without(*keywords: str) -> Rule:
    """Python arguments with none of `keywords` and no `**kwargs` (which may carry them)."""
    names = "|".join(keywords)
    return {"not": {"has": {"field": "arguments", "has": {"any": [
        {"kind": "keyword_argument", "has": {"field": "name", "regex": f"^({names})$"}},
        {"kind": "dictionary_splat"},
    ]}}}}  # fmt: skip


# tenacity's `stop=`, retrying's `stop_max_*`, retry's `tries=` (also its 2nd positional).
_PY_STOP = _py_without("stop", "stop_max_attempt_number", "stop_max_delay", "stop_func", "tries")
_PY_RETRY_LIBRARY = {
    "inside": {
        "kind": "module",
        "stopBy": "end",
        "regex": r"(?m)\b(tenacity|retrying)\b|^\s*(from|import) retry\b",
    }
}
_PY_RETRY = r"^(tenacity\.)?retry$"
PY_LIBRARY = code_pattern(
    "unbounded-retry-library",
    [PY],
    {"any": [
        {"any": [{"kind": "identifier"}, {"kind": "attribute"}], "all": [
            {"regex": _PY_RETRY}, {"inside": {"kind": "decorator"}}, _PY_RETRY_LIBRARY]},
        {"all": [
            _callee(_PY_RETRY),
            {"inside": {"kind": "decorator"}},
            _PY_STOP,
            {"not": {"has": {"field": "arguments", "has": {
                "nthChild": 2, "not": {"kind": "keyword_argument"}}}}},
            _PY_RETRY_LIBRARY,
        ]},
        {"all": [_callee(r"^(tenacity\.)?(Async)?Retrying$"), _PY_STOP, _PY_RETRY_LIBRARY]},
        {"all": [
            _callee(r"^(backoff\.)?on_(exception|predicate)$"),
            _py_without("max_tries", "max_time"),
            {"inside": {"kind": "module", "stopBy": "end", "regex": r"\bbackoff\b"}},
        ]},
    ]},
    ["retry", "Retrying", "backoff"],
)  # fmt: skip

# --- loops that retry until success ------------------------------------------------------
#
# A retry loop is an endless loop (`while True`, `for {`, `loop {`) that sleeps, whose only
# ways out are on success (a `break`/`return` right after the attempted call, or in the
# `Ok`/`err == nil` branch), and where no handler or check gives up (`raise`, `throw`,
# `return err`, `break` on an attempts counter, `?`). Endless loops without any exit are
# worker or poll loops, which are meant to run forever, and are not reported.

_PY_EXIT = _kinds("raise_statement", "return_statement", "break_statement")
_PY_SUCCESS = _kinds("break_statement", "return_statement")
PY_LOOP = {
    "kind": "while_statement",
    "has": {"field": "condition", "regex": r"^(True|1)$"},
    "all": [
        {"has": {"field": "body", "has": {"kind": "try_statement", "all": [
            {"any": [
                {"has": {"field": "body", "has": _PY_SUCCESS}},
                {"has": {"kind": "else_clause", "has": {"field": "body", "has": _PY_SUCCESS}}},
            ]},
            {"has": {"kind": "except_clause"}},
            {"not": {"has": {"kind": "except_clause", "has": {"stopBy": "end", **_PY_EXIT}}}},
        ]}}},
        {"not": {"has": {"field": "body", "has": {"not": {"kind": "try_statement"},
                                                  "has": {"stopBy": "end", **_PY_EXIT}}}}},
        {"has": {"stopBy": "end", **_callee(r"^((time|asyncio|trio|anyio|gevent)\.)?sleep$")}},
    ],
}  # fmt: skip
LOOP = code_pattern(
    "unbounded-retry-loop", [PY], PY_LOOP, ["while True", "while 1"], requires="sleep"
)

_JS_EXIT = _kinds("throw_statement", "return_statement", "break_statement")
_JS_SUCCESS = _kinds("break_statement", "return_statement")
_JS_LOOP = {
    "any": [
        {"kind": "while_statement", "has": {"field": "condition", "regex": r"^\(\s*true\s*\)$"}},
        {"kind": "for_statement", "regex": r"^for\s*\(\s*;\s*;\s*\)"},
        {"kind": "do_statement", "has": {"field": "condition", "regex": r"^\(\s*true\s*\)$"}},
    ],
    "all": [
        {"has": {"field": "body", "has": {"kind": "try_statement", "all": [
            {"has": {"field": "body", "has": _JS_SUCCESS}},
            {"has": {"field": "handler", "kind": "catch_clause"}},
            {"not": {"has": {"field": "handler", "has": {"stopBy": "end", **_JS_EXIT}}}},
        ]}}},
        {"not": {"has": {"field": "body", "has": {"not": {"kind": "try_statement"},
                                                  "has": {"stopBy": "end", **_JS_EXIT}}}}},
        {"has": {"stopBy": "end", **_callee(r"(^|\.)(setTimeout|sleep|delay|wait)$",
                                            "call_expression")}},
    ],
}  # fmt: skip
code_pattern(
    "unbounded-retry-loop", JS_FAMILY, _JS_LOOP, ["while (true)", "for (;;)", "while(true)"]
)

_GO_EXIT = {
    "any": [
        {"kind": "return_statement"},
        {"kind": "break_statement"},
        _callee(r"^(panic|log\.(Fatal|Panic)\w*|os\.Exit)$", "call_expression"),
    ]
}
_GO_ERR_NIL = {"field": "condition", "regex": r"\berr\s*==\s*nil\b"}
_GO_LOOP = {
    "kind": "for_statement",
    "regex": r"^for\s*\{",
    "all": [
        {"has": {"stopBy": "end", **_callee(r"^time\.Sleep$", "call_expression")}},
        {"has": {"stopBy": "end", "kind": "if_statement",
                 "has": {"field": "condition", "regex": r"\berr\s*[!=]=\s*nil\b"}}},
        {"has": {"stopBy": "end", **_GO_EXIT}},
        # Every exit is a success exit: in the `if err == nil {` branch, or straight in the
        # loop body after the failure branch has slept and continued.
        {"not": {"has": {"stopBy": "end", **_GO_EXIT, "not": {"any": [
            {"inside": {"stopBy": "end", "kind": "block", "inside": {
                "kind": "if_statement", "field": "consequence", "has": _GO_ERR_NIL}}},
            {"inside": {"kind": "statement_list", "inside": {
                "kind": "block", "inside": {"kind": "for_statement", "regex": r"^for\s*\{"}}}},
        ]}}}},
    ],
}  # fmt: skip
code_pattern("unbounded-retry-loop", [GO], _GO_LOOP, ["time.Sleep"])

_RUST_EXIT = {
    "any": [
        {"kind": "break_expression"},
        {"kind": "return_expression"},
        {"kind": "try_expression"},
        {"kind": "macro_invocation", "regex": r"^(panic|unreachable)!"},
    ]
}
_RUST_LOOP = {
    "kind": "loop_expression",
    "all": [
        {"not": RUST_TEST_CODE},
        {"has": {"stopBy": "end", **_callee(r"(^|::)sleep$", "call_expression")}},
        {"has": {"stopBy": "end", "any": [
            {"kind": "match_arm", "has": {"field": "pattern", "regex": r"^Err\b"}},
            {"kind": "let_condition", "has": {"field": "pattern", "regex": r"^(Err|Ok)\b"}},
        ]}},
        {"has": {"stopBy": "end", "any": [{"kind": "break_expression"},
                                          {"kind": "return_expression"}]}},
        # Every exit is in an `Ok(..)`/`Some(..)` arm or `if let Ok(..)` branch.
        {"not": {"has": {"stopBy": "end", **_RUST_EXIT, "not": {"any": [
            {"inside": {"stopBy": "end", "kind": "match_arm",
                        "has": {"field": "pattern", "regex": r"^(Ok|Some)\b"}}},
            {"inside": {"stopBy": "end", "kind": "block", "inside": {
                "kind": "if_expression", "field": "consequence",
                "has": {"field": "condition", "regex": r"^let\s+(Ok|Some)\b"}}}},
        ]}}}},
    ],
}  # fmt: skip
code_pattern("unbounded-retry-loop", [RUST], _RUST_LOOP, ["sleep"])

JS_OPTIONS = code_pattern(
    "unbounded-retry-options",
    JS_FAMILY,
    {
        "kind": "pair",
        "any": [
            {"all": [{"has": {"field": "key", "regex": "^[\"']?retries[\"']?$"}},
                     {"has": {"field": "value",
                              "regex": r"^(Infinity|Number\.POSITIVE_INFINITY)$"}}]},
            {"all": [{"has": {"field": "key", "regex": "^[\"']?forever[\"']?$"}},
                     {"has": {"field": "value", "regex": "^true$"}}]},
        ],
        "inside": {"stopBy": "end", "kind": "call_expression",
                   "has": {"field": "function", "regex": "(?i)retry"}},
    },
    ["Infinity", "forever"],
)  # fmt: skip


def _library_message(text: str) -> str:
    callee = text.lstrip("@").split("(", 1)[0].strip()
    if "on_exception" in callee or "on_predicate" in callee:
        return f"`@{callee}` without `max_tries` or `max_time`"
    if callee.endswith("Retrying"):
        return f"`{callee}` without `stop=`"
    return f"`@{callee}` without a stop condition"


@rule(
    id="S0403",
    name="unbounded-retry",
    factor=4,
    severity=Severity.WARNING,
    summary="Retry without an attempt or time limit",
    remediation="Bound every retry: a maximum number of attempts or a deadline, with backoff, "
    "then fail loudly (tenacity `stop=`, backoff `max_tries=`, an attempts counter).",
)
def unbounded_retry(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds retries of a backing-service call that never give up:

    - Python: tenacity `@retry`, `@retry(...)`, `Retrying(...)`/`AsyncRetrying(...)`
      without `stop=` (also the `retrying` and `retry` packages without
      `stop_max_attempt_number`/`stop_max_delay`/`tries`); backoff
      `@backoff.on_exception(...)`/`on_predicate(...)` without `max_tries` or `max_time`.
    - JavaScript/TypeScript: `p-retry`/`async-retry`/`retry` options `retries: Infinity`
      or `forever: true`.
    - Hand-written retry loops in all five languages: an endless loop (`while True:`,
      `while (true)`, `for (;;)`, Go `for {`, Rust `loop {`) that sleeps (`time.sleep`,
      `asyncio.sleep`, `setTimeout`/`sleep`/`delay`, `time.Sleep`, `thread::sleep`/
      `tokio::time::sleep`), tries a fallible call (`try`/`except`, `try`/`catch`,
      `if err != nil`/`err == nil`, an `Err(..)` arm or `if let Ok(..)`), and leaves only on
      success: a `break`/`return` right after the attempt (in the `try` body or `else`,
      straight in the Go loop body, in the `err == nil` branch, in an `Ok(..)` arm).
      A loop with any other way out is taken as bounded: a `raise`/`throw`/`return`/
      `break` in the `except`/`catch` handler or in an `if` outside the `try` (an
      attempts counter), a Go `return err` or `ctx.Done()` case, a Rust `?` or an
      `Err(..) if attempts > N =>` arm.

    Endless loops with no exit at all are worker, consumer and poll loops, meant to run
    until the process stops, and are not reported.

    ## Why is this bad?
    A backing service that is down or misconfigured makes an unbounded retry spin for
    ever: the process never fails, so the platform never restarts or alerts on it, the
    readiness probe may stay green, and every caller waits behind a retry that cannot
    succeed. Retries without a bound also amplify an outage into a retry storm. A
    disposable process retries briefly with backoff, then fails loudly and lets the
    platform handle it.

    ## Example
    ```python
    @retry(wait=wait_exponential(max=30))
    def connect() -> Connection:
        return psycopg.connect(os.environ["DATABASE_URL"])
    ```

    ## Use instead
    ```python
    @retry(wait=wait_exponential(max=30), stop=stop_after_delay(60))
    def connect() -> Connection:
        return psycopg.connect(os.environ["DATABASE_URL"])
    ```

    ## Known problems
    Loops are judged by their shape: an exit on any condition counts as a bound, even
    one that is not an attempts counter, and a retry loop whose success exit is nested
    deeper (in an `if` in the `try` body) is not recognised. `while attempts < N` and
    `for attempt in range(N)` loops are bounded by construction and never reported.
    Custom retry helpers and decorators from other libraries are not followed; tenacity
    `stop=` values are not checked (`stop=stop_never` passes).
    """
    for match in facts.matches(PY_LIBRARY):
        yield fail(_library_message(match.text), match.location())
    for match in facts.matches(LOOP):
        yield fail("retry loop without an attempt or time limit", match.location())
    for match in facts.matches(JS_OPTIONS):
        option = " ".join(match.text.split())
        yield fail(f"`{option}` retries for ever", match.location())
