"""Rendered objects as YAML: one multi-document stream, or one file per object.

The output is deterministic: keys in the order they were built, no timestamps, no version
of twelve, so rendering twice gives the same bytes and a diff shows only real changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from twelve.render.errors import RenderError
from twelve.render.resource import Resource

HEADER = "# Rendered by `twelve render k8s` from twelve.toml: change the contract, render again."
_YAML_SUFFIXES = (".yaml", ".yml")


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists; shared values written in full, never as anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def document(resource: Resource) -> str:
    """One object as a YAML document with its header and notes as comments.

    Args:
        resource: the object.
    """
    notes = "".join(f"# {line}\n" for line in resource.notes)
    body = yaml.dump(
        resource.body,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1000,
    )
    return f"{HEADER}\n{notes}{body}"


def stream(resources: Sequence[Resource]) -> str:
    """Every object in one multi-document YAML stream.

    Args:
        resources: the objects, in order.
    """
    return "---\n".join(document(resource) for resource in resources)


@dataclass(frozen=True, slots=True)
class Written:
    """What `write` did.

    Args:
        written: the files written, in order.
        removed: files of an earlier render removed because their object is gone.
    """

    written: tuple[Path, ...]
    removed: tuple[Path, ...] = ()


def write(resources: Sequence[Resource], output: Path) -> Written:
    """Write to `output`: a `.yaml`/`.yml` file gets every object, a directory one file each.

    In a directory, files an earlier render wrote (they start with the header) for objects
    that are gone are removed, so `kubectl apply -f DIR` does not bring them back; other
    files are left alone.

    Args:
        resources: the objects, in order.
        output: a YAML file, or a directory (created if missing).
    """
    if output.suffix in _YAML_SUFFIXES:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(stream(resources), encoding="utf-8")
        return Written((output,))
    if output.exists() and not output.is_dir():
        raise RenderError(f"{output} is not a directory or a .yaml file")
    output.mkdir(parents=True, exist_ok=True)
    written = {output / f"{resource.stem}.yaml": resource for resource in resources}
    removed = [p for p in sorted(output.glob("*.yaml")) if p not in written and _rendered(p)]
    for path in removed:
        path.unlink()
    for path, resource in written.items():
        path.write_text(document(resource), encoding="utf-8")
    return Written(tuple(written), tuple(removed))


def _rendered(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as file:
        return file.readline().rstrip("\n") == HEADER
