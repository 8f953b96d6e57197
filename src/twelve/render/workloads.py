"""The objects of one process type: its Deployment, and for a web process its Service and HPA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twelve.contract import ProcessType
from twelve.render.env import Environment
from twelve.render.pod import container, pod_spec
from twelve.render.probes import grace_period, http_probes, lifecycle
from twelve.render.resource import Resource, labels, metadata

SERVICE_PORT = 80
HPA_CPU_UTILIZATION = 70


@dataclass(frozen=True, slots=True)
class Workload:
    """What the objects of one process type share.

    Args:
        service: the contract's service name.
        component: the process name as a DNS label (`web`).
        name: the objects' name (`shortlinks-web`).
        image: the image to run.
        namespace: the namespace, or None.
        release: the release identity, or None.
    """

    service: str
    component: str
    name: str
    image: str
    namespace: str | None
    release: str | None

    def metadata(self) -> dict[str, Any]:
        """The objects' `metadata`."""
        return metadata(self.name, self.labels(), self.namespace)

    def labels(self) -> dict[str, str]:
        """Object and pod labels, the version included."""
        return labels(self.service, self.component, self.release)

    def selector(self) -> dict[str, str]:
        """The selector's labels."""
        return labels(self.service, self.component)


def deployment(
    work: Workload,
    process: ProcessType,
    *,
    env: Environment,
    container_env: list[dict[str, Any]],
    replicas: int | None,
    port: int | None,
) -> Resource:
    """The Deployment of one process type.

    Args:
        work: names and labels.
        process: the process.
        env: the service's environment.
        container_env: the container's explicit `env` entries.
        replicas: the replica count; None when an HPA owns it.
        port: the port a web process listens on, None for a worker.
    """
    fields: dict[str, Any] = {}
    if port is not None:
        fields.update(http_probes(process))
    if (hook := lifecycle(process)) is not None:
        fields["lifecycle"] = hook
    main = container(
        work.component,
        work.image,
        process.command,
        env=container_env,
        config_map=env.config_map if env.has_config_map() else None,
        ports=[{"name": "http", "containerPort": port, "protocol": "TCP"}] if port else None,
        **fields,
    )
    spec: dict[str, Any] = {} if replicas is None else {"replicas": replicas}
    spec["selector"] = {"matchLabels": work.selector()}
    spec["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    spec["template"] = {
        "metadata": {"labels": work.labels()},
        "spec": pod_spec([main], terminationGracePeriodSeconds=grace_period(process)),
    }
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": work.metadata()}
    return Resource(f"deployment-{work.component}", {**body, "spec": spec})


def service(work: Workload) -> Resource:
    """The ClusterIP Service in front of a web process, port 80 to the container's `http`.

    Args:
        work: names and labels.
    """
    spec = {
        "type": "ClusterIP",
        "selector": work.selector(),
        "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}],
    }
    body = {"apiVersion": "v1", "kind": "Service", "metadata": work.metadata(), "spec": spec}
    return Resource(f"service-{work.component}", body)


def autoscaler(work: Workload, low: int, high: int) -> Resource:
    """A HorizontalPodAutoscaler on CPU (of the requests in `pod.py`) for a web process.

    Args:
        work: names and labels.
        low: the fewest replicas.
        high: the most replicas.
    """
    target = {"type": "Utilization", "averageUtilization": HPA_CPU_UTILIZATION}
    spec = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": work.name},
        "minReplicas": low,
        "maxReplicas": high,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
    }
    body = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": work.metadata(),
        "spec": spec,
    }
    return Resource(f"hpa-{work.component}", body)
