"""Kubernetes workloads and the contract process each container runs; shared by S0902, S0903.

A container runs a process when, in this order:

1. its command (`command` + `args`, launchers such as `tini --` or `python -m` peeled off)
   starts with the first two words of the process's command;
2. its name, or the workload's name, is the process name, or the workload's name ends in
   `-<process>` (`orders-web`);
3. the contract has exactly one web process and the container has an `httpGet` probe
   (other services of the repository, a Redis or an nginx, are deployed too; only a
   container probed over HTTP is taken for the web process).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from twelve.contract import Contract, ProcessType
from twelve.lint.facts import Facts
from twelve.lint.facts.parse import KeyPath
from twelve.lint.facts.yamldocs import K8sObject, k8s_containers
from twelve.lint.rules.f05_build_release_run._start_commands import program

# Jobs and CronJobs run to completion: admin tasks, not the contract's processes.
_RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})

Container = tuple[dict[str, Any], KeyPath]


def workload_containers(facts: Facts) -> Iterator[tuple[K8sObject, Container]]:
    """The containers (not init containers) of every long-running workload.

    Args:
        facts: the lint facts.
    """
    for obj in facts.yaml.k8s_objects:
        if obj.kind not in _RUN_TO_COMPLETION:
            for container in k8s_containers(obj):
                yield obj, container


def match_process(
    obj: K8sObject, container: dict[str, Any], contract: Contract
) -> tuple[str, ProcessType] | None:
    """The contract process a container runs, or None when it cannot be told.

    Args:
        obj: the workload.
        container: one of its containers.
        contract: the service contract.
    """
    processes = contract.processes
    argv = program([*_words(container.get("command")), *_words(container.get("args"))])
    # The longest whole command the container runs: `python -m app worker` is the worker
    # even though it starts with the web's `python -m app`.
    whole = [
        (len(wanted), name)
        for name, process in processes.items()
        if (wanted := _argv(process.command)) and argv[: len(wanted)] == wanted
    ]
    if whole:
        name = max(whole)[1]
        return name, processes[name]
    names = {str(container.get("name", "")), obj.name or ""}
    for name, process in processes.items():
        if name in names or (obj.name or "").endswith(f"-{name}"):
            return name, process
    # The program alone (`gunicorn app:app` vs `gunicorn -c conf.py app:app`), when only one
    # process runs it.
    program_of = [
        (name, process)
        for name, process in processes.items()
        if (wanted := _argv(process.command)[:2]) and argv[: len(wanted)] == wanted
    ]
    if len(program_of) == 1:
        return program_of[0]
    web = [(n, p) for n, p in processes.items() if p.kind == "web"]
    if len(web) == 1 and _probed_over_http(container):
        return web[0]
    return None


def http_path(container: dict[str, Any], probe: str) -> str | None:
    """The `httpGet.path` of a container's probe (`livenessProbe`, ...), if it has one."""
    spec = container.get(probe)
    get = spec.get("httpGet") if isinstance(spec, dict) else None
    path = get.get("path", "/") if isinstance(get, dict) else None
    return str(path) if path is not None else None


def _probed_over_http(container: dict[str, Any]) -> bool:
    probes = ("livenessProbe", "readinessProbe", "startupProbe")
    return any(http_path(container, probe) is not None for probe in probes)


def _argv(command: str | list[str]) -> tuple[str, ...]:
    if isinstance(command, list):
        return program(command)
    try:
        return program(shlex.split(command))
    except ValueError:
        return program(command.split())


def _words(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return list(_argv(value)) if isinstance(value, str) else []
