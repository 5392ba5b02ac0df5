"""Background jobs for enrollment (run by `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def offers_expire() -> int:
    """Pass on every waitlist offer that was not accepted in time; returns how many expired.

    Queued for the moment each offer expires (see `services._schedule_expiry`); reads and writes
    also pass offers on lazily, so a late or missing worker only delays, never loses, an offer.
    """
    from enrollment.services import offers_expire_due

    return offers_expire_due()
