"""One framework for background runs (timetable solves, seat allocations): enqueue, heartbeat,
progress, cancel, reap the stale.

A run is a row (a subclass of `BackgroundRun`) whose state any page can read: queued → running →
a final status. The worker (`manage.py worker`) takes the task, `run_start` claims the row (only a
queued, not-cancelled run starts), a `Heartbeat` thread writes a sign of life and progress every
second and turns a coordinator's cancel request into an Event the computation checks, and
`run_finish` writes the final state only if the run is still running — so a run that was reaped
meanwhile stays failed and a late worker writes nothing.

A run whose worker fell silent (killed, out of memory, machine restarted) is marked failed by
`runs_reap_stale`, a periodic job of the worker (and by a service about to start a new run of the
same thing). Reads never write: pages show `is_stale()` while the reaper has not come round yet.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0


class RunStatus(models.TextChoices):
    """The statuses every run has; a kind of run may add its own (e.g. `published`)."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("finished")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


ACTIVE = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


class BackgroundRun(models.Model):
    """The columns and rules every background run shares (abstract).

    Subclasses set `STALE_SETTING` (the settings name of the seconds of silence after which a
    running run is reaped), `REAPED_ACTION` (its audit action) and may redefine `status` with more
    choices.
    """

    STALE_SETTING: ClassVar[str] = "KEHOU_RUN_STALE_SECONDS"
    STALE_DEFAULT: ClassVar[int] = 60
    #: every subclass, as Python defines it: how `run_models` finds the kinds of run without core
    #: walking the upper apps' models through the app registry
    _kinds: ClassVar[list[type[BackgroundRun]]] = []
    REAPED_ACTION: ClassVar[str] = ""
    ACTIVE: ClassVar[tuple[str, ...]] = ACTIVE

    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started by the user at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_text = models.CharField(_("progress"), max_length=200, blank=True)
    cancel_requested = models.BooleanField(default=False)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        BackgroundRun._kinds.append(cls)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    is_active = active

    @property
    def finished(self) -> bool:
        return not self.active

    @classmethod
    def stale_after(cls) -> timedelta:
        return timedelta(seconds=int(getattr(settings, cls.STALE_SETTING, cls.STALE_DEFAULT)))

    def last_sign_of_life(self) -> datetime | None:
        return self.heartbeat_at or self.started_at or self.created_at

    def is_stale(self, now: datetime | None = None) -> bool:
        """Running, but silent for longer than `stale_after()` (the reaper will mark it failed)."""
        last = self.last_sign_of_life()
        return (
            self.status == RunStatus.RUNNING
            and last is not None
            and (now or timezone.now()) - last > self.stale_after()
        )


def run_enqueue(run: BackgroundRun, task: Any, *args: Any) -> None:
    """Queue `task(run.pk, *args)` and keep its id on the row (call it in `transaction.on_commit`).

    If the queue cannot be written the run stays queued: the page says so and the user may retry.
    """
    try:
        result = task.enqueue(run.pk, *args)
    except Exception:
        log.exception("could not queue %s for %s", getattr(task, "module_path", task), run)
        return
    type(run).objects.filter(pk=run.pk, task_id="").update(task_id=str(getattr(result, "id", ""))[:64])


def run_start(model: type[BackgroundRun], run_id: int) -> bool:
    """Claim a queued run for this worker: queued → running, only once and only if not cancelled."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=run_id, status=RunStatus.QUEUED, cancel_requested=False).update(
            status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, progress=1
        )
    )


def run_update(model: type[BackgroundRun], run_id: int, **fields: Any) -> bool:
    """Write progress (or other columns) of a running run, with a heartbeat; False if it is no longer running."""
    fields.setdefault("heartbeat_at", timezone.now())
    return bool(model.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(**fields))


def run_finish(model: type[BackgroundRun], run_id: int, *, status: str, **fields: Any) -> bool:
    """The final state of a run, written only if it is still running (a reaped run stays failed)."""
    fields.setdefault("finished_at", timezone.now())
    if status == RunStatus.SUCCEEDED:
        fields.setdefault("progress", 100)
    return bool(model.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(status=status, **fields))


def run_cancel(run: BackgroundRun) -> BackgroundRun:
    """Ask a run to stop: a queued run is cancelled at once, a running one within about a second.

    The caller holds the row lock (`select_for_update`) and audits.
    """
    if run.status == RunStatus.QUEUED:
        run.status = RunStatus.CANCELLED
        run.finished_at = timezone.now()
        run.message = gettext("Cancelled before it started.")
    if run.status in ACTIVE or run.status == RunStatus.CANCELLED:
        run.cancel_requested = True
        run.save(update_fields=["status", "finished_at", "message", "cancel_requested"])
    return run


class Heartbeat:
    """A thread that, every `interval` seconds, writes the run's heartbeat (plus what `extra()`
    returns, e.g. the solver's best cost so far) and reads `cancel_requested` into `cancel`.

    The computation itself never touches the database from its own threads; it reads `cancel`.
    Use as a context manager around the computation.
    """

    def __init__(
        self,
        model: type[BackgroundRun],
        run_id: int,
        *,
        interval: float = HEARTBEAT_SECONDS,
        extra: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.model = model
        self.run_id = run_id
        self.interval = interval
        self.extra = extra or dict
        self.cancel = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{model.__name__}-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def beat(self) -> None:
        """One heartbeat (also called once more by the computation just before it finishes)."""
        run_update(self.model, self.run_id, **self.extra())
        row = self.model.objects.filter(pk=self.run_id).values("status", "cancel_requested").first()
        if row is None or row["cancel_requested"] or row["status"] != RunStatus.RUNNING:
            self.cancel.set()

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except Exception:  # a database locked for a moment must not stop the computation
                    log.warning("heartbeat of %s %s: could not write", self.model.__name__, self.run_id, exc_info=True)
        finally:
            if not connection.allow_thread_sharing:  # the test database's shared connection stays open
                connection.close()


def run_models() -> list[type[BackgroundRun]]:
    """Every concrete kind of background run in the project."""
    return [m for m in BackgroundRun._kinds if not m._meta.abstract and not m._meta.proxy]


def runs_reap_stale(model: type[BackgroundRun] | None = None, *, now: datetime | None = None) -> int:
    """Mark running runs whose worker fell silent as failed (all kinds, or one); returns how many.

    Each run is updated only if its heartbeat has not moved since it was read (a worker that comes
    back at the last moment wins), audited as `<kind>.reaped`.
    """
    now = now or timezone.now()
    reaped = 0
    for kind in [model] if model is not None else run_models():
        cutoff = now - kind.stale_after()
        stale = kind.objects.filter(status=RunStatus.RUNNING).filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
        for run in stale:
            with transaction.atomic():
                message = gettext(
                    "The work stopped without finishing (no sign of life for %(s)d seconds). Nothing was changed."
                ) % {"s": int(kind.stale_after().total_seconds())}
                updated = kind.objects.filter(
                    pk=run.pk, status=RunStatus.RUNNING, heartbeat_at=run.heartbeat_at
                ).update(status=RunStatus.FAILED, finished_at=now, message=message)
                if updated and kind.REAPED_ACTION:
                    audit_record(
                        action=kind.REAPED_ACTION,
                        obj=run,
                        school_id=getattr(run, "school_id", None) or _school_of(run),
                        data={"last_sign_of_life": str(run.last_sign_of_life())},
                    )
                reaped += updated
    return reaped


def _school_of(run: BackgroundRun) -> int | None:
    """The school a run belongs to, for runs that reach it through another row (e.g. a window)."""
    school_of = getattr(run, "audit_school_id", None)
    return school_of() if callable(school_of) else None
