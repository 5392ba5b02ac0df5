"""A parent on a phone opens the bureau's letter in the site and taps "I have read this" (htmx swaps
the item in place); the bureau's counts then say read."""

from __future__ import annotations

import pytest

from accounts.access import actor_for
from letters import services
from messaging import selectors
from messaging.models import Message
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_parent_reads_the_letter_on_a_phone(phone_page, live_server, world):
    bureau = world.users.bureau
    letter = services.letter_write(
        actor=actor_for(bureau), by=bureau, title="寒假安全告家长书", body="各位家长：寒假注意安全。"
    )
    services.letters_send_due()
    message = Message.objects.get(recipient=world.users.parent_1)

    page = phone_page
    log_in(page, live_server.url, "parent1")
    page.goto(f"{live_server.url}/family/")
    page.locator("a[href='/messages/']").first.click()
    item = page.locator(f"#message-{message.pk}")
    item.get_by_text("寒假注意安全").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(page, "letter-phone")
    item.locator("button[type=submit]").click()
    page.locator(f"#message-{message.pk} .tag.ok").wait_for()  # swapped in place, marked read
    assert page.locator(f"#message-{message.pk} button[type=submit]").count() == 0
    message.refresh_from_db()
    assert message.read_at is not None
    letter.refresh_from_db()
    [site] = selectors.summarise(selectors.batch_counts([letter.batch_id])[letter.batch_id])
    assert (site["total"], site["read"]) == (2, 1)
