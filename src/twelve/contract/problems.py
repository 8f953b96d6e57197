"""What goes wrong reading a contract: `Problem`, `ContractError`, and reading the file.

No pydantic here: the runtime kit reports an unreadable contract without loading the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


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


def read_contract(path: Path) -> str:
    """The text of a contract file.

    Args:
        path: the `twelve.toml` to read.

    Raises:
        ContractError: when it cannot be read or is not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(path, [Problem("", f"cannot read: {exc}")]) from None
