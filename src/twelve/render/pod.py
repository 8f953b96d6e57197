"""Pod templates: the container of a process or admin task, hardened, with its environment.

Every pod runs as non-root with a read-only root filesystem (a writable emptyDir on /tmp),
no privilege escalation, no capabilities, the runtime's default seccomp profile, no
service-account token and no service-link variables: the environment is the contract's.
"""

from __future__ import annotations

import re
from typing import Any

from twelve.contract import command_words
from twelve.render.errors import RenderError

# Placeholders, to size from measurements: no CPU limit (throttling hurts latency more than
# sharing hurts neighbours), a memory limit so a leak ends in a restart, not a noisy node.
CPU_REQUEST, MEMORY_REQUEST, MEMORY_LIMIT = "100m", "128Mi", "256Mi"
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?-[^}]*)?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def argv(command: str | list[str]) -> list[str]:
    """A contract command as a container `command`: split like a shell, variables in
    Kubernetes' `$(VAR)` form (expanded by the kubelet from the container's environment).

    Args:
        command: the process's or task's command.
    """
    try:
        words = command_words(command)
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    return [_kubelet_vars(word, command) for word in words]


def _kubelet_vars(word: str, command: str | list[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["op"]:
            raise RenderError(
                f"command {command!r}: Kubernetes cannot expand {match[0]} (a default); "
                "give the key a default in the contract and use ${NAME}"
            )
        return f"$({match['braced'] or match['bare']})"

    # `$(` is Kubernetes' own syntax: a literal one is escaped as `$$(`.
    return _VAR.sub(replace, word.replace("$(", "$$("))


def container(
    name: str,
    image: str,
    command: str | list[str],
    *,
    env: list[dict[str, Any]],
    config_map: str | None,
    ports: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A container with its command, environment, resources and security context.

    Args:
        name: the container's name.
        image: the image it runs.
        command: the contract command.
        env: explicit `env` entries.
        config_map: the ConfigMap to take every other variable from, if one is rendered.
        ports: the container's ports, if it listens.
        fields: further container fields (probes, `lifecycle`), placed after the environment.
    """
    spec: dict[str, Any] = {
        "name": name,
        "image": image,
        "command": argv(command),
    }
    if ports:
        spec["ports"] = ports
    if config_map is not None:
        spec["envFrom"] = [{"configMapRef": {"name": config_map}}]
    if env:
        spec["env"] = env
    spec.update(fields)
    spec["resources"] = {
        "requests": {"cpu": CPU_REQUEST, "memory": MEMORY_REQUEST},
        "limits": {"memory": MEMORY_LIMIT},
    }
    spec["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    spec["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    return spec


def pod_spec(containers: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A hardened pod spec around its containers.

    Args:
        containers: the pod's containers.
        fields: further pod spec fields (`terminationGracePeriodSeconds`, `restartPolicy`),
            placed before the containers.
    """
    return {
        **fields,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }
