"""A local HTTP endpoint standing in for the SMS gateway / group robot (tests and bench/letters.py).

It fails a chosen share of calls (HTTP 500 before accepting anything, reproducibly from a seed) and
counts, per idempotency key, how many times it ACCEPTED a message — so a test can prove that no
message was lost and none was sent twice. Nothing outside this machine is needed.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeGateway:
    """`with FakeGateway(fail_rate=0.1) as gw:` → `gw.url`; afterwards `gw.accepted`, `gw.calls`."""

    def __init__(self, *, fail_rate: float = 0.0, seed: int = 0, mode: str = "sms", answer: str = "delivered") -> None:
        self.fail_rate = fail_rate
        self.mode = mode
        self.answer = answer
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.accepted: Counter[str] = Counter()
        self.bodies: list[Any] = []
        self.calls = 0
        self.failed_calls = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                status, answer = gateway.handle(body, dict(self.headers))
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/send"

    def handle(self, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        with self.lock:
            self.calls += 1
            if self.rng.random() < self.fail_rate:
                self.failed_calls += 1
                return 500, {"error": "try again"}
            if self.mode == "sms":
                results = []
                for m in body["messages"]:
                    self.accepted[m["id"]] += 1
                    results.append({"id": m["id"], "status": self.answer})
                return 200, {"results": results}
            self.bodies.append(body)
            self.accepted[headers.get("Idempotency-Key", "")] += 1
            return 200, {"errcode": 0, "errmsg": "ok"}

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
