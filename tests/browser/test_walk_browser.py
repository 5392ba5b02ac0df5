"""The Done-when walk of issue 13: every page the crawl reaches, as every demo role (the first demo
login of each role: coordinator, teacher, partner, bureau, parent, admin), on a phone
(375×812) in English — no horizontal scroll, and no Chinese in the visible text except user data.

The page list is tests/demo/crawl.py's (one URL per page type, no htmx fragments; the admin's
changelists only, a small budget), collected with the test client, then each page is opened in
Chromium with the role's session and the language cookie set to English.

What counts as user data (honest rule): a run of CJK characters on an English page passes when it
occurs in a stored text of the demo — any CharField/TextField value of our apps' models (names of
people, schools, classes, rooms, courses, providers, notices, reasons, notes…), excluding the
`*_zh` columns (the Chinese twins of generated English text, which English pages must not show),
plus JSON lists of strings (a teacher's subjects) — or in the importers' vocabulary: the Chinese
column headers of the Excel/CSV templates and the values they accept (男/女, 初一, 留守儿童, 微信…),
which an English page quotes literally because the file must carry them. Whatever the data, a
Chinese date (12月7日) or weekday (周三) is always a fault. Elements marked `lang="zh…"` (the language switch's 简体中文) and the brand 课后 are skipped. So a
UI string that is missing from the catalogue is found unless it happens to equal a stored text.

Slow (a demo, a crawl and ~200 page loads), so it runs only in the PostgreSQL pass of `make test`.
"""

from __future__ import annotations

import re
import time
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, models
from django.test import Client

from demo.district import DEMO_LOGINS, demo_timetable_schools
from demo.timetables import publish_demo_timetables
from tests.browser.conftest import screenshot
from tests.core.test_layers import APPS  # the one list of our apps
from tests.demo.crawl import crawl

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


WALK_PHONE = {"width": 375, "height": 812}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ALWAYS_UI = re.compile(r"\d+\s*月\s*\d+\s*日|周[一二三四五六日]|星期[一二三四五六日]")  # never user data
SKIP_MODELS = {"auditevent"}
ADMIN_BUDGET = 12
# The visible text of the page, without elements marked as Chinese (the language switch) or the brand.
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('script,style,template,noscript,[lang^="zh"],.brand,[hidden]')) continue;
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    out.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('input[placeholder],textarea[placeholder]'))
    if (el.getClientRects().length && !el.closest('[lang^="zh"]')) out.push(el.placeholder);
  for (const el of document.querySelectorAll('select:not([lang^="zh"]) option:checked'))
    if (el.parentElement.getClientRects().length && !el.closest('[lang^="zh"]')) out.push(el.textContent.trim());
  return out;
}"""


# The innermost elements that reach past the right edge (what to fix when a page scrolls sideways).
WIDE_JS = """() => [...document.body.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')
    + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _ui_dates(text: str) -> list[str]:
    """Chinese dates and weekdays in `text`, each widened to the run of CJK characters and digits
    around it (so 周五 inside a stored note such as 按周五课表上课 is judged as that note)."""
    out = []
    for m in ALWAYS_UI.finditer(text):
        a, b = m.start(), m.end()
        while a > 0 and (CJK.match(text[a - 1]) or text[a - 1].isdigit()):
            a -= 1
        while b < len(text) and (CJK.match(text[b]) or text[b].isdigit()):
            b += 1
        out.append(text[a:b])
    return out


def _vocabulary() -> list[str]:
    """The importers' Chinese words: template headers, accepted spellings, examples."""
    from core.sheets import Column
    from courses import imports as course_imports
    from participation.fees import payments
    from pupils import imports as pupil_imports
    from supervision import imports as institution_imports

    words: list[str] = []
    for module in (course_imports, pupil_imports, payments, institution_imports):
        for value in vars(module).values():
            if isinstance(value, list) and value and isinstance(value[0], Column):
                words += [w for c in value for w in (c.header, c.example, *c.aliases)]
                words += [w for c in value for w in CJK.findall(str(c.help))]  # accepted values named in the help
            elif isinstance(value, dict):
                for key, item in value.items():
                    words += [key] if isinstance(key, str) else []
                    words += [w for w in item if isinstance(w, str)] if isinstance(item, tuple) else []
    return words


def _demo_texts() -> str:
    """Every stored text of our apps' models, joined: the user data an English page may show."""
    chunks: list[str] = _vocabulary()
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name in SKIP_MODELS:
                continue
            fields = [
                f.name
                for f in model._meta.get_fields()
                if isinstance(f, models.CharField | models.TextField) and not f.name.endswith("_zh")
            ]
            for field in fields:
                chunks.extend(v for v in model.objects.values_list(field, flat=True).distinct() if v)
            for field in (f.name for f in model._meta.get_fields() if isinstance(f, models.JSONField)):
                for value in model.objects.values_list(field, flat=True)[:5000]:
                    if isinstance(value, list):
                        chunks.extend(v for v in value if isinstance(v, str))
    return "\n".join(chunks)


def _pages(username: str) -> list[str]:
    client = Client()
    assert client.login(username=username, password=settings.KEHOU_DEMO_PASSWORD), username
    report = crawl(
        client,
        username=username,
        budget=ADMIN_BUDGET if username == "admin" else 150,
        per_pattern=1,
        htmx_twice=False,
    )
    return [
        v.url
        for v in report.visits
        if v.status == 200 and v.content_type.startswith("text/html") and not v.htmx
        and not (username == "admin" and v.url.endswith(("/add/", "/delete/", "/history/")))
    ]  # fmt: skip


def test_every_page_as_every_demo_role_on_a_phone_in_english(browser, live_server):
    if connection.vendor != "postgresql":
        pytest.skip("the walk runs in the PostgreSQL pass only (it takes about a minute)")
    began = time.perf_counter()
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    publish_demo_timetables(school_codes=demo_timetable_schools(), time_limit=2.0)
    data = _demo_texts()
    seeded = time.perf_counter()
    problems: list[str] = []
    walked = 0
    roles = {login["role"]: login for login in reversed(DEMO_LOGINS)}  # one login per role (the first)
    for login in [x for x in DEMO_LOGINS if roles[x["role"]] is x]:
        username = login["username"]
        urls = _pages(username)
        client = Client()
        client.login(username=username, password=settings.KEHOU_DEMO_PASSWORD)
        context = browser.new_context(viewport=WALK_PHONE, locale="en-US", device_scale_factor=1, has_touch=True)
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [
                {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                 "domain": host, "path": "/"},
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"},
            ]
        )  # fmt: skip
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            for url in urls:
                page.goto(live_server.url + url, wait_until="load")
                walked += 1
                width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
                if width[0] > width[1]:
                    wide = page.evaluate(WIDE_JS)
                    problems.append(f"{username} {url}: scrolls sideways ({width[0]} px > {width[1]} px): {wide}")
                    screenshot(page, f"walk-overflow-{username}-{len(problems)}")
                texts = page.evaluate(VISIBLE_TEXT_JS)
                untranslated = sorted(
                    {run for text in texts for run in CJK.findall(text) if run not in data}
                    | {m for text in texts if text not in data for m in _ui_dates(text) if m not in data}
                )
                if untranslated:
                    problems.append(f"{username} {url}: not in English: {' | '.join(untranslated[:12])}")
        finally:
            context.close()
    print(f"walked {walked} pages; demo {seeded - began:.1f} s, crawl and walk {time.perf_counter() - seeded:.1f} s")
    assert walked >= 80  # every role reached its pages (92 page types on the small demo)
    assert not problems, f"{len(problems)} problems on {walked} pages:\n" + "\n".join(problems)
