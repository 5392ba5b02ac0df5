"""The channel interface and its adapters: in-site (always), an SMS gateway and a 企业微信/钉钉 webhook.

An adapter takes a list of `Outbound` items and returns one `Outcome` per item, in order. It never
touches the database (the worker claims, sends through adapters in threads, then records). Every
item carries its idempotency key (the same on every attempt of a message × channel), which the
gateway receives so that a repeat after a lost answer can be dropped on its side.

Adapters are configured by settings (`KEHOU_SMS_URL`, `KEHOU_WEBHOOK_URL`, … in config/settings.py);
an adapter without its URL is off and no delivery is queued for it.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings

from messaging.models import Channel, DeliveryStatus

RETRY = "retry"  # a transient failure: try again later (after the back-off), until the attempts run out


@dataclass(frozen=True)
class Outbound:
    """One message for one channel, as the adapter sends it."""

    key: str
    to: str  # the recipient's mobile number (empty: none known)
    title: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """What the channel answered for one item: sent, delivered, failed (permanent) or retry."""

    status: str
    error: str = ""


class Adapter(Protocol):
    channel: str
    batch_size: int

    def send(self, items: list[Outbound]) -> list[Outcome]: ...


class HttpError(Exception):
    """No usable answer (connection refused, timeout, a 5xx): the whole call is retried."""


_local = threading.local()


def post_json(url: str, body: Any, *, headers: dict[str, str] | None = None, timeout: float = 10.0) -> tuple[int, Any]:
    """POST `body` as JSON on a kept-alive connection of this thread; returns (status, parsed JSON or None)."""
    parts = urlsplit(url)
    key = (parts.scheme, parts.netloc)
    pool = getattr(_local, "connections", None)
    if pool is None:
        pool = _local.connections = {}
    payload = json.dumps(body, ensure_ascii=False).encode()
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: reconnect once
        conn = pool.get(key)
        if conn is None:
            factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = pool[key] = factory(parts.netloc, timeout=timeout)
        try:
            conn.request("POST", path, payload, {"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            pool.pop(key, None)
            if attempt == 2 or isinstance(exc, TimeoutError):
                raise HttpError(f"{exc.__class__.__name__}: {exc}"[:200]) from None
            continue
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed
    raise HttpError("no answer")  # pragma: no cover - the loop returns or raises


def _call_outcome(status: int) -> Outcome | None:
    """The outcome of every item of a call whose HTTP status already decides it (None: read the body)."""
    if status == 429 or status >= 500:
        return Outcome(RETRY, f"HTTP {status}")
    if status >= 400:
        return Outcome(DeliveryStatus.FAILED, f"HTTP {status}")
    return None


class SmsGateway:
    """An SMS gateway speaking JSON: POST {"messages": [{"id", "to", "text"}]} with a bearer token,
    answer {"results": [{"id", "status": "delivered"|"accepted"|"rejected", "error"}]}.

    A provider with another protocol is another adapter with the same `send`.
    """

    channel = Channel.SMS

    def __init__(self, url: str, token: str = "", *, batch_size: int = 100, timeout: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.batch_size = max(1, batch_size)
        self.timeout = timeout

    def send(self, items: list[Outbound]) -> list[Outcome]:
        outcomes: dict[str, Outcome] = {
            i.key: Outcome(DeliveryStatus.FAILED, "no mobile number") for i in items if not i.to
        }
        sendable = [i for i in items if i.to]
        if sendable:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            body = {"messages": [{"id": i.key, "to": i.to, "text": f"【{i.title}】{i.text}"[:500]} for i in sendable]}
            try:
                status, answer = post_json(self.url, body, headers=headers, timeout=self.timeout)
            except HttpError as exc:
                return [outcomes.get(i.key) or Outcome(RETRY, str(exc)) for i in items]
            whole = _call_outcome(status)
            results = {}
            if whole is None and isinstance(answer, dict) and isinstance(answer.get("results"), list):
                results = {str(r.get("id")): r for r in answer["results"] if isinstance(r, dict)}
            for item in sendable:
                result = results.get(item.key)
                if whole is not None:
                    outcomes[item.key] = whole
                elif result is None:  # the gateway did not answer for it: ask again (same key)
                    outcomes[item.key] = Outcome(RETRY, "no result from the gateway")
                elif result.get("status") == "delivered":
                    outcomes[item.key] = Outcome(DeliveryStatus.DELIVERED)
                elif result.get("status") == "accepted":
                    outcomes[item.key] = Outcome(DeliveryStatus.SENT)
                else:
                    outcomes[item.key] = Outcome(DeliveryStatus.FAILED, str(result.get("error") or "rejected")[:200])
        return [outcomes[i.key] for i in items]


class Webhook:
    """A 企业微信 (WeCom) or 钉钉 (DingTalk) group robot: one text per message, @-mentioning the
    recipient's mobile. The robot cannot confirm that a person read it: success is `sent`."""

    channel = Channel.WEBHOOK
    batch_size = 1
    RATE_LIMITED = {45009, 130101}  # WeCom's and DingTalk's "too many messages": try again later

    def __init__(self, url: str, kind: str = "wecom", *, timeout: float = 10.0) -> None:
        self.url = url
        self.kind = kind
        self.timeout = timeout

    def body(self, item: Outbound) -> dict[str, Any]:
        content = f"{item.title}\n{item.text}".strip()
        mobiles = [item.to] if item.to else []
        if self.kind == "dingtalk":
            return {"msgtype": "text", "text": {"content": content}, "at": {"atMobiles": mobiles}}
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": mobiles}}

    def send(self, items: list[Outbound]) -> list[Outcome]:
        outcomes = []
        for item in items:
            try:
                status, answer = post_json(
                    self.url, self.body(item), headers={"Idempotency-Key": item.key}, timeout=self.timeout
                )
            except HttpError as exc:
                outcomes.append(Outcome(RETRY, str(exc)))
                continue
            whole = _call_outcome(status)
            code = answer.get("errcode") if isinstance(answer, dict) else None
            if whole is not None:
                outcomes.append(whole)
            elif code == 0:
                outcomes.append(Outcome(DeliveryStatus.SENT))
            elif code in self.RATE_LIMITED:
                outcomes.append(Outcome(RETRY, f"errcode {code}"))
            else:
                errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
                outcomes.append(Outcome(DeliveryStatus.FAILED, f"errcode {code} {errmsg}"[:200]))
        return outcomes


def adapters() -> dict[str, Adapter]:
    """The external channels configured now (the in-site channel needs no adapter: it is the inbox)."""
    found: dict[str, Adapter] = {}
    if settings.KEHOU_SMS_URL:
        found[Channel.SMS] = SmsGateway(
            settings.KEHOU_SMS_URL,
            settings.KEHOU_SMS_TOKEN,
            batch_size=settings.KEHOU_SMS_BATCH,
            timeout=settings.KEHOU_MESSAGING_TIMEOUT_SECONDS,
        )
    if settings.KEHOU_WEBHOOK_URL:
        found[Channel.WEBHOOK] = Webhook(
            settings.KEHOU_WEBHOOK_URL, settings.KEHOU_WEBHOOK_KIND, timeout=settings.KEHOU_MESSAGING_TIMEOUT_SECONDS
        )
    return found
