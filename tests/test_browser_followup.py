"""In a real headless Chromium at tablet size: from the dashboard to an acute meeting for Maja."""

from __future__ import annotations

import re

import pytest

from tests.conftest import browser_log_in

pytestmark = pytest.mark.browser


def test_the_tovholder_convenes_an_acute_meeting_for_maja_from_the_dashboard(live_server, tablet):
    page = tablet
    page.goto(live_server + "/")
    page.get_by_label("Brugernavn").fill("tove")
    page.get_by_label("Adgangskode").fill("rundbord-demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(live_server + "/")
    # Read the pages in English, so the test does not depend on the Danish catalogue being merged.
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("heading", name="Open agreements, by who is responsible").is_visible()
    assert page.locator(".overdue-tag").first.is_visible()

    convene = page.get_by_role("link", name="Convene a meeting")
    box = convene.bounding_box()
    assert box and box["height"] >= 44  # a touch target
    convene.click()
    page.wait_for_url(re.compile(r".*/courses/\d+/convene$"))
    assert page.get_by_role("heading", name="Convene a meeting with Maja").is_visible()
    proposed = page.get_by_label("When (proposal: within 24 hours)").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", proposed)
    page.get_by_label("Where").first.fill("Hjemme hos Maja")
    page.get_by_role("button", name="Plan the acute meeting").click()

    page.wait_for_url(re.compile(r".*/meetings/\d+/pre-meeting$"))
    assert page.get_by_text("The acute meeting is planned.").is_visible()
    page.get_by_label("What the citizen wants to talk about, in their words").fill("At jeg ikke har sovet i tre nætter.")
    page.get_by_label("Hanne Holm").check()
    page.get_by_role("button", name="Save the pre-meeting").click()
    page.wait_for_url(re.compile(r".*/meetings/\d+/pre-meeting$"))
    assert page.get_by_text("The pre-meeting is saved.").is_visible()
    invited = page.locator("section[aria-labelledby=invited-h]")
    assert invited.get_by_text("Hanne Holm").is_visible()

    page.get_by_role("link", name="Rundbord").click()
    page.wait_for_url(live_server + "/")
    coming = page.locator("#upcoming")
    acute = coming.locator("li.meeting-acute")
    assert acute.count() == 1
    assert acute.get_by_text("Acute meeting").is_visible()
    assert acute.get_by_text("Hjemme hos Maja").is_visible()
    # Nothing sideways at tablet width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024


def test_the_pages_between_meetings_pass_axe_at_tablet_and_phone_size(live_server, browser, demo):
    from tests.test_accessibility import SIZES, violations

    db_ids = _ids(demo)
    urls = [
        f"/courses/{demo.course_id}/network",
        f"/courses/{demo.course_id}/consent",
        f"/courses/{demo.course_id}/goals",
        f"/courses/{demo.course_id}/convene",
        f"/courses/{demo.course_id}/end",
        f"/meetings/{demo.upcoming_meeting_id}/pre-meeting",
        f"/meetings/{demo.upcoming_meeting_id}/invitation/{db_ids['hanne']}",
        f"/members/{db_ids['hanne']}/edit",
        f"/agreements/{db_ids['agreement']}/follow-up",
    ]
    found = {}
    for size, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK", bypass_csp=True)
        page = context.new_page()
        browser_log_in(page, live_server, "tove")
        for url in urls:
            page.goto(live_server + url)
            # Forms folded into <details> (e.g. giving consent) are checked unfolded too.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            found[f"{size} {url}"] = violations(page)
            if size == "phone":
                found[f"{size} {url} scrolls sideways"] = [] if page.evaluate("document.documentElement.scrollWidth") <= width else ["yes"]
        context.close()
    assert {url: v for url, v in found.items() if v} == {}


def _ids(demo) -> dict[str, int]:
    from extensions import db
    from meetings.models import Agreement, NetworkMember

    hanne = db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.name == "Hanne Holm"))
    agreement = db.session.scalar(db.select(Agreement.id).where(Agreement.course_id == demo.course_id).order_by(Agreement.id))
    return {"hanne": hanne, "agreement": agreement}
