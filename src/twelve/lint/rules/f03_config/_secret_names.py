"""Which environment variable names and values read as secrets; shared by S0305 and S0306.

A name is secret-like when one of its `_`-separated words says so (`DB_PASSWORD`,
`MYSQL_PWD`, `STRIPE_API_KEY`, `GITHUB_TOKEN`, `CLIENT_SECRET`, `GOOGLE_CREDENTIALS`; a
password also inside a word, `PGPASSWORD`), unless its last word says it names something
else about the secret (`TOKEN_TTL`, `SECRET_FILE`, `API_KEY_HEADER`, `AWS_ACCESS_KEY_ID`).
A key the contract declares `secret = true` is a secret whatever its name.
"""

from __future__ import annotations

import re

from twelve.contract import Contract

# "password" is specific enough inside a word (PGPASSWORD, DBPASSWORD); the others are not.
_SECRET_WORDS = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|(?:^|_)(?:PASS|PWD|SECRET|SECRETS|TOKEN|API_?KEY|PRIVATE_?KEY"
    r"|ACCESS_?KEY|AUTH_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|CREDENTIALS?)(?:_|$)"
)
_NOT_THE_SECRET = frozenset(
    {"FILE", "PATH", "DIR", "URL", "URI", "HOST", "PORT", "USER", "USERNAME", "NAME", "ID",
     "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "TIMEOUT", "LENGTH", "LEN", "SIZE", "HEADER",
     "ENDPOINT", "TYPE", "ENABLED", "ENABLE", "DISABLED", "REQUIRED", "MODE", "ALGORITHM",
     "VERSION", "PREFIX", "LIFETIME", "AGE", "SECONDS", "COUNT", "MIN", "MAX", "ISSUER",
     "AUDIENCE", "REGION", "SCOPE", "SCOPES", "POLICY", "REF", "ARN", "PROVIDER"}
)  # fmt: skip
_NOT_SECRET_VALUE = re.compile(
    r"(?i)^(?:\d+(?:\.\d+)?|true|false|yes|no|on|off|none|null|/.*|\./.*|~/.*|file:.*)$"
)


def secret_names(contract: Contract | None) -> frozenset[str]:
    """The keys the contract declares secret."""
    return frozenset(contract.secret_keys()) if contract else frozenset()


def is_secret_name(name: str, declared: frozenset[str] = frozenset()) -> bool:
    """Whether an environment variable of this name holds a secret.

    Args:
        name: the variable name.
        declared: names the contract declares secret.
    """
    if name in declared:
        return True
    upper = name.upper().replace("-", "_").replace(".", "_")
    last = upper.rsplit("_", 1)[-1]
    return bool(_SECRET_WORDS.search(upper)) and last not in _NOT_THE_SECRET


def is_literal_secret(value: str) -> bool:
    """Whether a value written in a file is a literal that can be a secret: not empty, not a
    variable reference (`$X`, `${X}`, `$(X)`), not a number, boolean or path."""
    value = value.strip()
    return bool(value) and "$" not in value and not _NOT_SECRET_VALUE.match(value)
