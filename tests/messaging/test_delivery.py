"""The channel layer: in-site at once, the SMS gateway and the webhook through the worker's job, with
retries and back-off, per-channel status, and never twice (unique key per message × channel, a
claim that two workers cannot both take). The gateway is a local HTTP endpoint (tests/messaging/gateway.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from accounts.models import User
from messaging import services
from messaging.channels import Outbound, Webhook
from messaging.models import Channel, Delivery, DeliveryStatus, Message
from tests.messaging.gateway import FakeGateway

pytestmark = pytest.mark.django_db


def _users(n: int, *, prefix: str = "u", phone: bool = True) -> list[User]:
    return User.objects.bulk_create(
        User(username=f"{prefix}{i}", phone=f"137{i:08d}" if phone else None) for i in range(n)
    )


def _send(users, kind="letter") -> int:
    return services.send(services.Outgoing(recipient_id=u.pk, kind=kind, title="告家长书", body="正文") for u in users)


def _drain(limit: int = 50) -> None:
    """Run the worker's job until nothing is queued (back-off 0 in these tests)."""
    for _ in range(limit):
        if not Delivery.objects.filter(status=DeliveryStatus.QUEUED).exists():
            return
        services.deliver_due(seconds=30)
    raise AssertionError("deliveries still queued")


@pytest.fixture
def sms(settings):
    settings.KEHOU_MESSAGING_BACKOFF_SECONDS = 0
    settings.KEHOU_SMS_BATCH = 10
    settings.KEHOU_MESSAGING_CLAIM = 100

    def configure(gateway: FakeGateway) -> FakeGateway:
        settings.KEHOU_SMS_URL = gateway.url
        return gateway

    return configure


def test_in_site_only_when_no_outside_channel_is_configured(settings):
    settings.KEHOU_SMS_URL = settings.KEHOU_WEBHOOK_URL = ""
    users = _users(3)
    assert _send(users) == 3
    assert set(Delivery.objects.values_list("channel", "status")) == {(Channel.IN_SITE, DeliveryStatus.DELIVERED)}
    assert services.deliver_due() == 0


def test_every_message_ends_delivered_or_failed_none_lost_none_twice_with_10_percent_failing_calls(sms):
    users = _users(400)
    with sms(FakeGateway(fail_rate=0.10, seed=7)) as gateway:
        _send(users)
        assert Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.QUEUED).count() == 400
        _drain()
    assert gateway.failed_calls > 0  # the endpoint did fail calls, and they were retried
    rows = Delivery.objects.filter(channel=Channel.SMS)
    assert rows.count() == Message.objects.count() == 400  # none lost: one SMS delivery per message
    assert set(rows.values_list("status", flat=True)) <= {DeliveryStatus.DELIVERED, DeliveryStatus.FAILED}
    delivered = {
        f"kehou-{m}-sms" for m in rows.filter(status=DeliveryStatus.DELIVERED).values_list("message_id", flat=True)
    }
    assert set(gateway.accepted) == delivered  # exactly the delivered ones reached the gateway …
    assert max(gateway.accepted.values()) == 1  # … each once
    assert rows.filter(attempts__gt=1).exists()  # some needed a retry
    assert not rows.exclude(claim="").exists()  # every claim released


def test_a_gateway_that_always_fails_ends_failed_after_the_attempts_with_back_off(sms, settings):
    settings.KEHOU_MESSAGING_MAX_ATTEMPTS = 3
    users = _users(5)
    with sms(FakeGateway(fail_rate=1.0)) as gateway:
        _send(users)
        _drain()
    rows = Delivery.objects.filter(channel=Channel.SMS)
    assert list(rows.values_list("status", "attempts").distinct()) == [(DeliveryStatus.FAILED, 3)]
    assert rows.first().error == "HTTP 500"
    assert not gateway.accepted
    settings.KEHOU_MESSAGING_BACKOFF_SECONDS = 10
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert services.backoff(20) == timedelta(hours=1)


def test_a_retry_waits_for_its_back_off(sms, settings):
    settings.KEHOU_MESSAGING_BACKOFF_SECONDS = 60
    users = _users(2)
    with sms(FakeGateway(fail_rate=1.0)) as gateway:
        _send(users)
        services.deliver_due()
        calls = gateway.calls
        services.deliver_due()  # nothing due: the next attempt is a minute away
        assert gateway.calls == calls
    row = Delivery.objects.filter(channel=Channel.SMS).first()
    assert row.status == DeliveryStatus.QUEUED and row.attempts == 1
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)


def test_no_mobile_number_fails_at_once_and_the_gateway_refusing_is_permanent(sms):
    nobody = _users(1, prefix="x", phone=False)
    with sms(FakeGateway(answer="rejected")) as gateway:
        _send(nobody + _users(1, prefix="y"))
        _drain()
    rows = dict(Delivery.objects.filter(channel=Channel.SMS).values_list("message__recipient__username", "error"))
    assert rows == {"x0": "no mobile number", "y0": "rejected"}
    assert gateway.calls == 1


def test_one_delivery_per_message_and_channel():
    [user] = _users(1)
    _send([user])
    message = Message.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(message=message, channel=Channel.IN_SITE, status=DeliveryStatus.QUEUED)


def test_a_claim_is_not_taken_twice_and_a_lapsed_claim_writes_nothing(sms, settings):
    users = _users(3)
    with sms(FakeGateway()):
        _send(users)
        first, ids = services.claim(size=10)
        assert len(ids) == 3
        assert services.claim(size=10)[1] == []  # leased: nobody else takes them
        later = timezone.now() + timedelta(seconds=settings.KEHOU_MESSAGING_LEASE_SECONDS + 1)
        second, again = services.claim(size=10, now=later)  # the first worker died: lease over
        assert sorted(again) == sorted(ids)
        rows = [{"pk": i, "attempts": 1} for i in ids]
        services._record(first, [(r, services.Outcome(DeliveryStatus.DELIVERED)) for r in rows], timezone.now())
        assert not Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DELIVERED).exists()  # not its claim
        assert Delivery.objects.filter(pk__in=ids, attempts=2).count() == 3
        services._record(second, [(r, services.Outcome(DeliveryStatus.DELIVERED)) for r in rows], timezone.now())
        assert Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DELIVERED, claim="").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(sms):
    users = _users(300)
    with sms(FakeGateway(fail_rate=0.10, seed=3)) as gateway:
        _send(users)
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def worker():
            try:
                barrier.wait(timeout=10)
                for _ in range(40):
                    services.deliver_due(seconds=30)
                    if not Delivery.objects.filter(status=DeliveryStatus.QUEUED).exists():
                        break
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert errors == []
    rows = Delivery.objects.filter(channel=Channel.SMS)
    assert rows.count() == 300
    assert set(rows.values_list("status", flat=True)) <= {DeliveryStatus.DELIVERED, DeliveryStatus.FAILED}
    assert max(gateway.accepted.values()) == 1 and len(gateway.accepted) == rows.filter(status="delivered").count()
    if connection.vendor == "postgresql":
        assert "SKIP LOCKED" in _claim_sql()


def _claim_sql() -> str:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.claim(size=1)
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_the_webhook_adapter_speaks_wecom_and_dingtalk(settings):
    item = Outbound(key="kehou-1-webhook", to="13700000001", title="通知", text="明天放假")
    assert Webhook("http://x", "wecom").body(item) == {
        "msgtype": "text",
        "text": {"content": "通知\n明天放假", "mentioned_mobile_list": ["13700000001"]},
    }
    assert Webhook("http://x", "dingtalk").body(item)["at"] == {"atMobiles": ["13700000001"]}
    settings.KEHOU_MESSAGING_BACKOFF_SECONDS = 0
    with FakeGateway(mode="webhook", fail_rate=0.2, seed=1) as gateway:
        settings.KEHOU_WEBHOOK_URL = gateway.url
        settings.KEHOU_SMS_URL = ""
        _send(_users(20))
        _drain()
    rows = Delivery.objects.filter(channel=Channel.WEBHOOK)
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}  # a robot cannot confirm delivery
    assert sorted(gateway.accepted) == sorted(f"kehou-{m}-webhook" for m in rows.values_list("message_id", flat=True))
    assert max(gateway.accepted.values()) == 1


def test_an_unreachable_gateway_is_retried_not_lost(sms, settings):
    settings.KEHOU_MESSAGING_MAX_ATTEMPTS = 2
    settings.KEHOU_SMS_URL = "http://127.0.0.1:9/"  # discard port: connection refused
    _send(_users(2))
    _drain()
    rows = Delivery.objects.filter(channel=Channel.SMS)
    assert list(rows.values_list("status", "attempts").distinct()) == [(DeliveryStatus.FAILED, 2)]
    assert "ConnectionRefusedError" in rows.first().error
