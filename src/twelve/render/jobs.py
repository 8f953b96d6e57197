"""Admin tasks as Jobs (factor XII): one run per release, never an initContainer of the web.

An idempotent task (a migration) runs when applied and is retried on failure. A task that
is not idempotent is rendered suspended and is never retried: applying the manifests does
not run it; `kubectl patch job NAME -p '{"spec":{"suspend":false}}'` does, once.
"""

from __future__ import annotations

from typing import Any

from twelve.contract import AdminTask
from twelve.render.pod import container, pod_spec
from twelve.render.resource import Resource, labels, metadata

IDEMPOTENT_RETRIES = 2
# A day: the finished Job and its pod's logs stay readable, then the cluster removes them.
TTL_AFTER_FINISHED = 86400


def job(
    service: str,
    task: AdminTask,
    *,
    component: str,
    name: str,
    image: str,
    env: list[dict[str, Any]],
    config_map: str | None,
    namespace: str | None,
    release: str | None,
) -> Resource:
    """The Job of one admin task.

    Args:
        service: the contract's service name.
        task: the admin task.
        component: the task's name as a DNS label.
        name: the Job's name.
        image: the image to run.
        env: the container's explicit `env` entries.
        config_map: the ConfigMap to take the plain keys from, if one is rendered.
        namespace: the namespace, or None.
        release: the release identity, or None.
    """
    main = container(component, image, task.command, env=env, config_map=config_map)
    spec: dict[str, Any] = {
        "backoffLimit": IDEMPOTENT_RETRIES if task.idempotent else 0,
        "ttlSecondsAfterFinished": TTL_AFTER_FINISHED,
    }
    if not task.idempotent:
        spec["suspend"] = True
    spec["template"] = {
        "metadata": {"labels": labels(service, component, release)},
        "spec": pod_spec([main], restartPolicy="Never"),
    }
    body = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(name, labels(service, component, release), namespace),
        "spec": spec,
    }
    notes = [task.description] if task.description else []
    if not task.idempotent:
        notes.append(
            "Not idempotent: created suspended, never retried. Run it once with "
            f"""kubectl patch job {name} -p '{{"spec":{{"suspend":false}}}}'"""
        )
    return Resource(f"job-{component}", body, tuple(notes))
