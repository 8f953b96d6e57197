"""What a short link is: its code and its target, and the rules both must follow.

Pure functions, no I/O: the API validates with them and the tests call them directly.
"""

from __future__ import annotations

import re
import secrets
import string
from urllib.parse import urlsplit

CODE_ALPHABET = string.ascii_letters + string.digits
GENERATED_LENGTH = 7  # 62**7, about 3.5e12 codes: a random one is practically always free
MAX_URL_LENGTH = 2048
_CODE = re.compile(r"^[A-Za-z0-9_-]{3,32}$")
# First path segments the service itself answers: a link code must never shadow them.
RESERVED = frozenset({"api", "healthz", "readyz", "version", "favicon.ico", "robots.txt"})


class InvalidLink(ValueError):
    """A link the service refuses; `field` names the offending input, `reason` says why.

    Args:
        field: "url" or "code".
        reason: a short, value-free explanation.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def new_code() -> str:
    """A random code of `GENERATED_LENGTH` letters and digits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(GENERATED_LENGTH))


def check_code(code: object) -> str:
    """A custom code as given, when it is one the service accepts.

    Args:
        code: the client's value.

    Raises:
        InvalidLink: not a string of 3-32 letters, digits, `-` or `_`, or a reserved word.
    """
    if not isinstance(code, str) or not _CODE.match(code):
        raise InvalidLink("code", "3 to 32 characters: letters, digits, '-' or '_'")
    if code.lower() in RESERVED:
        raise InvalidLink("code", "reserved by the service")
    return code


def check_url(url: object) -> str:
    """The target URL as given, when it is an absolute http(s) URL with a host.

    Args:
        url: the client's value.

    Raises:
        InvalidLink: not a string, too long, not http(s), no host, or containing whitespace.
    """
    if not isinstance(url, str) or not url:
        raise InvalidLink("url", "required, a string")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidLink("url", f"longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or ord(char) < 32 for char in url):
        raise InvalidLink("url", "contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- reading the port validates it
    except ValueError:
        raise InvalidLink("url", "not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidLink("url", "must start with http:// or https://")
    if not parts.hostname:
        raise InvalidLink("url", "has no host")
    return url
