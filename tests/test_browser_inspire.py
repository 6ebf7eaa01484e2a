"""Brief INSPIRE on a tablet, in a real headless Chromium (1024×768)."""

from __future__ import annotations

import re

import pytest

import demo as demo_data
from extensions import db
from meetings.feedback import inspire
from meetings.feedback.inspire import InspireItem
from tests.conftest import browser_log_in

pytestmark = pytest.mark.browser

# The questions are in the citizen's language (Maja: Danish); either wording is accepted, so the
# test reads the same before and after the Danish catalogue has these strings.
ANSWER = {
    "quite a lot": re.compile(r"^\s*(Quite a lot|En hel del)\s*$"),
    "somewhat": re.compile(r"^\s*(Somewhat|I nogen grad)\s*$"),
    "very much": re.compile(r"^\s*(Very much|Rigtig meget)\s*$"),
    "a little": re.compile(r"^\s*(A little|Lidt)\s*$"),
    "skip": re.compile(r"^\s*(Skip this question|Spring spørgsmålet over)\s*$"),
}


def test_the_meeting_leader_hands_the_tablet_over_and_maja_answers_skipping_one_question(live_server, tablet, demo):
    page = tablet
    page.goto(live_server + "/")
    page.get_by_label("Brugernavn").fill("morten")
    page.get_by_label("Adgangskode").fill("rundbord-demo")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("button", name="English").click()  # the staff screen in English; the questions stay Danish
    page.get_by_role("link", name="Maja").first.click()
    page.wait_for_url("**/courses/*")
    page.locator("#inspire").get_by_role("link", name="Answer Brief INSPIRE").click()
    page.wait_for_url("**/inspire/answer")

    form = page.locator("form.inspire-form")
    assert form.get_attribute("lang") == "da"
    assert page.locator("html").get_attribute("lang") == "en"

    # Large touch targets: every answer is at least 56 px tall, and the first row fits the tablet's width.
    first = page.locator("#q-connectedness .choice span")
    assert first.count() == 6
    for i in range(6):
        box = first.nth(i).bounding_box()
        assert box and box["height"] >= 56 and box["x"] + box["width"] <= 1024

    def tap(item: InspireItem, answer: str) -> None:
        page.locator(f"#q-{item.value}").locator(".choice span").filter(has_text=ANSWER[answer]).click()

    tap(InspireItem.CONNECTEDNESS, "quite a lot")
    tap(InspireItem.HOPE, "skip")  # one tap, and the question is skipped
    tap(InspireItem.IDENTITY, "somewhat")
    tap(InspireItem.MEANING, "very much")
    tap(InspireItem.EMPOWERMENT, "a little")
    assert page.locator("#q-hope input[value=skip]").is_checked()
    assert page.locator("#q-connectedness input[value='3']").is_checked()

    form.get_by_role("button", name=re.compile(r"Save the answers|Gem svarene")).click()
    page.wait_for_url("**/courses/*")

    # The result on the course page: (3 + 2 + 4 + 1) of 4 answered × 4 → 62.5.
    panel = page.locator("#inspire")
    assert "Latest Brief INSPIRE score: 62.5 of 100" in panel.inner_text()
    assert "4 of 5 questions answered" in panel.inner_text()
    chart = page.locator("#panel-inspire-total")
    assert chart.is_visible()
    assert chart.locator("text.value").all_text_contents() == ["62.5"]
    # The text alternative carries the same number for a screen reader.
    assert "62.5" in page.locator("#panel-inspire-total-table").inner_text()

    db.session.expire_all()
    [answer] = inspire.inspire_history(demo.course_id)
    assert answer.answers[InspireItem.HOPE] is None and answer.answers[InspireItem.MEANING] == 4


def test_skip_all_is_one_tap_and_saves_nothing(live_server, tablet, demo):
    page = tablet
    page.goto(live_server + f"/courses/{demo.course_id}/inspire/answer")
    page.get_by_label("Brugernavn").fill("morten")
    page.get_by_label("Adgangskode").fill("rundbord-demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/inspire/answer")
    page.locator("#q-hope .choice span").first.click()
    page.get_by_role("button", name=re.compile(r"Skip all the questions|Spring alle spørgsmålene over")).first.click()
    page.wait_for_url("**/courses/*")
    db.session.expire_all()
    assert inspire.inspire_history(demo.course_id) == []


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)], ids=["tablet", "phone"])
def test_the_feedback_pages_pass_axe(live_server, browser, demo, size):
    from tests.test_accessibility import violations

    demo_data.add_demo_feedback(demo.course_id)
    db.session.commit()
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    browser_log_in(page, live_server, "morten")
    found = {}
    for url in (
        f"/courses/{demo.course_id}",
        f"/courses/{demo.course_id}/inspire",
        f"/courses/{demo.course_id}/inspire/answer",
        f"/meetings/{demo.meeting_ids[1]}/rating",
    ):
        page.goto(live_server + url)
        found[url] = violations(page)
    # A question answered and another skipped: the chosen buttons must keep their contrast too.
    page.goto(live_server + f"/courses/{demo.course_id}/inspire/answer")
    page.locator("#q-hope .choice span").nth(2).click()
    page.locator("#q-meaning .choice-skip span").click()
    found["answering"] = violations(page)
    context.close()
    assert {url: v for url, v in found.items() if v} == {}
