"""Load `twelve.toml`, reporting every problem at once with its line and a "did you mean"."""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from twelve.contract.locate import KeyLines
from twelve.contract.model import Contract, Loc, cross_problems

CONTRACT_FILE = "twelve.toml"
_MISSING = object()
_TOML_POSITION = re.compile(r"\(at line (?P<line>\d+), column (?P<column>\d+)\)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a contract."""

    key: str
    message: str
    line: int | None = None
    column: int | None = None


class ContractError(Exception):
    """A contract that cannot be used; lists every problem found."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(sorted(problems, key=lambda p: (p.line or 0, p.key)))
        super().__init__(self.render())

    def render(self) -> str:
        """The error as people read it: a headline and one line per problem."""
        count = len(self.problems)
        lines = [f"{self.path}: invalid contract, {count} problem{'s' if count != 1 else ''}"]
        for problem in self.problems:
            where = str(self.path) if problem.line is None else f"{self.path}:{problem.line}"
            if problem.column is not None:
                where += f":{problem.column}"
            key = f"{problem.key}: " if problem.key else ""
            lines.append(f"  {where}: {key}{problem.message}")
        return "\n".join(lines)


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
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(path, [Problem("", f"cannot read: {exc}")]) from None
    return parse_contract(text, path)


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
