"""Periodic jobs the worker runs (reaping silent runs, passing on lapsed waitlist offers, …).

Apps register a `PeriodicJob` in their `AppConfig.ready()`; `manage.py worker` runs each one every
`every` seconds in a thread of its own beside the task loop. Jobs must be idempotent and safe to
run in several worker processes at once (they lock what they change), since a deployment may run
more than one worker. No web request runs them: a page never writes while it is read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection

from core.extensions import ExtensionPoint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: float  # seconds between two runs
    run: Callable[[], object]


PERIODIC: ExtensionPoint[PeriodicJob] = ExtensionPoint(
    "core.periodic", "Jobs the worker runs every few seconds (see core.periodic)."
)


def register(name: str, every: float, run: Callable[[], object]) -> None:
    PERIODIC.register(PeriodicJob(name, every, run), key=name)


def run_due(last: dict[str, float], *, now: float | None = None) -> list[str]:
    """Run every job whose interval has passed since it last ran; returns the names run."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in PERIODIC:
        if now - last.get(job.name, float("-inf")) < job.every:
            continue
        last[job.name] = now
        close_old_connections()
        try:
            job.run()
        except Exception:  # one failing job must not stop the others or the worker
            log.exception("periodic job %s failed", job.name)
        ran.append(job.name)
    return ran


class Beat(threading.Thread):
    """The worker's periodic thread (daemon): runs due jobs about once a second until stopped."""

    def __init__(self, tick: float = 1.0) -> None:
        super().__init__(name="kehou-periodic", daemon=True)
        self.tick = tick
        self.stopped = threading.Event()
        self.last: dict[str, float] = {}

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.tick):
                run_due(self.last)
        finally:
            connection.close()
