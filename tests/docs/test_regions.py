"""Custom regions: hand-written text that regeneration carries over verbatim."""

from __future__ import annotations

import pytest

from twelve.docs.regions import RegionError, Style, carry_over, find_regions, region

GENERATED = (
    "# Title\n\n"
    "generated v2\n\n"
    "<!-- twelve:begin custom notes -->\n"
    "<!-- placeholder -->\n"
    "<!-- twelve:end custom notes -->\n"
)


def test_region_blocks_in_both_styles() -> None:
    """Markdown regions use HTML comments, dotenv regions `#` comments; both end in a newline."""
    assert region("notes", Style.MARKDOWN, "hint") == (
        "<!-- twelve:begin custom notes -->\nhint\n<!-- twelve:end custom notes -->\n"
    )
    assert region("local", Style.DOTENV) == (
        "# twelve:begin custom local\n# twelve:end custom local\n"
    )


def test_hand_written_content_survives_regeneration_verbatim() -> None:
    """The current file's region content replaces the placeholder; everything else is new."""
    current = (
        "# Title\n\ngenerated v1\n\n"
        "<!-- twelve:begin custom notes -->\n"
        "Call  ops  first.\n\n| kept | table |\n"
        "<!-- twelve:end custom notes -->\n"
    )
    assert carry_over(GENERATED, current) == (
        "# Title\n\ngenerated v2\n\n"
        "<!-- twelve:begin custom notes -->\n"
        "Call  ops  first.\n\n| kept | table |\n"
        "<!-- twelve:end custom notes -->\n"
    )


def test_missing_file_gets_the_placeholders() -> None:
    """Without a current file the generated text is used as is."""
    assert carry_over(GENERATED, None) == GENERATED


def test_region_the_template_no_longer_has_is_appended_not_lost() -> None:
    """A region only the current file has is kept, appended at the end with its markers."""
    current = GENERATED + "# twelve:begin custom old\nkeep\n# twelve:end custom old"
    assert carry_over(GENERATED, current) == (
        GENERATED + "\n# twelve:begin custom old\nkeep\n# twelve:end custom old\n"
    )


def test_find_regions_offsets() -> None:
    """Each region's block and content spans index the text exactly."""
    (notes,) = find_regions(GENERATED)
    assert notes.name == "notes"
    assert GENERATED[notes.content_start : notes.content_end] == "<!-- placeholder -->\n"
    assert GENERATED[notes.start : notes.end].startswith("<!-- twelve:begin custom notes -->")
    assert notes.end == len(GENERATED)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a\n# twelve:begin custom x\nb\n", 2, "custom region 'x' is not closed"),
        (
            "# twelve:begin custom x\n# twelve:begin custom y\n",
            2,
            "custom region 'x' is not closed",
        ),
        ("\n\n# twelve:end custom x\n", 3, "end of custom region 'x' without its begin"),
        (
            "# twelve:begin custom x\n# twelve:end custom x\n"
            "# twelve:begin custom x\n# twelve:end custom x\n",
            3,
            "custom region 'x' appears twice",
        ),
    ],
)
def test_malformed_markers_are_errors_with_their_line(text: str, line: int, message: str) -> None:
    """Broken markers stop regeneration instead of losing hand-written text."""
    with pytest.raises(RegionError) as raised:
        find_regions(text)
    assert (raised.value.line, raised.value.problem) == (line, message)
    assert str(raised.value) == f"line {line}: {message}"
