"""Reads of messaging: a user's own inbox, and the counts of a batch per channel and status."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count

from core.ids import get_or_404, id_or_404
from messaging.models import Channel, Delivery, DeliveryStatus, Message


def inbox_for_user(*, user_id: int, limit: int = 50, about: str | None = None) -> list[Message]:
    """The user's own messages, newest first (a user sees only messages addressed to them)."""
    rows = Message.objects.filter(recipient_id=user_id)
    if about is not None:
        rows = rows.filter(about=about)
    return list(rows.order_by("-created_at", "-id")[:limit])


def unread_count(*, user_id: int) -> int:
    return Message.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def message_get_for_user(*, user_id: int, message_id) -> Message:
    return get_or_404(Message.objects.filter(recipient_id=user_id), pk=id_or_404(message_id))


def deliveries_of(message_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """{message id: {channel: status}} — the per-channel log shown beside a message."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for message_id, channel, status in Delivery.objects.filter(message_id__in=list(message_ids)).values_list(
        "message_id", "channel", "status"
    ):
        found[message_id][channel] = status
    return dict(found)


def batch_counts(batch_ids: Iterable[int]) -> dict[int, dict[str, dict[str, int]]]:
    """{batch id: {channel: {status: n}}}: what its author sees (queued, sent, delivered, failed, read)."""
    counts: dict[int, dict[str, dict[str, int]]] = {}
    rows = (
        Delivery.objects.filter(message__batch_id__in=list(batch_ids))
        .values_list("message__batch_id", "channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for batch_id, channel, status, n in rows:
        counts.setdefault(batch_id, {}).setdefault(channel, {})[status] = n
    return counts


def summarise(by_channel: dict[str, dict[str, int]]) -> list[dict]:
    """One row per channel with every status (0 when none), the in-site channel first."""
    order = [Channel.IN_SITE, Channel.SMS, Channel.WEBHOOK]
    labels = dict(Channel.choices)
    rows = []
    for channel in order:
        if channel not in by_channel:
            continue
        counts = by_channel[channel]
        row = {s: counts.get(s, 0) for s in DeliveryStatus.values}
        # read implies delivered (in the site): the delivered figure counts both
        if channel == Channel.IN_SITE:
            row[DeliveryStatus.DELIVERED] += row[DeliveryStatus.READ]
        row.update(channel=channel, label=str(labels[channel]), total=sum(counts.values()))
        rows.append(row)
    return rows
