"""P0701 binds-port-env."""

from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, passed
from twelve.probe.context import (
    READY_SLACK_S,
    ProbeContext,
    ProcessUnderTest,
    listening_elsewhere,
)
from twelve.probe.probe import probe


@probe(
    id="P0701",
    name="binds-port-env",
    factor=7,
    severity=Severity.ERROR,
    summary="The web process accepts connections on the port given in its port_env",
    remediation="Read the port from the environment variable the contract names (port_env).",
    needs_start=False,
)
def binds_port_env(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance with a free port in the process's `port_env` (default `PORT`)
    and checks that it accepts TCP connections on exactly that port, on 127.0.0.1 or ::1.
    When it does not, it lists the ports the process tree does listen on.

    ## Why is this bad?
    The platform assigns the port and routes traffic to it. A service that listens on a
    port of its own choosing gets no traffic, or collides with its neighbour.

    ## Example
    ```python
    uvicorn.run(app, host="0.0.0.0", port=8000)
    ```

    ## Use instead
    ```python
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ["PORT"]))
    ```
    """
    process = service.process
    with ctx.launch(service) as instance:
        proc = instance.proc
        if proc.wait_listening(instance.port, process.startup_timeout) or (
            not listening_elsewhere(instance) and proc.wait_listening(instance.port, READY_SLACK_S)
        ):
            yield passed(f"accepting on ${process.port_env}={instance.port}")
            return
        ports = sorted({port for _, port in proc.listening_ports()})
        where = ", ".join(f":{port}" for port in ports) if ports else "no port at all"
        yield fail(
            f"not accepting on ${process.port_env}={instance.port}; listening on {where}",
            evidence=instance.evidence(),
        )
