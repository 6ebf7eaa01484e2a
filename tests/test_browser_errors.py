"""In Chromium: an error answer to an htmx request is one line beside the form that was sent, never
the error page inside the page, and what the person typed stays in the box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import db
from meetings.models import Agreement, Note, Phase
from tests.conftest import browser_log_in
from tests.test_browser_meeting import click_and_settle, leader_in_phase, write_note

pytestmark = pytest.mark.browser

NUL_MESSAGE = "usynligt kontroltegn (NUL)"


def typed_value(locator) -> str:
    """The box's value exactly, NUL included (Playwright's to_have_value would not show one)."""
    return locator.evaluate("el => el.value")


def no_page_inside_the_page(page) -> None:
    assert page.locator("header").count() == 1, "a second header: an error page was swapped into the page"
    assert page.locator("main main").count() == 0 and page.get_by_text("Gå til forsiden").count() == 0
    expect(page.locator("#request-problem")).to_be_hidden()


def answered(page, locator) -> None:
    """Click, and wait until htmx has handled the answer, whatever its status."""
    page.evaluate("document.addEventListener('htmx:afterRequest', () => { window.answered = true; }, {once: true})")
    locator.click()
    page.wait_for_function("() => window.answered === true", timeout=10000)
    page.evaluate("window.answered = false")


def test_a_refused_character_is_told_beside_the_agreement_and_the_text_stays(live_server, tablet, demo):
    page = tablet
    leader_in_phase(page, live_server, demo, Phase.CLOSING)
    box = page.get_by_label("Hvad blev aftalt")
    typed = "Morten ringer\x00 til jobcentret om praktikken."
    box.fill(typed)
    answered(page, page.get_by_role("button", name="Tilføj aftalen"))

    problem = page.locator("form.new-agreement [data-request-problem]")
    expect(problem).to_contain_text(NUL_MESSAGE)
    assert typed_value(box) == typed
    no_page_inside_the_page(page)
    assert db.session.scalar(db.select(db.func.count(Agreement.id)).where(Agreement.text.contains("praktikken"))) == 0

    # Written again without the pasted character, it is saved and the line goes.
    box.fill("Morten ringer til jobcentret om praktikken.")
    page.locator("#responsible_id").select_option(label="Maja")
    click_and_settle(page, page.get_by_role("button", name="Tilføj aftalen"))
    expect(page.locator("table.agreements")).to_contain_text("Morten ringer til jobcentret om praktikken.")
    expect(page.locator("[data-request-problem]")).to_have_count(0)


def test_an_expired_form_is_told_and_sending_again_saves_what_was_typed(live_server, tablet, demo):
    page = tablet
    leader_in_phase(page, live_server, demo, Phase.CLOSING)
    # As after logging in again on another tab: the token this page holds is no longer the session's.
    page.evaluate("""() => {
        document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': 'stale'}));
        document.querySelectorAll('input[name=csrf_token]').forEach(el => { el.value = 'stale'; });
    }""")
    box = page.get_by_label("Hvad blev aftalt")
    box.fill("Maja ringer selv til rideskolen.")
    page.locator("#responsible_id").select_option(label="Maja")
    answered(page, page.get_by_role("button", name="Tilføj aftalen"))

    expect(page.locator("form.new-agreement [data-request-problem]")).to_contain_text("siden var udløbet")
    assert typed_value(box) == "Maja ringer selv til rideskolen."
    no_page_inside_the_page(page)

    click_and_settle(page, page.get_by_role("button", name="Tilføj aftalen"))
    expect(page.locator("table.agreements")).to_contain_text("Maja ringer selv til rideskolen.")
    assert db.session.scalar(db.select(db.func.count(Agreement.id)).where(Agreement.text == "Maja ringer selv til rideskolen.")) == 1


def test_a_refused_character_in_the_topics_box_is_told_in_its_status_line(live_server, tablet, demo):
    """The topics box saves by itself into a status line: the error page used to land there."""
    page = tablet
    leader_in_phase(page, live_server, demo, Phase.OPENING)
    box = page.get_by_label("Hvad borgeren vil tale om i dag")
    box.fill("Søvnen\x00 og praktikken.")
    status = page.locator("#topics-saved")
    expect(status).to_contain_text(NUL_MESSAGE)
    assert status.locator("*").count() == 0  # one line of text, no markup
    assert typed_value(box) == "Søvnen\x00 og praktikken."
    no_page_inside_the_page(page)

    box.fill("Søvnen og praktikken.")
    expect(status).to_have_text("Gemt ✓")
    expect(status).not_to_have_class("request-error")


def test_a_note_deleted_on_another_tablet_is_told_in_its_row(live_server, tablet, demo):
    page = tablet
    browser_log_in(page, live_server, "rikke")
    page.goto(f"{live_server}/meetings/{demo.upcoming_meeting_id}")
    write_note(page, "Maja", "Jeg sover dårligt.")
    note = db.session.scalar(db.select(Note).where(Note.text == "Jeg sover dårligt."))
    row = page.locator(f"#note-{note.id}")
    db.session.delete(note)
    db.session.commit()

    answered(page, row.get_by_role("button", name="Slet"))
    expect(row.locator("[data-request-problem]")).to_contain_text("Ikke fundet")
    expect(row).to_contain_text("Jeg sover dårligt.")
    no_page_inside_the_page(page)
