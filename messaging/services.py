"""Writes of messaging: queue messages on every channel, deliver what is due (the worker), mark read.

`send` runs in the caller's transaction: a message exists exactly when the change it reports does.
The in-site copy is delivered at once (it is the inbox); each configured outside channel gets a
queued `Delivery` (unique per message × channel). `deliver_due` — a periodic job of `manage.py
worker` — claims due deliveries (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers
never take the same row; SQLite serialises writers), sends them through the adapters in a few
threads, and records each outcome only under its own claim token (a claim that lapsed and was taken
again writes nothing). A transient failure is retried with a doubling back-off until
`KEHOU_MESSAGING_MAX_ATTEMPTS`, then failed; nothing is dropped on the way.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.audit import audit_record
from core.errors import DomainError
from messaging.channels import RETRY, Adapter, Outbound, Outcome, adapters
from messaging.models import Batch, Channel, Delivery, DeliveryStatus, Message

log = logging.getLogger(__name__)

CHUNK = 2000


@dataclass(frozen=True)
class Outgoing:
    """One message to one user, as an app hands it over (text already in the site's language)."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    about: str = ""


def site_language():
    """Message texts are stored in the site's language (Chinese), whoever's request wrote them: the
    reader's inbox shows them as written (`with site_language(): title = gettext(...)`)."""
    from django.utils import translation

    return translation.override(settings.LANGUAGE_CODE)


def batch_create(*, kind: str, title: str) -> Batch:
    return Batch.objects.create(kind=kind, title=title[:120])


def send(outgoing: Iterable[Outgoing], *, batch: Batch | None = None, now: datetime | None = None) -> int:
    """Write each message to its user's inbox and queue it on every configured outside channel."""
    now = now or timezone.now()
    outside = list(adapters())
    count = 0
    chunk: list[Outgoing] = []
    for item in outgoing:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            count += _write(chunk, batch, outside, now)
            chunk = []
    if chunk:
        count += _write(chunk, batch, outside, now)
    return count


def _write(items: Sequence[Outgoing], batch: Batch | None, outside: list[str], now: datetime) -> int:
    messages = Message.objects.bulk_create(
        [
            Message(
                recipient_id=o.recipient_id,
                batch=batch,
                kind=o.kind[:40],
                about=o.about[:40],
                title=o.title[:120],
                body=o.body[:4000],
                link=o.link[:200],
                created_at=now,
            )
            for o in items
        ]
    )
    deliveries = []
    for m in messages:
        deliveries.append(
            Delivery(
                message=m,
                channel=Channel.IN_SITE,
                status=DeliveryStatus.DELIVERED,
                sent_at=now,
                delivered_at=now,
            )
        )
        deliveries.extend(
            Delivery(message=m, channel=channel, status=DeliveryStatus.QUEUED, next_attempt_at=now)
            for channel in outside
        )
    Delivery.objects.bulk_create(deliveries, batch_size=CHUNK)
    return len(messages)


def send_to_audience(
    users, *, batch: Batch, kind: str, title: str, body: str = "", link: str = "", now: datetime | None = None
) -> int:
    """One message to every user of `users` in `batch`, written by the database itself (INSERT … SELECT:
    a letter to 50,000 families costs a few statements, not 150,000 Python objects): delivered in the
    site, queued on every configured outside channel. `users` is a QuerySet of rows with a `user_id`
    column (e.g. `Guardian.objects.filter(…).values_list("user_id", flat=True).distinct()`). A user who
    already has a message in the batch is skipped, so a resumed send writes nobody twice (the unique
    constraint `message_once_per_batch` holds it)."""
    now = now or timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    audience, params = users.order_by().query.sql_with_params()
    m, d = connection.ops.quote_name(Message._meta.db_table), connection.ops.quote_name(Delivery._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {m} (recipient_id, batch_id, kind, about, title, body, link, created_at) "
            f"SELECT audience.user_id, %s, %s, '', %s, %s, %s, %s FROM ({audience}) audience "
            f"WHERE NOT EXISTS (SELECT 1 FROM {m} x WHERE x.batch_id = %s AND x.recipient_id = audience.user_id)",
            [batch.pk, kind[:40], title[:120], body[:4000], link[:200], at, *params, batch.pk],
        )
        written = cursor.rowcount
        rows = [(Channel.IN_SITE, DeliveryStatus.DELIVERED, at, None)] + [
            (channel, DeliveryStatus.QUEUED, None, at) for channel in adapters()
        ]
        for channel, status, done_at, due_at in rows:
            cursor.execute(
                f"INSERT INTO {d} (message_id, channel, status, attempts, next_attempt_at, claim, error, "
                f"sent_at, delivered_at) "
                f"SELECT x.id, %s, %s, 0, %s, '', '', %s, %s FROM {m} x WHERE x.batch_id = %s "
                f"AND NOT EXISTS (SELECT 1 FROM {d} y WHERE y.message_id = x.id AND y.channel = %s)",
                [channel, status, due_at, done_at, done_at, batch.pk, channel],
            )
    return written


def message_mark_read(*, user, message_id: int, request=None) -> Message:
    """The user has read one of their own messages (a read receipt: the author counts it)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, recipient_id=user.pk).first()
        if message is None:
            raise DomainError("not_found")
        if message.read_at is None:
            message.read_at = timezone.now()
            message.save(update_fields=["read_at"])
            Delivery.objects.filter(message=message, channel=Channel.IN_SITE).update(status=DeliveryStatus.READ)
            audit_record(
                action="messaging.message.read",
                actor=user,
                obj=message,
                request=request,
                data={"kind": message.kind, "batch": message.batch_id},
            )
    return message


# --- the worker ------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt: the base doubling per attempt made, at most an hour."""
    base = settings.KEHOU_MESSAGING_BACKOFF_SECONDS
    return timedelta(seconds=min(3600.0, base * (2 ** max(0, attempts - 1))))


def claim(*, size: int, now: datetime | None = None) -> tuple[str, list[int]]:
    """Take up to `size` due deliveries for this worker: a token and a lease, committed at once.

    On PostgreSQL the rows are locked with SKIP LOCKED while the claim is written, so a second
    worker claiming at the same moment takes other rows; a claimed row is not due again until its
    lease runs out (a worker that died mid-send: the next one sends it again, with the same key).
    """
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = (
            Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:size])
        if ids:
            lease = now + timedelta(seconds=settings.KEHOU_MESSAGING_LEASE_SECONDS)
            Delivery.objects.filter(pk__in=ids).update(claim=token, claimed_until=lease, attempts=F("attempts") + 1)
    return token, ids


def deliver_due(*, seconds: float | None = None, now_fn=timezone.now) -> int:
    """Send what is due until nothing is (or `KEHOU_MESSAGING_RUN_SECONDS` passed); returns how many."""
    channels = adapters()
    if not channels:
        return 0
    stop = time.monotonic() + (seconds if seconds is not None else settings.KEHOU_MESSAGING_RUN_SECONDS)
    done = 0
    with ThreadPoolExecutor(max_workers=settings.KEHOU_MESSAGING_SENDERS, thread_name_prefix="kehou-send") as pool:
        while time.monotonic() < stop:
            token, ids = claim(size=settings.KEHOU_MESSAGING_CLAIM, now=now_fn())
            if not ids:
                break
            done += _send_claimed(token, ids, channels, pool, now_fn)
    return done


def _send_claimed(token: str, ids: list[int], channels: dict[str, Adapter], pool, now_fn) -> int:
    rows = list(
        Delivery.objects.filter(pk__in=ids, claim=token).values(
            "pk", "channel", "attempts", "message_id", "message__title", "message__body", "message__recipient__phone"
        )
    )
    calls = []
    by_channel: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_channel[row["channel"]].append(row)
    for channel, items in by_channel.items():
        adapter = channels.get(channel)
        if adapter is None:  # the channel was switched off since: these wait (nothing lost)
            continue
        for start in range(0, len(items), adapter.batch_size):
            part = items[start : start + adapter.batch_size]
            outbound = [
                Outbound(
                    key=f"kehou-{r['message_id']}-{channel}",
                    to=r["message__recipient__phone"] or "",
                    title=r["message__title"],
                    text=r["message__body"],
                )
                for r in part
            ]
            calls.append((part, pool.submit(_safe_send, adapter, outbound)))
    results: list[tuple[dict, Outcome]] = []
    for part, future in calls:
        results.extend(zip(part, future.result(), strict=True))
    _record(token, results, now_fn())
    return len(results)


def _safe_send(adapter: Adapter, outbound: list[Outbound]) -> list[Outcome]:
    try:
        outcomes = adapter.send(outbound)
        if len(outcomes) != len(outbound):
            raise ValueError("adapter answered for a different number of items")
        return outcomes
    except Exception as exc:  # an adapter's bug must not lose the claim: retry later
        log.exception("channel %s failed", adapter.channel)
        return [Outcome(RETRY, f"{exc.__class__.__name__}")] * len(outbound)


def _record(token: str, results: list[tuple[dict, Outcome]], now: datetime) -> None:
    """Write the outcomes, grouped (one UPDATE per kind of outcome), only where the claim is still ours."""
    max_attempts = settings.KEHOU_MESSAGING_MAX_ATTEMPTS
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row, outcome in results:
        status = outcome.status
        if status == RETRY and row["attempts"] >= max_attempts:
            status = DeliveryStatus.FAILED
        if status == RETRY:
            groups[(RETRY, outcome.error[:200], row["attempts"])].append(row["pk"])
        else:
            groups[(status, outcome.error[:200], 0)].append(row["pk"])
    released = {"claim": "", "claimed_until": None}
    with transaction.atomic():
        for (status, error, attempts), pks in groups.items():
            rows = Delivery.objects.filter(pk__in=pks, claim=token)
            if status == RETRY:
                rows.update(next_attempt_at=now + backoff(attempts), error=error, **released)
            elif status == DeliveryStatus.DELIVERED:
                rows.update(status=status, sent_at=now, delivered_at=now, error="", **released)
            elif status == DeliveryStatus.SENT:
                rows.update(status=status, sent_at=now, error="", **released)
            else:
                rows.update(status=DeliveryStatus.FAILED, error=error, **released)
