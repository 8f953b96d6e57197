"""S1101 print-logging."""

from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, code_pattern
from twelve.lint.facts.files import is_cli_path
from twelve.lint.rule import rule
from twelve.lint.rules.f11_logs._logged_values import PY_PRINT_TEXT
from twelve.model import Severity, Verdict, fail

PRINT = code_pattern(
    "print-call", [Language.PYTHON], {"pattern": "print($$$)"}, ["print("], requires=PY_PRINT_TEXT
)
code_pattern(
    "print-call",
    JS_FAMILY,
    {
        "any": [
            {"pattern": f"console.{method}($$$)"}
            for method in ("log", "info", "warn", "error", "debug")
        ]
    },
    ["console."],
)
code_pattern(
    "print-call",
    [Language.GO],
    {"kind": "call_expression", "has": {"field": "function", "regex": r"^fmt\.Print(ln|f)?$"}},
    ["fmt.Print"],
)
code_pattern(
    "print-call",
    [Language.RUST],
    {
        "any": [
            {"pattern": f"{macro}!($$$)"}
            for macro in ("println", "print", "eprintln", "eprint", "dbg")
        ]
    },
    ["print", "dbg!"],
)


@rule(
    id="S1101",
    name="print-logging",
    factor=11,
    severity=Severity.WARNING,
    summary="print/console.log/println!/fmt.Println used for logging in service code",
    remediation="Log through the structured logger (structlog, pino, slog, tracing) instead.",
)
def print_logging(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds bare print calls in service code: Python `print`, JavaScript `console.log` and
    friends, Go `fmt.Println`/`Printf`/`Print`, Rust `println!`, `eprintln!`, `dbg!`.
    Command-line tools and scripts (`scripts/`, `bin/`, `cli.py`, `manage.py`, ...) and
    tests are not service code and are skipped.

    ## Why is this bad?
    Print output has no level, no timestamp, no request id and no service name, and it is
    not JSON: the log platform cannot index it, alert on it or correlate it with a request.
    The playbook asks for structured logs only.

    ## Example
    ```python
    print(f"created link {slug}")
    ```

    ## Use instead
    ```python
    log.info("link created", slug=slug)
    ```
    """
    for match in facts.matches(PRINT):
        if not is_cli_path(match.path):
            name = match.text.split("(", 1)[0]
            yield fail(f"`{name}` used for output", match.location())
