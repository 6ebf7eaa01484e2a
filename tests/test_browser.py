"""In a real headless Chromium, at tablet size."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_tovholder_logs_in_on_a_tablet_and_opens_the_demo_course(live_server, tablet):
    page = tablet
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "da"
    page.get_by_label("Brugernavn").fill("tove")
    page.get_by_label("Adgangskode").fill("rundbord-demo")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name="Maja", exact=True).click()
    page.wait_for_url("**/courses/*")
    assert page.get_by_role("heading", name="Netværket").is_visible()
    assert page.locator("#network").get_by_text("Hanne Holm").is_visible()
    # Touch targets: the course's meeting links are at least 44 px tall.
    box = page.locator(".meeting-list a.big-link").first.bounding_box()
    assert box and box["height"] >= 44
