"""Load `twelve.toml`, reporting every problem at once with its line and a "did you mean"."""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from twelve.contract.locate import KeyLines
from twelve.contract.model import Contract
from twelve.contract.problems import ContractError, Problem, read_contract
from twelve.contract.validity import Loc, cross_problems

CONTRACT_FILE = "twelve.toml"
_MISSING = object()
_TOML_POSITION = re.compile(r"\(at line (?P<line>\d+), column (?P<column>\d+)\)")


def find_contract(directory: Path, contract: Path | None = None) -> Path | None:
    """The contract file for a service directory, or None when it has none.

    Args:
        directory: the service root.
        contract: an explicit `--contract` path, which must exist.
    """
    if contract is not None:
        if not contract.is_file():
            raise ContractError(contract, [Problem("", "no such file")])
        return contract
    candidate = directory / CONTRACT_FILE
    return candidate if candidate.is_file() else None


def load_contract(path: Path) -> Contract:
    """Parse and validate a contract file.

    Args:
        path: the `twelve.toml` to read.

    Raises:
        ContractError: listing every problem, each with its line.
    """
    return parse_contract(read_contract(path), path)


def parse_contract(text: str, path: Path) -> Contract:
    """Validate contract text; `path` is only used in messages and kept on the result."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        message = _TOML_POSITION.sub("", str(exc)).strip()
        line = int(position["line"]) if position else None
        column = int(position["column"]) if position else None
        raise ContractError(path, [Problem("", f"TOML syntax: {message}", line, column)]) from None
    lines = KeyLines(text)
    problems = [
        Problem(_dotted(loc), message, lines.line_of(loc)) for loc, message in cross_problems(raw)
    ]
    contract: Contract | None = None
    try:
        contract = Contract.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_problems(exc, raw, lines))
    if problems or contract is None:
        raise ContractError(path, problems)
    contract._path = path
    contract._lines = lines.lines
    return contract


def _problems(exc: ValidationError, raw: dict[str, Any], lines: KeyLines) -> Iterator[Problem]:
    for error in exc.errors(include_input=False, include_url=False):
        loc = _data_loc(error["loc"], raw)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
            valid = _fields_at(loc[:-1])
            if close := difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6):
                message += f'; did you mean "{close[0]}"?'
        elif error["type"] == "missing":
            message = "required key is missing"
        yield Problem(_dotted(loc), message, lines.line_of(loc))


def _data_loc(loc: tuple[int | str, ...], raw: Any) -> Loc:
    """The part of a pydantic error location that names keys in the document.

    Union validation appends member names (`str`, `list[str]`) that are not keys.
    """
    kept: list[str | int] = []
    node = raw
    for part in loc:
        found = _MISSING
        if isinstance(node, dict):
            found = node.get(part, _MISSING)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            found = node[part]
        if found is _MISSING and not isinstance(node, dict):
            break
        node = found
        kept.append(part)
    return tuple(kept)


def _fields_at(loc: Loc) -> list[str]:
    """The valid key names of the table at `loc`, for suggestions."""
    model: Any = Contract
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            model = field.annotation if field else None
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)
