"""A web process for probe tests: a Python server script run by this interpreter."""

from __future__ import annotations

import sys
from pathlib import Path

from twelve.contract.load import parse_contract
from twelve.probe.context import ProcessUnderTest


def script_service(root: Path, name: str, server: str, settings: str = "") -> ProcessUnderTest:
    """The `web` process of a service named `name` that runs `server` from `root`.

    Args:
        root: the service directory; `server.py` and `twelve.toml` are written there.
        name: the service name.
        server: the Python source of the server.
        settings: more `[processes.web]` lines (e.g. `liveness = "/"`).
    """
    (root / "server.py").write_text(server, encoding="utf-8")
    text = (
        f'[service]\nname = "{name}"\n[processes.web]\n'
        f'command = [{sys.executable!r}, "server.py"]\n{settings}'
        'startup_timeout = "20s"\nshutdown_timeout = "1s"\n'
    )
    contract = parse_contract(text, root / "twelve.toml")
    return ProcessUnderTest("web", contract.processes["web"], contract, root)
