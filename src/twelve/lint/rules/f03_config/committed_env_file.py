"""S0302 committed-env-file."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.files import is_test_path
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail

# Templates meant to be committed: names and placeholders, no values. `.env.vault` is
# dotenv-vault's encrypted file, committed by design (its key lives in `.env.keys`).
_TEMPLATES = frozenset(
    {"example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "schema", "vault"}
)


@rule(
    id="S0302",
    name="committed-env-file",
    factor=3,
    severity=Severity.ERROR,
    summary="A dotenv file with real values (.env, .env.local, .env.production) is committed",
    remediation=(
        "Delete the file from the repository, add `.env*` (with `!.env.example`) to .gitignore, "
        "rotate any secret it held, and commit a `.env.example` with names only."
    ),
)
def committed_env_file(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds dotenv files that are part of the repository: `.env`, `.env.local`,
    `.env.production`, `.env.development` and any other `.env.*`, in any directory.
    Templates are allowed: `.env.example`, `.env.sample`, `.env.template`, `.env.tmpl`,
    `.env.tpl`, `.env.dist`, `.env.defaults`, `.env.schema` and dotenv-vault's encrypted
    `.env.vault`. Files ignored by `.gitignore` and test fixtures are not reported.

    ## Why is this bad?
    A dotenv file holds one deploy's values, often with its credentials. Committed, it
    leaks those credentials to everyone with the repository, becomes the de-facto config
    of every deploy that forgets to override a value, and groups config into named
    environments instead of independent variables.

    ## Example
    ```text
    .env              DATABASE_URL=postgres://app:<password>@db.internal/app
    .env.production   LOG_LEVEL=warning
    ```

    ## Use instead
    ```text
    .gitignore        .env*
                      !.env.example
    .env.example      DATABASE_URL=          # names only; `twelve docs` writes this file
    ```

    ## Known problems
    Some frontend frameworks (Next.js, Vite, Create React App) document committing
    `.env.production` or `.env.development` with non-secret build-time defaults; in a
    service repository that is still per-environment config, but a frontend package in a
    monorepo can be excluded with a per-path ignore in the contract's `[lint]` table. The
    rule sees what is in the working tree and not ignored, which is not always exactly
    what is tracked by git.
    """
    for path in sorted(facts.tree.present):
        name = path.rsplit("/", 1)[-1]
        if is_test_path(path) or not (name == ".env" or name.startswith(".env.")):
            continue
        suffixes = name.lower().split(".")[2:]
        if not _TEMPLATES.intersection(suffixes):
            yield fail(f"`{name}` is committed", Location(path))
