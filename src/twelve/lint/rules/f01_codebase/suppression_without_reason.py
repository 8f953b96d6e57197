"""S0190 suppression-without-reason."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail


@rule(
    id="S0190",
    name="suppression-without-reason",
    factor=1,
    severity=Severity.WARNING,
    summary="An inline `twelve: ignore[...]` comment gives no reason",
    remediation="Add the reason after the brackets: `# twelve: ignore[S1101] CLI output`.",
)
def suppression_without_reason(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds inline suppression comments that do not say why the finding is acceptable.

    ## Why is this bad?
    A suppression without a reason cannot be reviewed: nobody can tell a considered
    exception from a silenced bug. twelve ignores such a comment, so the finding it meant
    to suppress is still reported.

    ## Example
    ```python
    print("ready")  # twelve: ignore[S1101]
    ```

    ## Use instead
    ```python
    print("ready")  # twelve: ignore[S1101] this module is the CLI, stdout is its interface
    ```
    """
    for suppression in facts.suppressions:
        if not suppression.reason:
            ids = ", ".join(suppression.ids) or "nothing"
            yield fail(
                f"suppression of {ids} gives no reason",
                Location(suppression.path, suppression.line),
            )
