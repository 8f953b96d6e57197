"""One rendered Kubernetes object: its body, the file it goes to, and the comment above it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Resource:
    """A Kubernetes object ready to be written as YAML.

    Args:
        stem: the file name without `.yaml`, unique in a render (`deployment-web`).
        body: the object, keys in the order they are written.
        notes: comment lines written above it (without `# `).
    """

    stem: str
    body: dict[str, Any] = field(repr=False)
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The object's `kind`."""
        return str(self.body["kind"])

    @property
    def name(self) -> str:
        """The object's `metadata.name`."""
        return str(self.body["metadata"]["name"])


def metadata(name: str, labels: dict[str, str], namespace: str | None) -> dict[str, Any]:
    """An object's `metadata`.

    Args:
        name: its name.
        labels: its labels.
        namespace: its namespace, or None to leave it to kubectl.
    """
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = labels
    return meta


def labels(service: str, component: str, release: str | None = None) -> dict[str, str]:
    """The recommended `app.kubernetes.io/` labels; without `release`, the selector's.

    A selector is immutable, so it never holds the version.

    Args:
        service: the service name.
        component: the process type or admin task.
        release: the release identity, for object and pod labels.
    """
    found = {"app.kubernetes.io/name": service, "app.kubernetes.io/component": component}
    if release is not None:
        found["app.kubernetes.io/version"] = release
    return found
