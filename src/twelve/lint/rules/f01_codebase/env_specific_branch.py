"""S0101 env-specific-branch."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, Language
from twelve.lint.facts.code import JS_FAMILY, CodeMatch, code_pattern
from twelve.lint.facts.env import literal
from twelve.lint.rule import rule
from twelve.model import Severity, Verdict, fail

PY, GO, RUST = Language.PYTHON, Language.GO, Language.RUST

_ENV_VALUES = (
    "prod|production|preprod|pre-prod|staging|stage|stg|dev|develop|development|"
    "test|testing|qa|uat|sandbox|local"
)
# A string literal naming an environment, optionally wrapped as Rust's `Ok("prod")`.
_VALUE = rf"""^(?:(?:Ok|Some)\()?[rRbBuUfF]?["'`](?i:{_ENV_VALUES})["'`]\)?$"""
# The same literal anywhere in a text: every match of these patterns contains one.
_VALUE_INSIDE = re.compile(rf"""["'`]((?i:{_ENV_VALUES}))["'`]""")
# Variables whose name says they hold the environment name: APP_ENV, NODE_ENV, STAGE, ...
_ENV_VAR = r"(?:[A-Z][A-Z0-9]*_)?(?:ENV|ENVIRONMENT|STAGE)(?:_NAME)?"
_ENV_READ = re.compile(
    rf"""(?:\benviron(?:\.get)?|\bgetenv|\bGetenv|\bLookupEnv|\benv::var(?:_os)?|\bDeno\.env\.get
         |\b(?:env|config)(?:\.[a-z]+)?)\s*[(\[]\s*&?["'`](?P<call>{_ENV_VAR})["'`]
       |\b(?:process\.env|Bun\.env)(?:\.(?P<attr>{_ENV_VAR})\b|\[\s*["'`](?P<key>{_ENV_VAR})["'`])""",
    re.VERBOSE,
)
_ENV_NAME = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9]*_?)?(?:[Ee]nv|ENV|[Ee]nvironment|ENVIRONMENT)(?:_?[Nn]ame|_NAME)?$"
    r"|^[A-Za-z][A-Za-z0-9]*_(?:stage|STAGE)$|^STAGE$"
)
_TRAILING_CALL = re.compile(
    r"""(?:\.(?:lower|upper|casefold|strip|toLowerCase|toUpperCase|trim|as_str|as_deref|as_ref
         |unwrap|unwrap_or_default|to_lowercase|to_string|to_owned)\(\)|\?|!)$""",
    re.VERBOSE,
)
_WRAPPER = re.compile(r"^(?:strings\.ToLower|strings\.TrimSpace|String|str)\((?P<inner>.*)\)$")
_CHAIN = re.compile(
    r"""^(?:[A-Za-z_]\w*(?:\.|::|->))*(?P<last>[A-Za-z_]\w*)$
      |^[A-Za-z_][\w.]*\[\s*["'](?P<key>\w+)["']\s*\]$""",
    re.VERBOSE,
)
# JavaScript build tooling reads NODE_ENV as a build-mode switch; that is not service code.
_BUILD_CONFIG = re.compile(
    r"(?:^|/)(?:[\w.-]+\.config\.[cm]?[jt]s|webpack\.[\w.-]+\.[cm]?[jt]s|\.eslintrc\.[cm]?js"
    r"|[Gg]ulpfile\.[cm]?[jt]s|Gruntfile\.[cm]?js|\.babelrc\.[cm]?js)$"
)

COMPARISON = code_pattern(
    "env-branch-comparison",
    [PY],
    {
        "any": [
            {"all": [{"any": [{"pattern": "$A == $B"}, {"pattern": "$A != $B"}]},
                     {"has": {"regex": _VALUE}}]},
            {"all": [{"any": [{"pattern": "$A in $B"}, {"pattern": "$A not in $B"}]},
                     {"has": {"regex": r"^[(\[{]", "has": {"regex": _VALUE}}}]},
        ]
    },
    ["ENV", "env", "Env", "STAGE", "stage"],
    requires=_VALUE_INSIDE.pattern,
)  # fmt: skip
code_pattern(
    "env-branch-comparison",
    JS_FAMILY,
    {"all": [{"any": [{"pattern": f"$A {op} $B"} for op in ("===", "!==", "==", "!=")]},
             {"has": {"regex": _VALUE}}]},
    ["ENV", "env", "Env", "STAGE", "stage"],
    requires=_VALUE_INSIDE.pattern,
)  # fmt: skip
code_pattern(
    "env-branch-comparison",
    [GO, RUST],
    {"all": [{"any": [{"pattern": "$A == $B"}, {"pattern": "$A != $B"}]},
             {"has": {"regex": _VALUE}}]},
    ["ENV", "env", "Env", "STAGE", "stage"],
    requires=_VALUE_INSIDE.pattern,
)  # fmt: skip


def _switch(kind: str, subject: str, case: str) -> dict[str, object]:
    return {
        "all": [
            {"kind": kind},
            {"has": {"field": subject, "pattern": "$S"}},
            {"has": {"stopBy": "end", "kind": case,
                     "has": {"stopBy": "end", "regex": _VALUE, "pattern": "$V"}}},
        ]
    }  # fmt: skip


SWITCH = code_pattern(
    "env-branch-switch",
    [PY],
    _switch("match_statement", "subject", "case_pattern"),
    ["match "],
    requires=_VALUE_INSIDE.pattern,
)
code_pattern(
    "env-branch-switch",
    JS_FAMILY,
    _switch("switch_statement", "value", "switch_case"),
    ["switch"],
    requires=_VALUE_INSIDE.pattern,
)
code_pattern(
    "env-branch-switch",
    [GO],
    _switch("expression_switch_statement", "value", "expression_case"),
    ["switch"],
    requires=_VALUE_INSIDE.pattern,
)
code_pattern(
    "env-branch-switch",
    [RUST],
    _switch("match_expression", "value", "match_pattern"),
    ["match "],
    requires=_VALUE_INSIDE.pattern,
)


@rule(
    id="S0101",
    name="env-specific-branch",
    factor=1,
    severity=Severity.WARNING,
    summary="Code branches on the environment name (APP_ENV, NODE_ENV, ...)",
    remediation=(
        "Replace the environment check with a config key for the behaviour itself "
        "(LOG_FORMAT, FEATURE_X_ENABLED, CACHE_TTL) and set it per deploy."
    ),
)
def env_specific_branch(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Finds comparisons, `switch` statements and `match` expressions that test the name of
    the deploy environment: a read of `APP_ENV`, `ENV`, `ENVIRONMENT`, `NODE_ENV`,
    `FLASK_ENV`, `DJANGO_ENV`, `GO_ENV`, `RUST_ENV`, `STAGE` (any `*_ENV` or `*_STAGE`), or a
    variable or attribute named like one (`env`, `app_env`, `settings.ENV`, `cfg.Env`),
    against a literal such as `"prod"`, `"production"`, `"staging"`, `"dev"` or `"test"`.
    Python, JavaScript, TypeScript, Go and Rust.

    JavaScript build configuration (`*.config.js`/`.ts` such as `webpack.config.js` and
    `vite.config.ts`, `webpack.*.js`, `.eslintrc.js`, gulp and grunt files) is skipped:
    there `NODE_ENV=production` is the conventional build-mode switch, not service
    behaviour. In service code `NODE_ENV` is treated like any other environment name.

    ## Why is this bad?
    One codebase runs as many deploys, and the deploys must differ by config only. A
    branch on the environment name hides behaviour that exists in one deploy and not in
    the others: the production path is never exercised in development or CI, a new
    deploy ("staging-eu") silently gets the wrong branch, and an operator cannot turn the
    behaviour on or off without a code change.

    ## Example
    ```python
    if os.environ.get("APP_ENV") == "production":
        logging.basicConfig(level="WARNING")
    ```

    ```javascript
    if (process.env.NODE_ENV === "production") app.use(compression());
    ```

    ## Use instead
    Name the behaviour and make it a config key that every deploy sets:
    ```python
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    ```

    ```javascript
    if (config.compression) app.use(compression());
    ```

    ## Known problems
    Only comparisons against a literal environment name are found: a lookup table keyed
    by environment (`SETTINGS[env]`), `["production", "staging"].includes(env)`,
    `strings.EqualFold(...)` and a name assembled at run time are missed. A variable is
    recognised by its name only (`env`, `environment`, `app_env`, `deployEnv`, ...).
    Frontend code bundled from the same repository, where `NODE_ENV` checks are removed by
    the bundler, is reported like service code; exclude it with a per-path ignore in the
    contract's `[lint]` table.
    """
    for match in facts.matches(COMPARISON):
        if _BUILD_CONFIG.search(match.path):
            continue
        found = _comparison(match)
        if found is not None:
            subject, value = found
            yield fail(f'`{subject}` compared to "{value}"', match.location())
    for match in facts.matches(SWITCH):
        if _BUILD_CONFIG.search(match.path):
            continue
        on = _env_subject(match.captures.get("S", ""))
        case = _env_value(match.captures.get("V", ""))
        if on is not None and case is not None:
            keyword = match.text.split(None, 1)[0]
            yield fail(f'`{keyword}` on `{on}` with a "{case}" case', match.location())


def _comparison(match: CodeMatch) -> tuple[str, str] | None:
    """The environment subject and the environment name it is compared to, if any."""
    left, right = match.captures.get("A", ""), match.captures.get("B", "")
    for side, other in ((left, right), (right, left)):
        value = _env_value(other)
        if value is None and other.startswith(("(", "[", "{")):  # `env in ("prod", "staging")`
            inside = _VALUE_INSIDE.search(other)
            value = inside[1] if inside else None
        subject = _env_subject(side)
        if value is not None and subject is not None:
            return subject, value
    return None


def _env_value(text: str) -> str | None:
    """The environment name a literal spells, or None."""
    text = text.strip()
    if text.startswith(("Ok(", "Some(")) and text.endswith(")"):
        text = text.split("(", 1)[1][:-1]
    value = literal(text)
    return value if value is not None and re.fullmatch(_ENV_VALUES, value, re.I) else None


def _env_subject(text: str) -> str | None:
    """What holds the environment name: the env var read, or the variable's own text."""
    text = text.strip()
    if (read := _ENV_READ.search(text)) is not None:
        return read["call"] or read["attr"] or read["key"]
    previous = None
    while previous != text:  # peel `(x)`, `x.lower()`, `strings.ToLower(x)`, `x.unwrap()`
        previous = text
        text = _TRAILING_CALL.sub("", text).strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        if (wrapped := _WRAPPER.match(text)) is not None:
            text = wrapped["inner"].strip()
    chain = _CHAIN.match(text)
    if chain is None:
        return None
    name = chain["last"] or chain["key"]
    return text if _ENV_NAME.match(name) else None
