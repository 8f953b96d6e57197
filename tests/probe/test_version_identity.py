"""Tests for how version-identity reads a version endpoint's JSON body."""

from __future__ import annotations

from twelve.probe.probes.f05_build_release_run.version_identity import (
    scalar_values,
    version_field,
)


def test_version_values_are_found_at_any_depth() -> None:
    """The version endpoint's value may be nested; the version-like field is reported."""
    body = {"service": "shop", "build": {"git_sha": "abc123"}, "ok": True}
    assert set(scalar_values(body)) == {"shop", "abc123"}
    assert version_field(body) == "abc123"
    assert version_field({"service": "shop"}) is None


def test_numbers_and_booleans_are_not_string_values() -> None:
    """Only strings can equal the injected version; a numeric version field is still shown."""
    body = {"version": 1, "debug": False, "tags": ["a", {"b": "c"}]}
    assert list(scalar_values(body)) == ["a", "c"]
    assert version_field(body) == "1"
