"""A contract command as words: one splitting for the probe's argv and rendered manifests."""

from __future__ import annotations

import pytest

from twelve.contract import command_words


def test_a_string_is_split_like_a_shell_and_variables_are_kept() -> None:
    """Quotes group, backslashes escape, `$PORT` is left for whoever runs it."""
    assert command_words("""web --name 'a b' --port $PORT x\\ y""") == [
        "web",
        "--name",
        "a b",
        "--port",
        "$PORT",
        "x y",
    ]


def test_a_list_is_taken_as_it_is() -> None:
    """A sequence is already argv: nothing is split again."""
    assert command_words(["web", "a b", "$PORT"]) == ["web", "a b", "$PORT"]


def test_an_unclosed_quote_names_the_command() -> None:
    """The error says which command could not be split, and why."""
    with pytest.raises(ValueError, match=r"^cannot split command \"web 'oops\": No closing"):
        command_words("web 'oops")
