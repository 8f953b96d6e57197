"""S0901 shell-form-entrypoint."""

import re
from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Instruction
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import (
    effective_start,
    is_dev_path,
    program,
)
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})


@rule(
    id="S0901",
    name="shell-form-entrypoint",
    factor=9,
    severity=Severity.WARNING,
    summary="The image starts its process through a shell, which does not pass on SIGTERM",
    remediation=(
        'Use the exec form, `CMD ["gunicorn", "app:app"]`; when a shell is needed, end its '
        'script with `exec` (`sh -c "... && exec gunicorn app:app"`) so the server '
        "replaces the shell."
    ),
)
def shell_form_entrypoint(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks the `ENTRYPOINT` and `CMD` the final image of each Dockerfile runs with
    (inherited from the stages it builds on): a shell form (`CMD gunicorn app:app`) or an
    exec form that starts a shell (`["sh", "-c", "..."]`, `["/bin/bash", "-c", "..."]`)
    is reported, unless the shell script's last command hands over with `exec`
    (`sh -c "envsubst < nginx.tmpl > nginx.conf && exec nginx"` makes the server the
    container's main process). A shell-form `CMD` is reported also behind an exec-form
    `ENTRYPOINT` such as `tini` or an entrypoint script, which then receive
    `/bin/sh -c ...` as the command. A `CMD` that a later `ENTRYPOINT` in shell form
    overrides is not reported twice. Dockerfiles for development (`Dockerfile.dev`,
    `.devcontainer/`) are skipped.

    ## Why is this bad?
    In shell form docker runs `/bin/sh -c "<command>"`: the shell is PID 1 and the server
    its child. `docker stop` and Kubernetes send SIGTERM to PID 1; `sh` (dash, busybox)
    does not forward it, so the server never starts its graceful shutdown, in-flight
    requests are cut off when SIGKILL arrives after the grace period, and every stop takes
    the full grace period.

    ## Example
    ```dockerfile
    CMD gunicorn orders.wsgi --bind 0.0.0.0:$PORT
    ```

    ## Use instead
    ```dockerfile
    CMD ["sh", "-c", "exec gunicorn orders.wsgi --bind 0.0.0.0:$PORT"]
    # or, when no variable needs expanding:
    CMD ["gunicorn", "orders.wsgi"]
    ```

    ## Known problems
    Some shells (bash, for a single command) replace themselves with the command they
    run; the check does not rely on that. An entrypoint script (`["./entrypoint.sh"]`)
    is not read, so a script that forgets `exec "$@"` is not reported.
    """
    dockerfiles = [d for d in facts.dockerfiles.dockerfiles if not is_dev_path(d.path)]
    if not dockerfiles:
        yield not_applicable("no Dockerfile for production")
        return
    for dockerfile in dockerfiles:
        for instruction in effective_start(dockerfile):
            problem = _problem(instruction)
            if problem is not None:
                location = Location(dockerfile.path, instruction.line, snippet=instruction.value)
                yield fail(problem, location)
            if instruction.instruction == "ENTRYPOINT" and not instruction.exec_form:
                break  # a shell-form ENTRYPOINT ignores CMD


def _problem(instruction: Instruction) -> str | None:
    kind = instruction.instruction
    if not instruction.exec_form:
        script = instruction.value
        if _execs(script):
            return None
        return f"{kind} in shell form: SIGTERM goes to /bin/sh, not the server"
    argv = program(instruction.args)
    if argv and argv[0] in _SHELLS and "-c" in argv:
        at = argv.index("-c")
        script = argv[at + 1] if at + 1 < len(argv) else ""
        if not _execs(script):
            return f"{kind} runs `{argv[0]} -c` without `exec`: SIGTERM goes to the shell"
    return None


def _execs(script: str) -> bool:
    """Whether the script's last command replaces the shell (`... && exec server`)."""
    commands = [part.strip() for part in re.split(r"&&|\|\||;|\n", script) if part.strip()]
    return bool(commands) and commands[-1].startswith("exec ")
