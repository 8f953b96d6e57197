"""Tests for the leak finder shared by no-secret-in-config-errors and the leak probes."""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

import pytest

from twelve.probe.env import new_canary
from twelve.probe.probes.f11_logs._leaks import LeakFinder, leak_forms


def test_a_raw_canary_is_found_inside_a_connection_string() -> None:
    """A canary embedded in a URL, next to other URL characters, is found raw."""
    canary = new_canary()
    finder = LeakFinder([canary])
    assert finder.find(f'{{"url":"postgresql://app:{canary}@127.0.0.1:5432/app"}}') == "raw"
    assert finder.find("postgresql://app:****@127.0.0.1:5432/app") is None


@pytest.mark.parametrize("prefix", ["", "a", "ab", "user:", "Authorization header for app:"])
def test_base64_is_found_at_every_alignment(prefix: str) -> None:
    """Basic auth encodes `user:secret`; the secret is found whatever its offset."""
    canary = new_canary()
    finder = LeakFinder([canary])
    encoded = base64.b64encode(f"{prefix}{canary}@rest".encode()).decode()
    assert finder.find(f"Authorization: Basic {encoded}") == "base64"


def test_url_safe_and_unpadded_base64_are_found() -> None:
    """URL-safe base64 without padding (JWT style) is found too."""
    secret = "s3cr3t?>>?value~with/odd+chars"
    finder = LeakFinder([secret])
    encoded = base64.urlsafe_b64encode(secret.encode()).decode().rstrip("=")
    assert finder.find(f"token={encoded}.") in ("base64", "URL-safe base64")


def test_url_encoded_forms_are_found() -> None:
    """A secret with reserved characters is found in quote() and quote_plus() form."""
    secret = "p@ss word/with:reserved&chars"
    finder = LeakFinder([secret])
    assert finder.find(f"GET /x?password={quote(secret, safe='')}") == "URL-encoded"
    assert finder.find(f"password={quote_plus(secret)}&x=1") == "URL-encoded"
    assert finder.find(f"password: {secret}") == "raw"


def test_leak_forms_of_a_canary() -> None:
    """A canary is URL-safe, so its URL-encoded forms are the raw one; base64 has 3 offsets."""
    canary = new_canary()
    forms = leak_forms(canary)
    assert forms[canary] == "raw"
    assert base64.b64encode(canary.encode()).decode() in forms
    assert sum(1 for how in forms.values() if how == "base64") == 3


def test_nothing_to_find_finds_nothing() -> None:
    """With no secrets the finder is falsy and finds nothing, even in base64-looking text."""
    finder = LeakFinder([])
    assert not finder
    assert finder.find("dHcxMmNhbmFyeTAwMDAwMDAwMDAwMDAwMDAwMDAw") is None


def test_unrelated_long_tokens_are_not_leaks() -> None:
    """Request ids, hashes and other canaries do not match."""
    finder = LeakFinder([new_canary()])
    assert finder.find(f"request_id={new_canary()} sha=0123456789abcdef0123456789abcdef") is None
