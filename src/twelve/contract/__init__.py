"""The contract: `twelve.toml`, the single source of truth about a service's operational shape."""

from twelve.contract.load import (
    CONTRACT_FILE,
    ContractError,
    Problem,
    find_contract,
    load_contract,
    parse_contract,
)
from twelve.contract.model import (
    CANARY,
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
from twelve.contract.values import ValueType, parse_duration

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
    "find_contract",
    "json_schema",
    "load_contract",
    "parse_contract",
    "parse_duration",
]
