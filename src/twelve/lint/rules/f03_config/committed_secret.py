"""S0301 committed-secret."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts, SecretFinding
from twelve.lint.rule import rule
from twelve.model import Location, Severity, Verdict, fail

# Well-known throwaway database passwords in local URLs (compose files, test settings).
_DEV_PASSWORDS = frozenset(
    {"postgres", "password", "pass", "secret", "root", "admin", "guest", "app", "dev",
     "test", "example", "changeme", "mysql", "redis", "rabbitmq", "user", "local"}
)  # fmt: skip
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"})
_URL_USER_HOST = re.compile(r"://(?P<user>[^\s:/@'\"]+):\*{8}@(?P<host>\[[^\]]+\]|[\w.-]+)")
# Values of `*_token`-like names that are names, not secrets: "X-Api-Token", "GITHUB_TOKEN".
_IDENTIFIER = re.compile(r"^[A-Za-z]+(?:[-_.][A-Za-z]+)+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
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
    ```yaml
    # config/app.yaml
    payments:
      api_key: "q8Zr2vLx7TbN4mWc9KfY"
    ```

    ## Use instead
    ```python
    PAYMENTS_API_KEY = os.environ["PAYMENTS_API_KEY"]  # declared secret in twelve.toml
    ```

    ## Known problems
    Detection is pattern- and entropy-based. A high-entropy value that is not a secret
    (a hash, a public key ID) assigned to a `*_token`-like name is reported; suppress it
    inline with a reason. Passwords that look like words (`hunter2`) in assignments are
    not found, and neither are unquoted values in `.env`-style files unless they match a
    token format (AWS key, URL password, ...). Values of secret-named variables that read
    as names (`"X-Api-Token"`, `"GITHUB_TOKEN"`), URLs or paths are not reported. The AWS
    documentation's example keys (containing `EXAMPLE`) and throwaway
    passwords in connection URLs (`postgres://postgres:postgres@db/app`: a password equal
    to the user name or one of a few well-known defaults, or any password for a
    `localhost` or `127.0.0.1` host) are not reported.
    """
    for finding in facts.secrets:
        hit = finding.hit
        if _is_known_dummy(finding):
            continue
        kind = _KIND_NAMES.get(hit.kind, hit.kind[0].upper() + hit.kind[1:])
        location = Location(hit.path, hit.line, hit.column, snippet=finding.snippet)
        yield fail(f"{kind} committed", location, secrets=[hit.secret])


def _is_known_dummy(finding: SecretFinding) -> bool:
    """Documentation example keys, names and URLs assigned to secret-ish names, and
    throwaway passwords of local database URLs."""
    secret = finding.hit.secret
    if "EXAMPLE" in secret.upper():
        return True
    if finding.hit.kind == "secret assignment":
        # Header and variable names, endpoint URLs and paths assigned to secret-ish names.
        return bool(_IDENTIFIER.match(secret)) or "://" in secret or secret.startswith(("/", "./"))
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
