"""The JSON Schema (draft 2020-12) of `twelve.toml`, generated from the model."""

from __future__ import annotations

from typing import Any

from twelve.contract.model import Contract

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The schema editors use to validate `twelve.toml` (e.g. with taplo or Even Better TOML)."""
    schema = Contract.model_json_schema(mode="validation")
    return {"$schema": DRAFT, **schema}
