"""`release.md`: build vs release vs run, admin and migration steps, shutdown, rollback."""

from __future__ import annotations

from typing import Any

from twelve.contract import Contract
from twelve.docs.markdown import NONE, bullets, code, document, duration, fenced, section, table
from twelve.docs.runbook import command_line, service_dockerfile
from twelve.lint.facts import Facts
from twelve.lint.facts.yamldocs import k8s_pod_spec

_BUILD_WORDS = ("docker build", "docker buildx", "docker push", "podman build", "buildah")
_BUILD_ACTIONS = ("docker/build-push-action", "redhat-actions/buildah-build")


def render_release(contract: Contract, facts: Facts) -> str:
    """The release plan document.

    Args:
        contract: the service contract.
        facts: the repository facts (Dockerfile, CI workflows, Procfile, Kubernetes objects).
    """
    name = contract.service.name
    intro = (
        f"How a change to {code(name)} reaches production: the build makes one immutable "
        "artifact, the release combines it with one environment's config, the run executes "
        "it unchanged. Then the admin steps, shutdown timeouts and how to roll back."
    )
    sections = [
        _build(contract, facts),
        _release(contract),
        _admin_steps(contract, facts),
        _run(contract),
        _shutdown(contract, facts),
        _rollback(contract),
    ]
    return document(
        f"{name} release plan",
        intro,
        sections,
        "Hand-written notes (environments, approvals, release calendar): kept verbatim.",
    )


def _build(contract: Contract, facts: Facts) -> str:
    dockerfile = service_dockerfile(facts)
    blocks: list[str] = []
    if dockerfile is None:
        blocks.append("No Dockerfile: the repository does not say how its artifact is built.")
    else:
        rows = [
            [str(s.index), code(s.alias) if s.alias else NONE, code(s.image or s.base_image)]
            for s in dockerfile.stages
        ]
        env = contract.service.version_env
        tag = f"{contract.service.name}:" + (f"${env}" if env else "<commit-sha>")
        blocks += [
            f"The artifact is the container image built from {code(dockerfile.path)}, tagged "
            "with the commit SHA and never rebuilt for another environment:",
            fenced(f"docker build -t {tag} -f {dockerfile.path} ."),
            table(["Stage", "Name", "From"], rows),
        ]
        final = dockerfile.final_stage.index if dockerfile.final_stage else -1
        starts = [
            f"{i.instruction} {code(i.value)}"
            for i in dockerfile.of("ENTRYPOINT", "CMD", "HEALTHCHECK", "STOPSIGNAL", "USER")
            if i.stage == final
        ]
        if starts:
            blocks.append("The final stage runs with " + "; ".join(starts) + ".")
    blocks.append(_ci(facts))
    return section("Build", *blocks)


def _ci(facts: Facts) -> str:
    rows = []
    for doc in facts.yaml.workflows:
        data: Any = doc.data if isinstance(doc.data, dict) else {}
        jobs = data.get("jobs") if isinstance(data.get("jobs"), dict) else {}
        rows.append(
            [
                code(doc.path),
                str(data.get("name") or NONE),
                _triggers(data.get("on")),
                ", ".join(code(job) for job in jobs) or NONE,
                "yes" if _builds_image(jobs) else "no",
            ]
        )
    if not rows:
        return "No CI workflow found: build the artifact in CI, never on a workstation."
    return "CI:\n\n" + table(["Workflow", "Name", "On", "Jobs", "Builds an image"], rows)


def _triggers(on: Any) -> str:
    if isinstance(on, str):
        return code(on)
    names = list(on) if isinstance(on, list | dict) else []
    return ", ".join(code(str(name)) for name in names) or NONE


def _builds_image(jobs: dict[Any, Any]) -> bool:
    for job in jobs.values():
        steps = job.get("steps") if isinstance(job, dict) else None
        for step in steps if isinstance(steps, list) else []:
            if not isinstance(step, dict):
                continue
            if any(word in str(step.get("run", "")) for word in _BUILD_WORDS):
                return True
            if str(step.get("uses", "")).startswith(_BUILD_ACTIONS):
                return True
    return False


def _release(contract: Contract) -> str:
    env = contract.service.version_env
    required = [n for n, k in contract.keys().items() if k.required]
    secrets = [n for n, k in contract.keys().items() if k.secret]
    identity = (
        f"Release identity: {code(env)} carries the commit SHA the artifact was built from "
        "(in GitHub Actions, `${{ github.sha }}`); the service reports it in its logs and "
        "version endpoint."
        if env
        else "Release identity: none declared; set `service.version_env` so each deploy "
        "reports the commit it runs."
    )
    inject = (
        f"Config: the release injects {len(required)} required "
        f"key{'s' if len(required) != 1 else ''} (see `config.md`)"
        + (
            f", secrets ({', '.join(code(s) for s in secrets)}) from the secret manager"
            if secrets
            else ""
        )
        + ". Nothing environment-specific is baked into the artifact."
    )
    return section("Release", bullets([identity, inject]))


def _release_steps(contract: Contract, facts: Facts) -> list[tuple[str, str, str]]:
    """The admin steps a release runs, in order: (name, command, idempotent).

    The Procfile's `release` entry comes first, then every `[admin.*]` task in contract order
    whose name or command is about migrations; a task repeating the Procfile line is listed once.

    Args:
        contract: the service contract.
        facts: the repository facts.
    """
    steps: list[tuple[str, str, str]] = []
    entry = facts.procfile.get("release") if facts.procfile else None
    if entry is not None:
        steps.append(("Procfile `release`", entry.command, "unknown"))
    for name, task in contract.admin.items():
        line = command_line(task.command)
        if "migrat" in f"{name} {line}".lower() or name == "release":
            if entry is not None and line == entry.command:
                steps[0] = (f"Procfile `release` = `admin.{name}`", line, _yes(task.idempotent))
            else:
                steps.append((f"`admin.{name}`", line, _yes(task.idempotent)))
    return steps


def _admin_steps(contract: Contract, facts: Facts) -> str:
    steps = _release_steps(contract, facts)
    release_commands = {command for _, command, _ in steps}
    on_demand = [
        [code(f"admin.{n}"), code(command_line(t.command)), _yes(t.idempotent), t.description]
        for n, t in contract.admin.items()
        if command_line(t.command) not in release_commands
    ]
    blocks: list[str] = []
    if steps:
        blocks += [
            "Run these in order, each as a one-off process of the new release with its "
            "config, after the build and before the new processes take traffic. Stop the "
            "release if one fails.",
            table(
                ["#", "Step", "Command", "Idempotent"],
                [[str(i), step, code(cmd), idem] for i, (step, cmd, idem) in enumerate(steps, 1)],
            ),
        ]
        if any(idem != "yes" for _, _, idem in steps):
            blocks.append("A step not known to be idempotent must run exactly once per release.")
    else:
        blocks.append("No migration or release step is declared.")
    if on_demand:
        blocks += [
            "On demand, never as a side effect of boot:",
            table(["Task", "Command", "Idempotent", "Description"], on_demand),
        ]
    return section("Admin and migration steps", *blocks)


def _run(contract: Contract) -> str:
    if not contract.processes:
        return section("Run", "No process type is declared.")
    rows = [[code(n), p.kind, code(command_line(p.command))] for n, p in contract.processes.items()]
    return section(
        "Run",
        "Every environment runs the same artifact and commands; only the config differs. "
        "Scale by running more processes of a type.",
        table(["Process", "Kind", "Command"], rows),
    )


def _shutdown(contract: Contract, facts: Facts) -> str:
    rows = [
        [
            code(n),
            *(
                duration(s)
                for s in (p.drain_delay, p.shutdown_timeout, p.drain_delay + p.shutdown_timeout)
            ),
        ]
        for n, p in contract.processes.items()
    ]
    if not rows:
        return section("Shutdown", "No process type is declared.")
    blocks = [
        "On SIGTERM a process fails readiness for its drain delay, finishes in-flight work and "
        "exits within its shutdown timeout. Give the platform a grace period of at least their "
        "sum, or it kills the process mid-request.",
        table(["Process", "Drain delay", "Shutdown timeout", "Grace period needed"], rows),
    ]
    grace = _k8s_grace(facts)
    if grace:
        blocks += ["Kubernetes grace periods in the repository:", table(["Object", "Grace"], grace)]
    return section("Shutdown", *blocks)


def _k8s_grace(facts: Facts) -> list[list[str]]:
    rows = []
    for obj in facts.yaml.k8s_objects:
        found = k8s_pod_spec(obj)
        if found is None:
            continue
        seconds = found[0].get("terminationGracePeriodSeconds")
        shown = duration(float(seconds)) if isinstance(seconds, int | float) else "30s (default)"
        rows.append([code(f"{obj.doc.path}: {obj.kind}/{obj.name or '?'}"), shown])
    return rows


def _rollback(contract: Contract) -> str:
    env = contract.service.version_env
    identity = f"its {code(env)}" if env else "its image tag"
    items = [
        f"Roll back by deploying the previous release's artifact (found by {identity}) with "
        "the same config: never rebuild an old commit.",
    ]
    if contract.admin:
        items.append(
            "Migrations are not reversed by a rollback: keep each one backward compatible "
            "(expand, deploy, then contract) so the previous release runs on the new schema."
        )
    items.append("Config changes roll back by restoring the previous values and restarting.")
    return section("Rollback", bullets(items))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
