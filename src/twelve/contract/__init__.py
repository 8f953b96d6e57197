"""The contract: `twelve.toml`, the single source of truth about a service's operational shape.

The pydantic model and the loader are imported on first use of one of their names, so a
process that only needs the pydantic-free parts (`twelve.contract.plain`, the value types,
the errors: the runtime kit at startup) never pays for building the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twelve.contract.command import command_words
from twelve.contract.problems import ContractError, Problem
from twelve.contract.validity import CANARY
from twelve.contract.values import ValueType, parse_duration
from twelve.lazy import lazy_attributes

if TYPE_CHECKING:
    from twelve.contract.load import CONTRACT_FILE, find_contract, load_contract, parse_contract
    from twelve.contract.model import (
        AdminTask,
        ConfigKey,
        Contract,
        Lint,
        Logs,
        Probe,
        ProcessType,
        Service,
    )
    from twelve.contract.schema import json_schema

_WHERE = {
    "AdminTask": "model",
    "CONTRACT_FILE": "load",
    "ConfigKey": "model",
    "Contract": "model",
    "Lint": "model",
    "Logs": "model",
    "Probe": "model",
    "ProcessType": "model",
    "Service": "model",
    "find_contract": "load",
    "json_schema": "schema",
    "load_contract": "load",
    "parse_contract": "load",
}

__all__ = [
    "CANARY",
    "CONTRACT_FILE",
    "AdminTask",
    "ConfigKey",
    "Contract",
    "ContractError",
    "Lint",
    "Logs",
    "Probe",
    "Problem",
    "ProcessType",
    "Service",
    "ValueType",
    "command_words",
    "find_contract",
    "json_schema",
    "load_contract",
    "parse_contract",
    "parse_duration",
]


__getattr__, __dir__ = lazy_attributes(__name__, _WHERE, globals(), __all__)
