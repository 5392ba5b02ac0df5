"""The opening instant: N parents press "take a seat" for one section at the same moment.

Every parent gets a thread and an HTTP connection of its own, opened before the start; all threads
wait at one barrier and send their POST /api/v1/enrollments when it opens. Each answer's status
and time since the barrier opened are recorded. Standard library only.

Usage: python bench/rush_burst.py TOKENS_FILE HOST PORT OUT_JSON
(TOKENS_FILE: lines "token student_id section_id", from bench/rush_seed.py's burst file.)
Writes OUT_JSON: {"parents", "status": {code: n}, "seated", "waitlisted", "errors",
"last_ms", "p50_ms", "p99_ms", "max_ms"} and prints it.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main(tokens_file: Path, host: str, port: int, out: Path) -> int:
    parents = [line.split() for line in tokens_file.read_text().splitlines() if line.strip()]
    start: list[float] = []
    barrier = threading.Barrier(len(parents), action=lambda: start.append(time.perf_counter()))
    answers: list[tuple[int, float]] = []  # (status or -1 for a socket error, ms after the barrier)
    lock = threading.Lock()

    def parent(token: str, student: str, section: str) -> None:
        body = json.dumps({"student": int(student), "section": int(section)})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        status = -1
        try:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.connect()  # before the barrier: the instant measures requests, not TCP handshakes
        except OSError:
            conn = None
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
        try:
            if conn is not None:
                conn.request("POST", "/api/v1/enrollments", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
        except (OSError, http.client.HTTPException):
            status = -1
        finally:
            done = time.perf_counter()
            if conn is not None:
                conn.close()
        with lock:
            answers.append((status, (done - (start[0] if start else done)) * 1000))

    threads = [threading.Thread(target=parent, args=tuple(p[:3]), daemon=True) for p in parents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
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
        "max_ms": round(max(times, default=0.0), 1),
    }
    out.write_text(json.dumps(result) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])))
