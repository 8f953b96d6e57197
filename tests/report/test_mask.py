"""Secret masking: every spelling of every known secret, nowhere else."""

from __future__ import annotations

import base64
from dataclasses import replace
from urllib.parse import quote, quote_plus

import pytest

from twelve.model import Evidence, Location, Report, Result
from twelve.report.mask import MASK, Masker, mask_report, secret_forms

SECRET = "c4nary/s3cr3t+p@ss w0rd?>"


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        quote(SECRET),
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.b64encode(SECRET.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(SECRET.encode()).decode(),
        base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("="),
    ],
)
def test_every_encoding_of_a_secret_is_masked(form: str) -> None:
    """The raw value, its URL-encoded and base64 spellings all become the mask."""
    assert Masker([SECRET])(f"before {form} after") == f"before {MASK} after"


def test_lower_case_percent_encoding_is_masked() -> None:
    """`%2f` is masked like `%2F`: encoders disagree on hex case."""
    lower = "c4nary%2fs3cr3t%2bp%40ss%20w0rd%3f%3e"
    assert Masker([SECRET])(f"dsn={lower}") == f"dsn={MASK}"


@pytest.mark.parametrize("prefix", ["", "u:", "us:", "usr:"])
def test_secret_inside_a_longer_base64_value_is_masked(prefix: str) -> None:
    """Base64 of `user:secret` (a Basic auth header) loses the part the secret determines."""
    header = base64.b64encode(f"{prefix}{SECRET}".encode()).decode()
    masked = Masker([SECRET])(f"Authorization: Basic {header}")
    assert MASK in masked
    assert "L3MzY3IzdCtwQHNz" not in masked  # the middle of the secret's encoding
    assert "3IzdCtw" not in masked


def test_short_secrets_are_ignored() -> None:
    """Secrets under four characters are not masked, so they cannot shred ordinary text."""
    assert Masker(["ab", "", "xyz"])("a table of xyz") == "a table of xyz"
    assert secret_forms("abcd") >= {"abcd", "YWJjZA==", "YWJjZA"}


def test_a_secret_containing_another_is_masked_whole() -> None:
    """The longer secret wins, so no tail of it is left next to a mask."""
    assert Masker(["pass", "password-123"])("pw password-123 and pass") == (f"pw {MASK} and {MASK}")


def test_overlapping_secrets_leave_no_fragment() -> None:
    """A short secret matching just before a longer one does not leave the longer one's tail."""
    assert Masker(["xabc", "abcdefgh"])("xabcdefgh") == f"x{MASK}"


def test_masker_without_secrets_is_falsy_and_returns_text_unchanged() -> None:
    """No secrets: nothing to do, the text comes back as it was."""
    masker = Masker([])
    assert not masker
    assert masker("c4nary") == "c4nary"


def test_mask_report_masks_every_string_and_leaves_the_original_alone(report: Report) -> None:
    """Paths, snippets, messages, evidence titles and lines, notes and target are masked."""
    secret = "t0p-s3cret-value"
    result = Result(
        report.results[1].check,
        report.results[1].outcome,
        f"message {secret}",
        Location(f"src/{secret}/app.py", line=1, snippet=f"key = '{secret}'"),
        evidence=(Evidence(f"title {secret}", (f"line {secret}",)),),
        secrets=frozenset({secret}),
    )
    original = replace(report, target=f"/srv/{secret}", notes=(f"note {secret}",))
    original = original.with_results([result])

    masked = mask_report(original)

    assert masked is not original
    assert masked.target == f"/srv/{MASK}"
    assert masked.notes == (f"note {MASK}",)
    only = masked.results[0]
    assert only.message == f"message {MASK}"
    assert only.location == Location(f"src/{MASK}/app.py", line=1, snippet=f"key = '{MASK}'")
    assert only.evidence == (Evidence(f"title {MASK}", (f"line {MASK}",)),)
    assert original.results[0].message == f"message {secret}"
    assert original.target == f"/srv/{secret}"


def test_mask_report_masks_run_level_and_result_level_secrets(report: Report) -> None:
    """Secrets known to the run and those known to one result are masked everywhere."""
    masked = mask_report(report)
    stderr = masked.results[4].evidence[1].lines
    assert stderr[:4] == (
        f"connecting to postgresql://app:{MASK}@127.0.0.1/app",
        f"form body: password={MASK}&user=app",
        f"token={MASK} url-token={MASK}",
        f"db password {MASK} ({MASK})",
    )
    assert masked.notes[0] == f"probe env: DATABASE_URL=postgresql://app:{MASK}@127.0.0.1/app"


def test_masked_report_no_longer_holds_the_secret_values(report: Report) -> None:
    """The copy forgets the secrets, so serialising it whole cannot leak them."""
    assert report.all_secrets() == {"c4nary/s3cr3t+p@ss w0rd?>", "Xq9-db-pa55word", "ab"}
    assert mask_report(report).all_secrets() == frozenset()
