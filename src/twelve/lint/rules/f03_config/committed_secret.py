"""S0301 committed-secret."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, SecretFinding
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail

# Well-known throwaway database passwords in local URLs (compose files, test settings).
_DEV_PASSWORDS = frozenset(
    {"postgres", "password", "pass", "secret", "root", "admin", "guest", "app", "dev",
     "test", "example", "changeme", "mysql", "redis", "rabbitmq", "user", "local", "hunter2",
     "tiger"}
)  # fmt: skip
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"})
_URL_USER_HOST = re.compile(r"://(?P<user>[^\s:/@'\"]+):\*{8}@(?P<host>\[[^\]]+\]|[\w.-]+)")
# Values of `*_token`-like names that are names, not secrets: words in any case joined by
# separators ("X-Api-Token", "credentials", "_password_reset_token") or an env var name.
_WORD = r"(?:[A-Z]+|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*)"
_IDENTIFIER = re.compile(
    rf"^[-_.]*{_WORD}(?:[-_.]+{_WORD})*[-_.]*$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"
)
# Templates and format strings: "{{ db_password }}", "%(token)s", "prefix-%s", "${TOKEN}".
_INTERPOLATION = re.compile(r"\{\{|\{%|\$\{|%[sd(]|\{\d*\}")
_KIND_NAMES = {"secret assignment": "Secret value"}


@rule(
    id="S0301",
    name="committed-secret",
    factor=3,
    severity=Severity.ERROR,
    summary="A credential (key, token, password, private key) is committed to the repository",
    remediation=(
        "Revoke and rotate the credential now, remove it from the file (and from history), and "
        "read it from an environment variable declared `secret = true` in twelve.toml."
    ),
)
def committed_secret(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Reports every likely secret in a tracked file, in any language or format: private key
    blocks, AWS access keys, GitHub, Slack and Stripe tokens, Google API keys, JWTs,
    passwords in connection URLs, and high-entropy values assigned to names like
    `password`, `secret`, `token` or `api_key`. The detectors run on lines that contain a
    trigger word only, and values that read as placeholders (`${DB_PASSWORD}`, `<token>`,
    `changeme`, `your-api-key`, `xxxx`) are not secrets. The report shows the line with
    the secret masked and masks the value everywhere else too.

    ## Why is this bad?
    A secret in the repository is a secret shared with everyone who can clone it, now and
    forever: every fork, CI cache, laptop and backup holds it, and deleting the line does
    not remove it from history. It also ties the code to one deploy, since another
    deploy cannot use other credentials without a code change.

    ## Example
    ```python
    s3 = boto3.client(
        "s3",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    ```

    ## Use instead
    ```python
    # Credentials from the environment (declared secret in twelve.toml) or the instance role.
    s3 = boto3.client("s3")
    ```

    ## Known problems
    Detection is pattern- and entropy-based. A high-entropy value that is not a secret
    (a hash, a public key ID) assigned to a `*_token`-like name is reported; suppress it
    inline with a reason. Word-like passwords (`hunter2`) in assignments are missed, and
    so are unquoted values in `.env`-style files and Rust `const KEY: &str = "..."`
    unless the value has a known token format (AWS key, URL password, JWT, ...).

    Deliberately not reported: the AWS documentation's example keys (containing
    `EXAMPLE`); values of secret-named variables that read as words or names
    (`"credentials"`, `"X-Api-Token"`, `"GITHUB_TOKEN"`), URLs, paths, templates
    (`"{{ db_password }}"`, `"%(token)s"`) or non-ASCII text; and throwaway passwords in
    connection URLs: equal to the user name, one of a few well-known defaults
    (`postgres`, `password`, `secret`, `tiger`, ...), or for a `localhost`/`127.0.0.1`
    host. A real secret made of letters only in one of those word shapes
    (`"Sunshine"`) is missed.
    """
    for finding in facts.secrets:
        hit = finding.hit
        if _is_known_dummy(finding):
            continue
        kind = _KIND_NAMES.get(hit.kind, hit.kind[0].upper() + hit.kind[1:])
        location = Location(hit.path, hit.line, hit.column, snippet=finding.snippet)
        yield fail(f"{kind} committed", location, secrets=[hit.secret])


def _is_known_dummy(finding: SecretFinding) -> bool:
    """Whether a hit is a documented example, a name or URL, or a throwaway password."""
    secret = finding.hit.secret
    if "EXAMPLE" in secret.upper():
        return True
    if finding.hit.kind == "secret assignment":
        # Names, endpoint URLs, paths, templates and prose assigned to secret-ish names.
        return (
            bool(_IDENTIFIER.match(secret) or _INTERPOLATION.search(secret))
            or "://" in secret
            or secret.startswith(("/", "./"))
            or not secret.isascii()
        )
    if finding.hit.kind != "URL password":
        return False
    url = _URL_USER_HOST.search(finding.snippet)
    if url is None:
        return False
    return (
        secret.lower() in _DEV_PASSWORDS
        or url["user"] in (secret, "*" * 8)  # the mask hides a user name equal to the password
        or url["host"].lower() in _LOOPBACK
    )
