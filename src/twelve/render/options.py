"""What `twelve render k8s` is told beyond the contract: image, release, namespace, scale."""

from __future__ import annotations

import re
from dataclasses import dataclass

from twelve.render.errors import RenderError

# `.invalid` never resolves (RFC 2606): a manifest applied without an image fails to pull,
# loudly, instead of running whatever `<name>:latest` some registry happens to hold.
PLACEHOLDER_REGISTRY = "registry.invalid"
WEB_REPLICAS = 2
WORKER_REPLICAS = 1
_LABEL_VALUE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)$")
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class K8sOptions:
    """How to render a contract as Kubernetes manifests.

    Args:
        image: the container image; None renders `registry.invalid/<service>:unset`.
        release: the release identity (commit SHA); default: the image's tag.
        namespace: `metadata.namespace` of every object; None leaves it to kubectl.
        replicas: replicas of every Deployment; None is 2 for web, 1 for worker.
        hpa_max: with a value, a HorizontalPodAutoscaler per web process, up to this.
    """

    image: str | None = None
    release: str | None = None
    namespace: str | None = None
    replicas: int | None = None
    hpa_max: int | None = None

    def __post_init__(self) -> None:
        if self.replicas is not None and self.replicas < 1:
            raise RenderError(f"--replicas must be at least 1, not {self.replicas}")
        if self.hpa_max is not None and self.hpa_max < (self.replicas or WEB_REPLICAS):
            raise RenderError(
                f"--hpa {self.hpa_max} is below the minimum of {self.replicas or WEB_REPLICAS}"
                " replicas"
            )
        if self.namespace is not None and not _dns_label(self.namespace):
            raise RenderError(f"namespace {self.namespace!r} is not a DNS label")
        if self.image is not None and (not self.image or any(c.isspace() for c in self.image)):
            raise RenderError(f"image {self.image!r} is not an image reference")
        if self.release is not None and not _LABEL_VALUE.match(self.release):
            raise RenderError(
                f"release {self.release!r} is not a label value (letters, digits, `-_.`, "
                "at most 63 characters)"
            )

    def image_for(self, service: str) -> str:
        """The image to run; the placeholder when none was given.

        Args:
            service: the contract's service name.
        """
        return self.image or f"{PLACEHOLDER_REGISTRY}/{service}:unset"

    def release_id(self) -> str | None:
        """The release identity: `release`, else the tag of `image` when it is a label value."""
        if self.release is not None:
            return self.release
        if self.image is None or "@" in self.image:
            return None
        last = self.image.rsplit("/", 1)[-1]
        tag = last.rsplit(":", 1)[1] if ":" in last else None
        return tag if tag is not None and _LABEL_VALUE.match(tag) else None

    def replicas_of(self, kind: str) -> int:
        """Replicas of a Deployment of a web or worker process.

        Args:
            kind: the process kind.
        """
        if self.replicas is not None:
            return self.replicas
        return WEB_REPLICAS if kind == "web" else WORKER_REPLICAS


def _dns_label(text: str) -> bool:
    return len(text) <= 63 and bool(_NAME.match(text))


def object_name(*parts: str) -> str:
    """A DNS-label name (Services, Jobs, containers) joined from parts: `shortlinks-web`.

    Characters a label may not hold become `-`; a name still longer than 63 is an error.

    Args:
        parts: the service name, then the process or task name, ...
    """
    words = [re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts]
    name = "-".join(word for word in words if word)
    if not _dns_label(name):
        raise RenderError(
            f"cannot name a Kubernetes object {name!r} from {'-'.join(parts)!r}: a name is "
            "at most 63 lowercase letters, digits and hyphens"
        )
    return name
