"""YAML documents with the line of every key and list item, classified by what they configure.

Documents are loaded with PyYAML's safe loader only. Tags it does not know (GitLab's
`!reference`, CloudFormation's `!Ref`) load as the plain data they tag instead of failing.
Aliased nodes are indexed once, so a "billion laughs" document costs its size, not its expansion.
Helm chart templates (`templates/` next to a `Chart.yaml`) are Go templates, not YAML: skipped.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from twelve.lint.facts.files import FileTree
from twelve.lint.facts.parse import KeyPath, ParseProblem, nearest_line, read_text

_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose[^/]*\.ya?ml$")
_POD_SPECS: tuple[KeyPath, ...] = (
    ("spec", "template", "spec"),  # Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, ...
    ("spec", "jobTemplate", "spec", "template", "spec"),  # CronJob
    ("template", "spec"),  # PodTemplate
    ("spec",),  # Pod
)


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """The safe loader, plus: unknown tags construct as their untagged data."""


def _untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor(None, _untagged)


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """One document of a YAML file; `index` counts documents from 0 in the file.

    `kind` is one of `github-workflow`, `gitlab-ci`, `compose`, `k8s` and `other`.
    """

    path: str
    index: int
    start_line: int
    data: Any = field(repr=False)  # an alias-heavy document's repr is its expansion
    kind: str
    lines: dict[KeyPath, int] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of a key or item, else of its nearest ancestor, else of the document.

        Args:
            path: keys and list indexes from the top, e.g. `("jobs", "test", "steps", 0)`.
        """
        return nearest_line(self.lines, path, self.start_line)


@dataclass(frozen=True, slots=True)
class K8sObject:
    """A Kubernetes object; `loc` is where `data` sits in `doc` (`("items", 2)` in a List)."""

    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    data: dict[str, Any] = field(repr=False)
    doc: YamlDoc = field(repr=False)
    loc: KeyPath = ()

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of a path inside the object, e.g. `("spec", "replicas")`.

        Args:
            path: keys and list indexes from the object's top.
        """
        return self.doc.line_of((*self.loc, *path))


@dataclass(frozen=True, slots=True)
class YamlDocs:
    """Every YAML document of the repository, and what could not be parsed."""

    docs: tuple[YamlDoc, ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    def of_kind(self, kind: str) -> list[YamlDoc]:
        """Documents of one kind, in path order."""
        return [doc for doc in self.docs if doc.kind == kind]

    @property
    def workflows(self) -> list[YamlDoc]:
        """GitHub Actions workflows."""
        return self.of_kind("github-workflow")

    @property
    def compose_files(self) -> list[YamlDoc]:
        """Docker Compose files."""
        return self.of_kind("compose")

    @property
    def k8s_objects(self) -> list[K8sObject]:
        """Every Kubernetes object, with the items of `kind: List` documents unpacked."""
        found: list[K8sObject] = []
        for doc in self.of_kind("k8s"):
            items = doc.data.get("items") if str(doc.data["kind"]).endswith("List") else None
            if not isinstance(items, list):
                found.append(_object(doc.data, doc, ()))
                continue
            for index, item in enumerate(items):
                if _is_k8s(item):
                    found.append(_object(item, doc, ("items", index)))
        return found


def _object(data: dict[str, Any], doc: YamlDoc, loc: KeyPath) -> K8sObject:
    meta = data.get("metadata")
    name, space = (_text(meta, "name"), _text(meta, "namespace"))
    return K8sObject(str(data["apiVersion"]), str(data["kind"]), name, space, data, doc, loc)


def _text(mapping: Any, key: str) -> str | None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else None


def k8s_pod_spec(obj: K8sObject) -> tuple[dict[str, Any], KeyPath] | None:
    """The pod spec of a workload (or Pod) and its location in the document, if it has one.

    Args:
        obj: a Kubernetes object from `YamlDocs.k8s_objects`.
    """
    for path in _POD_SPECS:
        node: Any = obj.data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("containers"), list):
            return node, (*obj.loc, *path)
    return None


def k8s_containers(obj: K8sObject, *, init: bool = False) -> list[tuple[dict[str, Any], KeyPath]]:
    """The containers of a workload with their locations in the document (`doc.line_of`).

    Args:
        obj: a Kubernetes object from `YamlDocs.k8s_objects`.
        init: include init containers (listed first, as they run first).
    """
    found = k8s_pod_spec(obj)
    if found is None:
        return []
    spec, loc = found
    containers: list[tuple[dict[str, Any], KeyPath]] = []
    for key in ("initContainers", "containers") if init else ("containers",):
        items = spec.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                containers.append((item, (*loc, key, index)))
    return containers


def _is_k8s(data: Any) -> bool:
    return _text(data, "apiVersion") is not None and _text(data, "kind") is not None


def classify(path: str, data: Any) -> str:
    """What a document configures, from its path first and its content second.

    Args:
        path: the file's repository path.
        data: the loaded document.
    """
    directory, name = posixpath.split(path)
    if directory == ".github/workflows":
        return "github-workflow"
    if name == ".gitlab-ci.yml":
        return "gitlab-ci"
    if _COMPOSE_NAME.match(name):
        return "compose"
    if _is_k8s(data):
        return "k8s"
    services = data.get("services") if isinstance(data, dict) else None
    values = services.values() if isinstance(services, dict) else ()
    if any(isinstance(s, dict) and ("image" in s or "build" in s) for s in values):
        return "compose"
    return "other"


def load(text: str, path: str) -> tuple[list[YamlDoc], list[ParseProblem]]:
    """Every document of a YAML file; on an error, the documents before it and the problem.

    Args:
        text: the file's content.
        path: its repository path.
    """
    docs: list[YamlDoc] = []
    loader, index = _Loader(text), 0
    try:
        while loader.check_node():
            node = loader.get_node()
            data = loader.construct_document(node)
            if data is not None:  # `---` with nothing after it
                docs.append(_document(loader, node, data, path, index))
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return docs, [ParseProblem(path, line, f"invalid YAML: {exc.problem or exc}")]
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return docs, [ParseProblem(path, None, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    return docs, []


def _document(loader: _Loader, root: yaml.Node, data: Any, path: str, index: int) -> YamlDoc:
    lines: dict[KeyPath, int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())]
    while stack:
        node, at = stack.pop()
        if id(node) in seen:  # an alias: indexed where its anchor is
            continue
        seen.add(id(node))
        children: list[tuple[int, yaml.Node, str | int]] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if (key := _key(loader, key_node)) is not None:
                    children.append((key_node.start_mark.line + 1, value_node, key))
        elif isinstance(node, yaml.SequenceNode):
            line, items = node.start_mark.line + 1, set()
            for number, item in enumerate(node.value):
                # An alias item is its anchor's node, marked where the anchor is: it takes
                # the line of the item before it instead (exact in flow lists).
                if id(item) not in seen and id(item) not in items:
                    line = item.start_mark.line + 1
                items.add(id(item))
                children.append((line, item, number))
        for line, _child, key in children:
            lines.setdefault((*at, key), line)
        # Depth first in document order, so an anchor is indexed before its aliases.
        stack.extend((child, (*at, key)) for _line, child, key in reversed(children))
    kind = classify(path, data)
    if kind == "github-workflow" and isinstance(data, dict) and True in data:
        # YAML 1.1 reads the `on:` key as the boolean true.
        data["on"] = data.pop(True)
        lines = {(("on", *p[1:]) if p[:1] == (True,) else p): n for p, n in lines.items()}
    return YamlDoc(path, index, root.start_mark.line + 1, data, kind, lines)


def _key(loader: _Loader, node: yaml.Node) -> str | int | None:
    """A mapping key as the loaded data has it (`on` is True, `8080` an int)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == "tag:yaml.org,2002:str":
        return str(node.value)
    key = loader.construct_object(node)
    return key if isinstance(key, str | int) else str(key)


# A key only Kubernetes objects and compose files have, in block or flow style.
_READ_KEY = re.compile(r"""(?<![\w-])["']?(?:apiVersion|services)["']?[ \t]*:""")


def _may_be_read(path: str, text: str) -> bool:
    """Whether a YAML file may hold a document rules read: CI, compose or Kubernetes.

    Other YAML (data, configuration of other tools) is classified "other" and never read,
    so it is not loaded: a Kubernetes object has an `apiVersion` key, a compose file a
    `services` key.
    """
    directory, name = posixpath.split(path)
    if directory == ".github/workflows" or name == ".gitlab-ci.yml" or _COMPOSE_NAME.match(name):
        return True
    return _READ_KEY.search(text) is not None


def _helm_template(path: str, present: set[str]) -> bool:
    parts = path.split("/")
    return any(
        part == "templates" and "/".join([*parts[:at], "Chart.yaml"]) in present
        for at, part in enumerate(parts[:-1])
    )


def collect(root: Path, tree: FileTree) -> YamlDocs:
    """Load every YAML file of the tree.

    Args:
        root: the repository root.
        tree: the file tree of the run.
    """
    docs: list[YamlDoc] = []
    problems: list[ParseProblem] = []
    for source in tree.files:
        yaml_file = source.name.endswith((".yml", ".yaml")) and source.name != "pnpm-lock.yaml"
        if not yaml_file or _helm_template(source.path, tree.present):
            continue  # pnpm's lockfile is big, generated, and only its presence matters
        text = read_text(root, source.path)
        if isinstance(text, ParseProblem):
            problems.append(text)
            continue
        if not _may_be_read(source.path, text):
            continue
        found, found_problems = load(text, source.path)
        docs.extend(found)
        problems.extend(found_problems)
    return YamlDocs(tuple(docs), tuple(problems))
