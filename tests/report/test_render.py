"""The one entry point: `render` masks secrets, then hands the report to one format."""

from __future__ import annotations

import copy

import pytest

import twelve.report
from twelve.model import Report
from twelve.report import Format, render
from twelve.report.mask import MASK


def test_public_surface_is_sorted_and_small() -> None:
    """The package exports exactly the format enum, `render` and `mask_report`."""
    assert twelve.report.__all__ == ["Format", "mask_report", "render"]
    assert twelve.report.__all__ == sorted(twelve.report.__all__)


def test_formats_are_the_cli_names() -> None:
    """`--format` accepts exactly these values, as plain strings."""
    assert [str(fmt) for fmt in Format] == ["text", "json", "sarif", "junit", "markdown", "github"]
    assert Format("sarif") is Format.SARIF


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("color", [False, True])
def test_no_secret_or_encoding_of_one_reaches_any_format(
    report: Report, markers: list[str], fmt: Format, color: bool
) -> None:
    """Raw, URL-encoded and base64 forms of every secret are gone; the mask shows instead."""
    output = render(report, fmt, color=color, verbose=True)
    leaked = [marker for marker in markers if marker in output]
    assert leaked == []
    assert MASK in output


@pytest.mark.parametrize("fmt", list(Format))
def test_render_leaves_the_report_untouched(report: Report, fmt: Format) -> None:
    """Masking works on a copy: the caller's report still holds the real values."""
    before = copy.deepcopy(report)
    render(report, fmt)
    assert report == before


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_ends_with_a_newline(report: Report, fmt: Format) -> None:
    """Output can be written to a file or a pipe as is."""
    assert render(report, fmt).endswith("\n")


@pytest.mark.parametrize("fmt", [f for f in Format if f is not Format.TEXT])
def test_only_the_text_format_knows_color(report: Report, fmt: Format) -> None:
    """Machine formats are identical with and without color and have no ANSI escapes."""
    plain = render(report, fmt)
    assert render(report, fmt, color=True, verbose=True) == plain
    assert "\x1b[" not in plain
