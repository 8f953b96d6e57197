"""`runbook.md`: how to run the service locally, what it needs, where it listens, how to stop it."""

from __future__ import annotations

import shlex
from typing import Any

from twelve.contract import Contract, ProcessType
from twelve.docs.markdown import NONE, code, document, duration, fenced, section, table
from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Dockerfile

_DEFAULT_COMPOSE = frozenset(
    {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}
)


def render_runbook(contract: Contract, facts: Facts) -> str:
    """The runbook document.

    Args:
        contract: the service contract.
        facts: the repository facts (Dockerfile, compose files).
    """
    name = contract.service.name
    summary = contract.service.description.strip()
    intro = (f"{summary}\n\n" if summary else "") + (
        f"How to run {code(name)} on a workstation: the environment it needs, its process "
        "types and ports, its health endpoints, and how to stop it cleanly."
    )
    sections = [
        _run_locally(contract, facts),
        _environment(contract),
        _processes(contract, facts),
        _health(contract),
        _stop(contract, facts),
    ]
    return document(
        f"{name} runbook",
        intro,
        sections,
        "Hand-written notes (local quirks, seed data, troubleshooting): kept verbatim.",
    )


def command_line(command: str | list[str]) -> str:
    """A process command as one shell line.

    Args:
        command: the contract's string or argv list.
    """
    return command if isinstance(command, str) else shlex.join(command)


def service_dockerfile(facts: Facts) -> Dockerfile | None:
    """The Dockerfile that builds the service: the root one, else the first by path.

    Args:
        facts: the repository facts.
    """
    found = sorted(facts.dockerfiles.dockerfiles, key=lambda d: ("/" in d.path, d.path))
    return found[0] if found else None


def exposed_ports(facts: Facts) -> list[int]:
    """The numeric ports the service Dockerfile's final stage EXPOSEs, in order.

    Args:
        facts: the repository facts.
    """
    dockerfile = service_dockerfile(facts)
    if dockerfile is None or dockerfile.final_stage is None:
        return []
    last = dockerfile.final_stage.index
    ports: list[int] = []
    for instruction in dockerfile.of("EXPOSE"):
        for word in instruction.value.split():
            number = word.split("/", 1)[0]
            if instruction.stage == last and number.isdigit() and int(number) not in ports:
                ports.append(int(number))
    return ports


def compose_backing_services(facts: Facts) -> list[tuple[str, str, str]]:
    """Compose services that run a pulled image (databases, caches): (file, name, image).

    Args:
        facts: the repository facts.
    """
    found: list[tuple[str, str, str]] = []
    for doc in facts.yaml.compose_files:
        services: Any = doc.data.get("services") if isinstance(doc.data, dict) else None
        for service, spec in (services or {}).items() if isinstance(services, dict) else ():
            if isinstance(spec, dict) and "image" in spec and "build" not in spec:
                found.append((doc.path, str(service), str(spec["image"])))
    return found


def _run_locally(contract: Contract, facts: Facts) -> str:
    steps = ["cp .env.example .env      # then fill in the required keys, secrets included"]
    backing = compose_backing_services(facts)
    for path in sorted({file for file, _, _ in backing}):
        names = " ".join(service for file, service, _ in backing if file == path)
        flag = "" if path in _DEFAULT_COMPOSE else f"-f {shlex.quote(path)} "
        steps.append(f"docker compose {flag}up -d {names}   # backing services")
    steps.append("set -a; . ./.env; set +a  # export the environment into this shell")
    steps += [
        f"{command_line(task.command)}  # admin.{name}"
        for name, task in contract.admin.items()
        if "migrat" in f"{name} {command_line(task.command)}".lower()
    ]
    blocks = [
        "From the repository root, in a POSIX shell:",
        fenced("\n".join(steps)),
        "Then start each process type, each in its own shell with the same environment:",
        fenced("\n".join(command_line(p.command) for p in contract.processes.values()))
        if contract.processes
        else "No process type is declared in `twelve.toml`.",
    ]
    dockerfile = service_dockerfile(facts)
    if dockerfile is not None:
        ports = exposed_ports(facts)
        publish = f"-p {ports[0]}:{ports[0]} " if ports else '-p "$PORT:$PORT" '
        name = contract.service.name
        blocks += [
            f"Or build and run the image ({code(dockerfile.path)}):",
            fenced(
                f"docker build -t {name} -f {shlex.quote(dockerfile.path)} .\n"
                f"docker run --rm --env-file .env {publish}{name}"
            ),
        ]
    return section("Run locally", *blocks)


def _environment(contract: Contract) -> str:
    required = {n: k for n, k in contract.keys().items() if k.required}
    if not required:
        return section("Required environment", "No key is required; see `config.md` for all.")
    rows = [
        [code(n), k.type.value, "yes" if k.secret else "no", k.description]
        for n, k in required.items()
    ]
    return section(
        "Required environment",
        "The service refuses to start without these. Every key, with defaults and valid "
        "values, is in `config.md`.",
        table(["Key", "Type", "Secret", "Description"], rows),
    )


def _processes(contract: Contract, facts: Facts) -> str:
    if not contract.processes:
        return section("Processes and ports", "No process type is declared.")
    rows = [
        [code(n), p.kind, code(command_line(p.command)), _port(p)]
        for n, p in contract.processes.items()
    ]
    blocks = [table(["Process", "Kind", "Command", "Listens on"], rows)]
    if ports := exposed_ports(facts):
        listed = ", ".join(code(port) for port in ports)
        blocks.append(f"The image exposes {listed}; the process binds the port it is given.")
    return section("Processes and ports", *blocks)


def _port(process: ProcessType) -> str:
    return f"port from {code('$' + process.port_env)}" if process.kind == "web" else NONE


def _health(contract: Contract) -> str:
    web = {n: p for n, p in contract.processes.items() if p.kind == "web"}
    if not web:
        return section("Health endpoints", "No web process: nothing serves health endpoints.")
    rows = [
        [code(n), _path(p.liveness), _path(p.readiness), _path(p.version or "")]
        for n, p in web.items()
    ]
    first = next(iter(web.values()))
    check = [
        f"curl -fsS http://127.0.0.1:${first.port_env}{path}"
        for path in (first.liveness, first.readiness)
        if path
    ]
    return section(
        "Health endpoints",
        table(["Process", "Liveness", "Readiness", "Version"], rows),
        "Liveness answers 200 while the process runs; readiness answers 200 only when it can "
        "serve traffic, and 503 while it drains. `twelve probe` checks both.",
        fenced("\n".join(check)) if check else "",
    )


def _path(path: str) -> str:
    return code(path) if path else "none declared"


def _stop(contract: Contract, facts: Facts) -> str:
    rows = [
        [code(n), duration(p.drain_delay), duration(p.shutdown_timeout)]
        for n, p in contract.processes.items()
    ]
    blocks = [
        "Press Ctrl-C, or send SIGTERM (`kill -TERM <pid>`): each process stops taking new "
        "work (a web process first fails readiness for its drain delay), finishes in-flight "
        "work and exits 0 within its shutdown timeout. A second signal may force it to exit.",
        table(["Process", "Drain delay", "Shutdown timeout"], rows) if rows else "",
    ]
    if compose_backing_services(facts):
        blocks.append("Stop the backing services with `docker compose down`.")
    return section("Stop", *blocks)
