"""The load of `rolling_restart.py`: paced requests from their own process, each one recorded.

    python benchmarks/_loadgen.py PORT OUT --codes a,b,c [--rate 50] [--concurrency 16]
        [--duration 15] [--seed 1]

Request i is due at start + i / rate, whatever the latency of the others, so the load stays
steady through a restart; at most `concurrency` are in flight, each on its own keep-alive
connection to 127.0.0.1:PORT. Latency counts from when a request was due, so time spent
waiting for a free connection when the service falls behind is counted too (no coordinated
omission). The mix, drawn from a seeded generator: 85% `GET /{code}` (302), 10%
`GET /api/links/{code}/stats` (200), 5% `POST /api/links` with a generated code (201). One
untimed `GET /healthz` comes first, so the client's own start is not measured.

HTTP/1.1 is spoken with h11 (the protocol library under httpx and uvicorn) over asyncio
streams: about 0.3 ms of CPU per request on the 2-core machine this was written on, where
httpx's client took 6 ms (16 connections), more than the service itself, so the load
generator would have been what the figures measured.

OUT gets one JSON object: `{"records": [[due, latency_s, kind, outcome], ...]}`, `due` on
the monotonic clock (CLOCK_MONOTONIC: one clock for every process on the machine, so the
caller can place each request against its restarts), `outcome` the status code or the
error's type name. Bounded: at most rate x duration requests, none sent after `duration`
(when the service falls behind, the rest is not sent), each given up after 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path

import h11
import orjson

HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 10.0
KINDS = ("redirect", "stats", "create")
WEIGHTS = (85, 10, 5)  # percent, in the order of KINDS

Record = tuple[float, float, str, int | str]


class Connection:
    """One keep-alive HTTP/1.1 connection, opened on first use and again after it closes.

    Args:
        port: the port on 127.0.0.1.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self._host = f"{HOST}:{port}"
        self._protocol: h11.Connection | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, target: str, body: bytes = b"") -> int:
        """Send one request and read the whole response; its status code.

        Raises OSError (refused, reset), h11.ProtocolError, TimeoutError: the connection is
        closed then, and the next request opens a new one.

        Args:
            method: GET or POST.
            target: the path and query.
            body: a JSON body (POST).
        """
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                return await self._exchange(method, target, body)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, method: str, target: str, body: bytes) -> int:
        if self._protocol is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(HOST, self._port)
            self._protocol = h11.Connection(h11.CLIENT)
        protocol = self._protocol
        headers = [("host", self._host), ("content-length", str(len(body)))]
        if body:
            headers.append(("content-type", "application/json"))
        data = protocol.send(h11.Request(method=method, target=target, headers=headers)) or b""
        if body:
            data += protocol.send(h11.Data(data=body)) or b""
        self._writer.write(data + (protocol.send(h11.EndOfMessage()) or b""))
        await self._writer.drain()
        status = 0
        while not isinstance(event := await self._next_event(protocol), h11.EndOfMessage):
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionResetError("closed before the response ended")
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()  # keep-alive
        else:
            self.close()  # `Connection: close` from the other side
        return status

    async def _next_event(self, protocol: h11.Connection) -> object:
        assert self._reader is not None
        while (event := protocol.next_event()) is h11.NEED_DATA:
            protocol.receive_data(await self._reader.read(65536))
        return event

    def close(self) -> None:
        """Close the connection, if open."""
        if self._writer is not None:
            self._writer.close()
        self._protocol = self._reader = self._writer = None


async def _send(connection: Connection, kind: str, code: str, number: int, due: float) -> Record:
    """Send one request of `kind`; its record (errors are outcomes, never raised)."""
    outcome: int | str
    try:
        if kind == "redirect":
            outcome = await connection.request("GET", f"/{code}")
        elif kind == "stats":
            outcome = await connection.request("GET", f"/api/links/{code}/stats?days=7")
        else:
            body = orjson.dumps({"url": f"https://example.com/load/{number}"})
            outcome = await connection.request("POST", "/api/links", body)
    except (OSError, h11.ProtocolError, TimeoutError) as error:
        outcome = type(error).__name__
    return due, time.monotonic() - due, kind, outcome


async def run(
    port: int, codes: list[str], *, rate: float, concurrency: int, duration: float, seed: int
) -> list[Record]:
    """Send the paced load to 127.0.0.1:`port`; every request's record, in the order due.

    Args:
        port: the load balancer's port.
        codes: existing link codes to follow and read.
        rate: requests due per second.
        concurrency: requests in flight at most (one connection each).
        duration: seconds during which requests are sent.
        seed: seed of the request mix.
    """
    chooser = random.Random(seed)
    connections = [Connection(port) for _ in range(concurrency)]
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in connections:
        idle.put_nowait(connection)
    pending: list[asyncio.Task[Record]] = []

    async def send(connection: Connection, kind: str, code: str, number: int, due: float) -> Record:
        try:
            return await _send(connection, kind, code, number, due)
        finally:
            idle.put_nowait(connection)

    await connections[0].request("GET", "/healthz")
    started = time.monotonic()
    for number in range(int(rate * duration)):
        due = started + number / rate
        if (ahead := due - time.monotonic()) > 0:
            await asyncio.sleep(ahead)
        connection = await idle.get()
        if time.monotonic() - started > duration:  # fallen behind: the rest is not sent
            break
        kind = chooser.choices(KINDS, WEIGHTS)[0]
        task = send(connection, kind, chooser.choice(codes), number, due)
        pending.append(asyncio.create_task(task))
    records = list(await asyncio.gather(*pending))
    for connection in connections:
        connection.close()
    return records


def main() -> None:
    """Parse the arguments, send the load, write the records."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--codes", required=True, help="comma-separated link codes")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records = asyncio.run(
        run(
            args.port,
            args.codes.split(","),
            rate=args.rate,
            concurrency=args.concurrency,
            duration=args.duration,
            seed=args.seed,
        )
    )
    args.out.write_bytes(orjson.dumps({"records": records}))


if __name__ == "__main__":
    main()
