"""Contracts to render: the kit fixture (web + worker + admin) and a web-only service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from twelve.contract import Contract, load_contract
from twelve.render import Resource

KIT_APP = Path(__file__).parents[1] / "fixtures" / "kit_app"
WEB_ONLY = Path(__file__).parent / "fixtures" / "web_only"


@pytest.fixture
def kit_app() -> Contract:
    return load_contract(KIT_APP / "twelve.toml")


@pytest.fixture
def web_only() -> Contract:
    return load_contract(WEB_ONLY / "twelve.toml")


def by_stem(resources: list[Resource]) -> dict[str, dict[str, Any]]:
    return {resource.stem: resource.body for resource in resources}


def pod(body: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = body["spec"]["template"]["spec"]
    return spec


def main_container(body: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod(body)["containers"]
    container: dict[str, Any] = only
    return container
