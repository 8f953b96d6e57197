"""`python -m twelve.kit config --doc | --check`: the config contract as the kit sees it.

    python -m twelve.kit config --doc [--contract twelve.toml] [--process web] [--json]
    python -m twelve.kit config --check [--contract twelve.toml] [--process web]

`--doc` lists every key the process reads (type, required, default, secret, description);
`--check` validates the current environment exactly as the service would at startup
(exit 78 and the same report on any problem, exit 0 and a summary otherwise).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from twelve.contract.plain import PlainKey, load_plain
from twelve.contract.problems import ContractError
from twelve.kit.config import EX_CONFIG, load_config

_COLUMNS = ("key", "type", "required", "default", "secret", "description")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Args:
        argv: arguments without the program name (default: `sys.argv[1:]`).
    """
    parser = argparse.ArgumentParser(prog="python -m twelve.kit")
    commands = parser.add_subparsers(dest="command", required=True)
    config = commands.add_parser("config", help="the config contract")
    action = config.add_mutually_exclusive_group(required=True)
    action.add_argument("--doc", action="store_true", help="list every key")
    action.add_argument("--check", action="store_true", help="validate the environment")
    config.add_argument("--contract", default="twelve.toml", help="path to twelve.toml")
    config.add_argument("--process", default=None, help="process type (adds its port key)")
    config.add_argument("--json", action="store_true", help="--doc as JSON")
    args = parser.parse_args(argv)
    if args.check:
        loaded = load_config(args.contract, process=args.process)
        count = len(loaded.values)
        print(f"config of {loaded.service} is valid: {count} key(s)")
        return 0
    try:
        contract = load_plain(Path(args.contract))
    except ContractError as error:
        print(error.render(), file=sys.stderr)
        return EX_CONFIG
    rows = [doc_row(name, key) for name, key in contract.keys(args.process).items()]
    if args.json:
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        sys.stdout.write(render_table(rows))
    return 0


def doc_row(name: str, key: PlainKey) -> dict[str, str]:
    """One key as documentation; a secret never has a default, so nothing secret is shown.

    Args:
        name: the environment variable.
        key: its declaration.
    """
    kind = str(key.type)
    if key.choices:
        kind += f" ({'|'.join(key.choices)})"
    if key.schemes:
        kind += f" ({'|'.join(key.schemes)})"
    return {
        "key": name,
        "type": kind,
        "required": "yes" if key.required else "no",
        "default": "" if key.default is None else str(key.default),
        "secret": "yes" if key.secret else "no",
        "description": key.description,
    }


def render_table(rows: Sequence[dict[str, str]]) -> str:
    """Rows as an aligned text table with a header.

    Args:
        rows: as `doc_row` makes them.
    """
    table = [dict(zip(_COLUMNS, (c.upper() for c in _COLUMNS), strict=True)), *rows]
    widths = {column: max(len(row[column]) for row in table) for column in _COLUMNS}
    lines = ["  ".join(row[c].ljust(widths[c]) for c in _COLUMNS).rstrip() for row in table]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
