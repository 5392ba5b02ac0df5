"""The opening instant: N parents press "take a seat" for one section at the same moment.

Every parent gets an HTTP connection of its own, all opened before the start; then one event
releases them together and each sends its POST /api/v1/enrollments. Each answer's status and time
since the release are recorded. One asyncio loop in one thread, standard library only: on a small
machine the client must not eat the cores the server needs (300 threads would).

Usage: python bench/rush_burst.py TOKENS_FILE HOST PORT OUT_JSON
(TOKENS_FILE: lines "token student_id section_id", from bench/rush_seed.py's burst file.)
Writes OUT_JSON: {"parents", "answers", "status": {code: n}, "seated", "waitlisted", "errors",
"last_ms", "p50_ms", "p99_ms"} and prints it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _request(host: str, port: int, token: str, student: str, section: str) -> bytes:
    body = json.dumps({"student": int(student), "section": int(section)}).encode()
    head = (
        f"POST /api/v1/enrollments HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def _parent(
    host: str, port: int, line: list[str], ready: asyncio.Queue, go: asyncio.Event, start: list[float]
) -> tuple[int, float]:
    payload = _request(host, port, *line[:3])
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        await ready.put(False)
        await go.wait()
        return -1, (time.perf_counter() - start[0]) * 1000
    await ready.put(True)
    await go.wait()
    status = -1
    try:
        writer.write(payload)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=60)
        status = int(status_line.split()[1])
        length = 0
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _sep, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length:
            await reader.readexactly(length)
    except (TimeoutError, OSError, ValueError, IndexError, asyncio.IncompleteReadError):
        status = -1
    finally:
        done = time.perf_counter()
        writer.close()
    return status, (done - start[0]) * 1000


async def _burst(parents: list[list[str]], host: str, port: int) -> list[tuple[int, float]]:
    go = asyncio.Event()
    ready: asyncio.Queue = asyncio.Queue()
    start = [0.0]
    tasks = [asyncio.create_task(_parent(host, port, line, ready, go, start)) for line in parents]
    for _ in parents:  # every connection open (the server's backlog holds those not yet accepted)
        await asyncio.wait_for(ready.get(), timeout=60)
    start[0] = time.perf_counter()
    go.set()
    return await asyncio.gather(*tasks)


def main(tokens_file: Path, host: str, port: int, out: Path) -> int:
    parents = [line.split() for line in tokens_file.read_text().splitlines() if line.strip()]
    answers = asyncio.run(_burst(parents, host, port))
    statuses = Counter(status for status, _ms in answers)
    times = [ms for _status, ms in answers]
    result = {
        "parents": len(parents),
        "answers": len(answers),
        "status": {str(k): v for k, v in sorted(statuses.items())},
        "seated": statuses.get(201, 0),
        "waitlisted": statuses.get(202, 0),
        "errors": len(parents) - statuses.get(201, 0) - statuses.get(202, 0),
        "last_ms": round(max(times, default=0.0), 1),
        "p50_ms": round(_percentile(times, 0.5), 1),
        "p99_ms": round(_percentile(times, 0.99), 1),
    }
    out.write_text(json.dumps(result) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])))
