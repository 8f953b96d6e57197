"""Link codes, target URLs and backfill day ranges: the rules, without a database."""

from __future__ import annotations

from datetime import date

import pytest
from shortlinks.backfill import DayRange
from shortlinks.links import (
    CODE_ALPHABET,
    GENERATED_LENGTH,
    MAX_URL_LENGTH,
    InvalidLink,
    check_code,
    check_url,
    new_code,
)


def test_generated_codes_are_valid_and_differ() -> None:
    """A generated code has 7 letters or digits, passes the custom-code rule, and repeats are
    (practically) never seen."""
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == GENERATED_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
        assert check_code(code) == code


@pytest.mark.parametrize("code", ["abc", "my-link_2", "A" * 32])
def test_custom_codes_accepted(code: str) -> None:
    """3 to 32 letters, digits, '-' and '_' make a code."""
    assert check_code(code) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ab", "3 to 32 characters: letters, digits, '-' or '_'"),
        ("A" * 33, "3 to 32 characters: letters, digits, '-' or '_'"),
        ("with space", "3 to 32 characters: letters, digits, '-' or '_'"),
        ("é-code", "3 to 32 characters: letters, digits, '-' or '_'"),
        (42, "3 to 32 characters: letters, digits, '-' or '_'"),
        ("api", "reserved by the service"),
        ("HealthZ", "reserved by the service"),
    ],
)
def test_custom_codes_refused(code: object, reason: str) -> None:
    """Codes outside the alphabet or length, non-strings and the service's own paths are refused."""
    with pytest.raises(InvalidLink) as raised:
        check_code(code)
    assert (raised.value.field, raised.value.reason) == ("code", reason)


@pytest.mark.parametrize(
    "url", ["https://example.com", "http://example.com:8080/a?b=c#d", "https://xn--bcher-kva.ch/"]
)
def test_urls_accepted(url: str) -> None:
    """Absolute http(s) URLs with a host are targets."""
    assert check_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (None, "required, a string"),
        ("", "required, a string"),
        ("https://e.com/" + "a" * MAX_URL_LENGTH, f"longer than {MAX_URL_LENGTH} characters"),
        ("https://e.com/a b", "contains whitespace or control characters"),
        ("https://e.com/\x00", "contains whitespace or control characters"),
        ("https://e.com:99999/", "not a valid URL"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("ftp://e.com/file", "must start with http:// or https://"),
        ("/relative/path", "must start with http:// or https://"),
        ("https:///no-host", "has no host"),
    ],
)
def test_urls_refused(url: object, reason: str) -> None:
    """Anything but an absolute http(s) URL with a host, in 2048 characters, is refused."""
    with pytest.raises(InvalidLink) as raised:
        check_url(url)
    assert (raised.value.field, raised.value.reason) == ("url", reason)


def test_day_range_defaults_to_the_last_30_days() -> None:
    """Without options the backfill covers the 30 days up to today, today included."""
    assert DayRange.parse([], today=date(2025, 3, 10)) == DayRange(
        date(2025, 2, 9), date(2025, 3, 10)
    )


def test_day_range_from_options() -> None:
    """--from and --to are ISO dates, both included; --from alone runs up to today."""
    today = date(2025, 3, 10)
    assert DayRange.parse(["--from", "2025-01-01", "--to", "2025-01-31"], today) == DayRange(
        date(2025, 1, 1), date(2025, 1, 31)
    )
    assert DayRange.parse(["--from", "2025-03-01"], today) == DayRange(date(2025, 3, 1), today)


@pytest.mark.parametrize(
    "argv", [["--from", "2025-02-01", "--to", "2025-01-01"], ["--from", "yesterday"], ["--days"]]
)
def test_day_range_refuses_bad_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A reversed range, a date that is not ISO, or an unknown option is a usage error (2)."""
    with pytest.raises(SystemExit) as raised:
        DayRange.parse(argv, today=date(2025, 3, 10))
    assert raised.value.code == 2
    assert "usage: python -m shortlinks admin backfill" in capsys.readouterr().err
