"""S0191 unused-suppression."""

from collections.abc import Iterator

from twelve.lint.facts import Facts, InlineSuppression
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail


@rule(
    id="S0191",
    name="unused-suppression",
    factor=1,
    severity=Severity.WARNING,
    summary="An inline suppression matches no finding",
    remediation="Delete the comment; the finding it suppressed is gone.",
)
def unused_suppression(facts: Facts, used: frozenset[InlineSuppression]) -> Iterator[Verdict]:
    """
    ## What it does
    Finds `twelve: ignore[...]` comments that suppressed nothing in this run. The lint
    engine runs this rule last, with the suppressions that were used.

    ## Why is this bad?
    Stale suppressions hide the next real finding on that line and rot into noise that
    nobody dares to delete.

    ## Example
    ```python
    logger.info("started")  # twelve: ignore[S1101] was a print once
    ```

    ## Use instead
    ```python
    logger.info("started")
    ```
    """
    for suppression in facts.suppressions:
        if suppression.reason and suppression not in used:
            yield fail(
                f"suppression of {', '.join(suppression.ids)} matches no finding",
                Location(suppression.path, suppression.line),
            )
