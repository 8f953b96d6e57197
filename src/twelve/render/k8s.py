"""`twelve render k8s`: the contract as Kubernetes objects, in the order they are applied.

A ConfigMap of the plain keys; a Job per admin task (run before the rollout); a Deployment
per process type, with a Service (and optionally an HPA) per web process. The Secret the
containers reference is not rendered: its values never pass through twelve.
"""

from __future__ import annotations

from twelve.contract import Contract
from twelve.render.env import Environment, container_env, environment, port_keys
from twelve.render.errors import RenderError
from twelve.render.jobs import job
from twelve.render.options import K8sOptions, object_name
from twelve.render.resource import Resource, metadata
from twelve.render.workloads import Workload, autoscaler, deployment, service

# Job names carry at most this much of the release, like a short commit SHA.
_RELEASE_IN_NAME = 12


def render_k8s(contract: Contract, options: K8sOptions) -> list[Resource]:
    """Every object of the service, ConfigMap first, then Jobs, then the processes'.

    Args:
        contract: the service contract.
        options: image, release, namespace and scale.
    """
    name = contract.service.name
    release = options.release_id()
    env = environment(contract, release)
    found: list[Resource] = []
    if env.has_config_map():
        found.append(_config_map(env, name, options.namespace))
    config_map = env.config_map if env.has_config_map() else None
    for task_name, task in contract.admin.items():
        component = object_name(task_name)
        suffix = (release or "")[:_RELEASE_IN_NAME]
        found.append(
            job(
                name,
                task,
                component=component,
                name=object_name(name, task_name, suffix),
                image=options.image_for(name),
                env=container_env(contract, env, None),
                config_map=config_map,
                namespace=options.namespace,
                release=release,
            )
        )
    ports = port_keys(contract)
    for process_name, process in contract.processes.items():
        work = Workload(
            service=name,
            component=object_name(process_name),
            name=object_name(name, process_name),
            image=options.image_for(name),
            namespace=options.namespace,
            release=release,
        )
        web = process.kind == "web"
        port = (process.port_env, ports[process.port_env]) if web else None
        hpa_max = options.hpa_max if web else None
        replicas = None if hpa_max is not None else options.replicas_of(process.kind)
        found.append(
            deployment(
                work,
                process,
                env=env,
                container_env=container_env(contract, env, port),
                replicas=replicas,
                port=port[1] if port else None,
            )
        )
        if web:
            found.append(service(work))
        if hpa_max is not None:
            found.append(autoscaler(work, options.replicas_of("web"), hpa_max))
    _unique([resource.stem for resource in found])
    return found


def _config_map(env: Environment, service: str, namespace: str | None) -> Resource:
    labels = {"app.kubernetes.io/name": service}
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(env.config_map, labels, namespace),
        "data": env.data,
    }
    notes: tuple[str, ...] = ()
    if env.unset:
        notes = ("Keys the contract gives no default (not set here):", *env.unset)
    return Resource("configmap", body, notes)


def _unique(stems: list[str]) -> None:
    """Two processes or tasks whose names differ only in characters a name cannot hold."""
    for stem in stems:
        if stems.count(stem) > 1:
            raise RenderError(f"two objects would both be written as {stem}.yaml: rename one")
