"""A crawler of the site as one logged-in user, for `test_crawl.py` (and by hand against a dev database).

Starting from the home page it follows every same-site link (`<a href>`, htmx `hx-get`, GET forms'
`action`, and the page's assets), GET only. Per URL pattern it visits at most `per_pattern`
distinct URLs (the 400 sections of a school are one page type), and at most `budget` URLs in
all (static files not counted). Every response is checked: no 5xx (the view's exception is kept), no write to the database
except the session and the cache table, `Vary: HX-Request` on every HTML response. Responses that
are not HTML (exports, calendar feeds, static files) are fetched once for their status and not
parsed.
"""

from __future__ import annotations

import re
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

# Never followed: they end the session (logout) or change the language (a POST anyway).
SKIP_PATHS = ("/accounts/logout/", "/admin/logout/", "/i18n/setlang/")
ALLOWED_WRITES = frozenset({"django_session", "kehou_cache"})
WRITE_RE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|REPLACE\s+INTO)\s+[\"`]?(\w+)",
    re.IGNORECASE,
)


class _Links(HTMLParser):
    """The same-site URLs a page points at, and whether each is an htmx fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.found.append((a["href"], False))
        if a.get("hx-get"):
            self.found.append((a["hx-get"], True))
        if tag == "form" and a.get("method", "get").lower() == "get" and a.get("action"):
            self.found.append((a["action"], False))
        if tag in ("link", "script", "img", "source") and (a.get("href") or a.get("src")):
            self.found.append((a.get("href") or a.get("src") or "", False))


@dataclass
class Visit:
    url: str
    status: int
    htmx: bool
    content_type: str
    seconds: float
    queries: int = 0


@dataclass
class CrawlReport:
    """What one crawl saw; the lists of problems are empty when the site is healthy."""

    username: str
    visits: list[Visit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # 5xx (with the exception)
    writes: list[str] = field(default_factory=list)  # a GET that wrote
    no_vary: list[str] = field(default_factory=list)  # HTML without Vary: HX-Request
    client_errors: list[str] = field(default_factory=list)  # 4xx reached by a link (reported, not failed)
    budget_hit: bool = False
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(1 for v in self.visits if v.content_type.startswith("text/html"))

    def summary(self) -> str:
        statuses = Counter(v.status for v in self.visits)
        slowest = max(self.visits, key=lambda v: v.seconds, default=None)
        busiest = max(self.visits, key=lambda v: v.queries, default=None)
        return (
            f"{self.username}: {len(self.visits)} URLs ({self.pages} HTML, "
            f"{sum(1 for v in self.visits if v.htmx)} htmx fragments), statuses {dict(sorted(statuses.items()))}"
            + (f", slowest {slowest.url} {slowest.seconds * 1000:.0f} ms" if slowest else "")
            + (f", most queries {busiest.url} {busiest.queries}" if busiest else "")
            + (" [budget reached]" if self.budget_hit else "")
            + f"; {self.seconds:.1f} s"
        )


def _pattern(path: str) -> str:
    """The URL pattern a path resolves to (its route), so instances of one page type share a key."""
    try:
        match = resolve(path)
    except Resolver404:
        return f"404:{path}"
    return f"{match.namespace}:{match.url_name}" if match.url_name else match.route


def _written_tables(queries: list[dict[str, str]]) -> set[str]:
    tables = set()
    for q in queries:
        m = WRITE_RE.match(q["sql"])
        if m:
            tables.add(m.group(1).lower())
    return tables


def crawl(
    client: Client,
    *,
    username: str,
    start: str = "/",
    budget: int = 150,
    per_pattern: int = 2,
    htmx_twice: bool = True,
) -> CrawlReport:
    """Breadth-first from `start` (the client is already logged in). With `htmx_twice` every page of
    the site (not the admin) is fetched a second time as htmx asks for it (`HX-Request: true`), so a
    fragment that fails to render is found too. The admin's add, delete, history and re-sorted
    pages wait until everything else was visited."""
    report = CrawlReport(username=username)
    began = time.perf_counter()
    seen: set[tuple[str, bool]] = set()
    per: Counter[str] = Counter()
    queue: deque[tuple[str, bool, str]] = deque([(start, False, "(start)")])
    later: deque[tuple[str, bool, str]] = deque()
    spent = 0  # the budget: URLs fetched, static files not counted

    def push(url: str, htmx: bool, referrer: str) -> None:
        if (url, htmx) not in seen:
            (later if _minor(url) else queue).append((url, htmx, referrer))

    while queue or later:
        url, htmx, referrer = (queue or later).popleft()
        if (url, htmx) in seen:
            continue
        parts = urlsplit(url)
        key = ("hx " if htmx else "") + _pattern(parts.path) + _query_keys(parts.query)
        if per[key] >= (1 if htmx else per_pattern):  # a fragment once per page type
            continue
        if spent >= budget:
            report.budget_hit = True
            break
        seen.add((url, htmx))
        per[key] += 1
        spent += not parts.path.startswith(settings.STATIC_URL)  # files from disk cost next to nothing
        t0 = time.perf_counter()
        try:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        except Exception as exc:  # the test client re-raises a view's exception: that is a 500
            report.errors.append(f"GET {url} (linked from {referrer}): {exc!r}\n{traceback.format_exc(limit=-6)}")
            report.visits.append(Visit(url, 500, htmx, "", time.perf_counter() - t0))
            continue
        content_type = response.get("Content-Type", "")
        took = time.perf_counter() - t0
        report.visits.append(Visit(url, response.status_code, htmx, content_type, took, len(ctx.captured_queries)))
        written = _written_tables(ctx.captured_queries) - ALLOWED_WRITES
        if written:
            report.writes.append(f"GET {url} wrote to {sorted(written)}")
        if response.status_code >= 500:
            report.errors.append(f"GET {url} (linked from {referrer}): {response.status_code}")
        elif response.status_code >= 400:
            report.client_errors.append(f"GET {url} (linked from {referrer}): {response.status_code}")
        is_html = content_type.startswith("text/html") and not response.streaming
        if is_html and "hx-request" not in response.get("Vary", "").lower():
            report.no_vary.append(url)
        if response.status_code in (301, 302, 303, 307, 308):
            target = _same_site(url, response["Location"])
            if target is not None:
                queue.appendleft((target, htmx, url))
            continue
        if not is_html:
            continue
        if htmx_twice and not htmx and response.status_code == 200 and not parts.path.startswith("/admin/"):
            push(url, True, url)
        parser = _Links()
        parser.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
        for href, is_htmx in parser.found:
            target = _same_site(url, href)
            if target is not None:
                push(target, is_htmx, url)
    report.seconds = time.perf_counter() - began
    return report


def _minor(url: str) -> bool:
    """Admin pages that are mostly Django's own (empty add forms, confirm delete, history, sorted
    lists, popups): visited after every changelist and change form, while the budget lasts."""
    parts = urlsplit(url)
    return parts.path.startswith("/admin/") and (
        bool(parts.query) or parts.path.endswith(("/add/", "/delete/", "/history/"))
    )


def _query_keys(query: str) -> str:
    """`?a&b` for a query with keys a and b: `?date=1` and `?date=2` are one page type, `?by=` another."""
    keys = sorted({pair.split("=", 1)[0] for pair in query.split("&") if pair})
    return "?" + "&".join(keys) if keys else ""


def _same_site(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(SKIP_PATHS):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
