"""Every page as every demo role: no 5xx, no GET that writes, `Vary: HX-Request` on every HTML page.

The small demo is seeded and its demo schools' timetables published (a short solver limit is
enough for three small schools), so weeks have days and times, registers have meetings and the
partner's itinerary has stops. Then each demo login starts from `/` and follows every same-site
link (tests/demo/crawl.py explains how far). Slow for a Django test (54 s at load 9 on 2 cores), but it is the check
that the whole site still answers after a change anywhere, so it runs in `make test`.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from demo.district import DEMO_LOGINS, demo_timetable_schools
from demo.timetables import publish_demo_timetables
from tests.demo.crawl import CrawlReport, crawl

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# URLs per login. The site's roles reach 10–45 page types (at most two URLs of each type are
# visited, and one of them again as an htmx request); the admin has ~45 models × 5 page types,
# one URL each: its changelists and change forms (where our ModelAdmin code runs) come first,
# then add forms, delete confirmations and history while the budget lasts.
BUDGET = {"admin": 80}
DEFAULT_BUDGET = 150


def test_every_page_as_every_demo_role() -> None:
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    # 5 s each: the first timetable needs ~1 s on an idle core, and make test runs two suites side by side
    published = publish_demo_timetables(school_codes=demo_timetable_schools(), time_limit=5.0)
    assert [r.published for r in published] == [True] * 3

    reports: list[CrawlReport] = []
    for login in DEMO_LOGINS:
        username = login["username"]
        client = Client()
        assert client.login(username=username, password=settings.KEHOU_DEMO_PASSWORD), username
        reports.append(
            crawl(
                client,
                username=username,
                budget=BUDGET.get(username, DEFAULT_BUDGET),
                per_pattern=1 if username == "admin" else 2,
            )
        )
    summary = "\n".join(r.summary() for r in reports)
    print(summary)  # shown with -s, and with the failure

    errors = [e for r in reports for e in r.errors]
    assert not errors, f"5xx while crawling:\n{summary}\n\n" + "\n\n".join(errors)
    writes = [f"{r.username}: {w}" for r in reports for w in r.writes]
    assert not writes, "GET requests wrote to the database:\n" + "\n".join(writes)
    no_vary = [f"{r.username}: {u}" for r in reports for u in r.no_vary]
    assert not no_vary, "HTML without Vary: HX-Request:\n" + "\n".join(no_vary)
    broken = [f"{r.username}: {e}" for r in reports for e in r.client_errors]
    assert not broken, "links that lead to an error page:\n" + "\n".join(broken)
    for r in reports:  # every login reached its pages, not only a login form or its home
        assert r.pages >= 8, r.summary()
