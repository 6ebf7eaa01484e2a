"""A session that ends mid-meeting loses nothing: in headless Chromium, on real tablets.

The session ends on the server while the page stays open: the same person logs out on
another tablet, or the screen sits past the idle timeout. What is typed then is refused
(401), stays on screen and on the device, and is saved once that person logs in again.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from extensions import db
from meetings.models import Meeting, Note, Phase
from roles.models import User
from tests.conftest import LOGIN_LABELS, browser_log_in
from tests.test_browser_meeting import leader_in_phase

pytestmark = pytest.mark.browser

NOTE_BOX = "Med den talendes egne ord"
LOGGED_OUT = "Du blev logget ud. Din note er gemt på denne enhed; log ind igen for at gemme den."


def end_session_elsewhere(browser, live_server, username: str) -> None:
    """Log the same person in on another tablet and press "Log ud" there."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="da-DK")
    other = context.new_page()
    browser_log_in(other, live_server, username)
    other.get_by_role("button", name="Log ud").click()
    other.wait_for_url(f"{live_server}/login**")
    context.close()


def log_in_on_this_page(page, username: str) -> None:
    """Fill in the login page that is open (it carries where to go back to)."""
    user_label, password_label, button = LOGIN_LABELS["da"]
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill("rundbord-demo")
    page.get_by_role("button", name=button).click()


def stored_notes(meeting_id: int) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Note.text).where(Note.meeting_id == meeting_id).order_by(Note.id)))


def type_a_note_that_is_refused(page, text: str) -> None:
    """Type a note and press Enter while logged out: it stays on screen and on the device."""
    area = page.get_by_label(NOTE_BOX)
    area.fill(text)
    area.press("Enter")
    expect(page.locator("#capture .save-status")).to_have_text(LOGGED_OUT)
    unsent = page.locator("[data-unsent]")
    expect(unsent).to_be_visible()
    item = unsent.locator("li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"Maja: {text}")
    expect(item.locator(".save-status")).to_have_text(LOGGED_OUT)
    expect(page.locator("#login-again")).to_be_visible()
    assert page.evaluate("window.RundbordNotes.pendingCount()") == 1


def log_in_again_and_see_it_saved(page, live_server, meeting_id: int, text: str) -> None:
    """Follow "Log ind igen" back to the meeting; the note goes out and is in the list once."""
    page.locator("#login-again").get_by_role("link", name="Log ind igen").click()
    page.wait_for_url(f"{live_server}/login?**")
    log_in_on_this_page(page, "morten")
    page.wait_for_url(f"{live_server}/meetings/{meeting_id}")
    page.wait_for_function("() => window.RundbordNotes.pendingCount() === 0", timeout=15000)
    expect(page.locator("#note-list li", has_text=text.splitlines()[-1])).to_have_count(1)
    expect(page.locator("[data-unsent]")).to_be_hidden()
    assert stored_notes(meeting_id) == [text]


def test_a_note_typed_after_the_session_ended_on_another_tablet_is_saved_once_after_logging_in_again(
    live_server, tablet, browser, demo
):
    """Before: the save was redirected to the login page, fetch took its 200 for "saved",
    and the note left the outbox and the screen without reaching the database."""
    page = tablet
    meeting = leader_in_phase(page, live_server, demo, Phase.DIALOGUE)
    end_session_elsewhere(browser, live_server, "morten")
    text = "Jeg vil gerne bo for mig selv.\nMen ikke helt alene."
    type_a_note_that_is_refused(page, text)
    assert page.url == f"{live_server}/meetings/{meeting.id}"  # the page stays, with the text
    assert stored_notes(meeting.id) == []
    log_in_again_and_see_it_saved(page, live_server, meeting.id, text)


def test_a_note_typed_after_the_idle_timeout_is_saved_once_after_logging_in_again(live_server, app, tablet, demo):
    page = tablet
    meeting = leader_in_phase(page, live_server, demo, Phase.DIALOGUE)
    app.config["IDLE_TIMEOUT_MINUTES"] = 2 / 60  # two seconds, from the last request a person made
    # The screen's own poll does not count as use: ask it until it finds the session ended.
    poll = f"fetch('/meetings/{meeting.id}/notes/current', {{headers: {{'HX-Request': 'true'}}}}).then(r => r.status)"
    deadline = time.monotonic() + 30
    while page.evaluate(poll) != 401:
        assert time.monotonic() < deadline, "the idle timeout never ended the session"
        page.wait_for_timeout(250)
    app.config["IDLE_TIMEOUT_MINUTES"] = 30  # logging in again must not time out on a busy machine
    text = "Det var godt at høre, at Hanne vil hjælpe med brevene."
    type_a_note_that_is_refused(page, text)
    assert stored_notes(meeting.id) == []
    log_in_again_and_see_it_saved(page, live_server, meeting.id, text)


def test_another_person_logging_in_neither_sees_nor_sends_the_note_and_it_waits_for_its_writer(
    live_server, tablet, browser, demo
):
    page = tablet
    meeting = leader_in_phase(page, live_server, demo, Phase.DIALOGUE)
    end_session_elsewhere(browser, live_server, "morten")
    text = "Min bror må ikke få at vide, at jeg har været indlagt."
    type_a_note_that_is_refused(page, text)

    page.locator("#login-again").get_by_role("link", name="Log ind igen").click()
    page.wait_for_url(f"{live_server}/login?**")
    notice = page.locator("#device-unsent")
    expect(notice).to_have_text(
        "Denne tablet har en note fra Morten Bak, som ikke er gemt endnu. "
        "Den bliver her, ulæst, og gemmes, når Morten Bak logger ind på denne tablet."
    )
    # Rikke, the reflectant, takes the tablet: she gets to the meeting, told of the note, not shown it.
    log_in_on_this_page(page, "rikke")
    page.wait_for_url(f"{live_server}/meetings/{meeting.id}")
    expect(notice).to_contain_text("en note fra Morten Bak")
    expect(page.locator("body")).not_to_contain_text("indlagt")
    expect(page.get_by_label(NOTE_BOX)).to_have_value("")
    expect(page.locator("[data-unsent]")).to_be_hidden()
    assert page.evaluate("window.RundbordNotes.pendingCount()") == 0
    page.evaluate("window.RundbordNotes.flush(true)")
    page.wait_for_load_state("networkidle")
    assert stored_notes(meeting.id) == []  # never sent in Rikke's name

    # Rikke logs out: no question about unsent notes (none are hers), and Morten's stays.
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{live_server}/login**")
    expect(notice).to_contain_text("en note fra Morten Bak")
    # Morten logs in, lands on the overview, and his note goes out from there.
    browser_log_in(page, live_server, "morten")
    page.wait_for_function("() => window.RundbordNotes.pendingCount() === 0", timeout=15000)
    assert stored_notes(meeting.id) == [text]
    morten = db.session.scalar(db.select(User.id).where(User.username == "morten"))
    assert db.session.scalar(db.select(Note.author_id).where(Note.meeting_id == meeting.id)) == morten
    expect(notice).to_be_hidden()


def test_the_citizens_topics_typed_after_the_session_ended_stay_and_are_saved_after_logging_in_again(
    live_server, tablet, browser, demo
):
    """Before: the autosave's 401 sent the whole page to the login page, and after logging
    in the words typed came back into the box but were never sent."""
    page = tablet
    meeting = leader_in_phase(page, live_server, demo, Phase.OPENING)
    end_session_elsewhere(browser, live_server, "morten")
    box = page.get_by_label("Hvad borgeren vil tale om i dag")
    topics = "Om jeg kan få min egen lejlighed."
    box.fill(topics)
    expect(page.locator("#login-again")).to_be_visible()
    expect(page.locator("#topics-saved")).to_have_text("Ikke gemt endnu: log ind igen for at gemme.")
    expect(box).to_have_value(topics)
    assert page.url == f"{live_server}/meetings/{meeting.id}"
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).citizen_topics == ""

    page.locator("#login-again").get_by_role("link", name="Log ind igen").click()
    log_in_on_this_page(page, "morten")
    page.wait_for_url(f"{live_server}/meetings/{meeting.id}")
    expect(box).to_have_value(topics)
    expect(page.locator("#topics-saved")).to_contain_text("Gemt")
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).citizen_topics == topics


def test_only_the_servers_own_answer_to_a_save_confirms_it_never_any_200(live_server, tablet, demo):
    """A 200 that is some other page (a login page, a network's portal) or the answer about
    another note keeps the note on the device, on screen, and sends it again later."""
    page = tablet
    browser_log_in(page, live_server, "rikke")
    meeting_id = demo.upcoming_meeting_id
    page.goto(f"{live_server}/meetings/{meeting_id}")
    save_url = f"{live_server}/meetings/{meeting_id}/notes"
    status = page.locator("#capture .save-status")
    area = page.get_by_label(NOTE_BOX)
    answers = {
        "login page": dict(status=200, content_type="text/html", body="<!doctype html><title>Log ind</title><h1>Log ind i Rundbord</h1>"),
        "another note": dict(status=200, content_type="application/json",
                             body='{"outcome": "created", "id": 7, "uid": "some-other-note", "version": 1, "html": "<li>x</li>"}'),
    }
    texts = {"login page": "Første note, som aldrig nåede frem.", "another note": "Anden note, svaret handlede om en anden."}
    current = {}
    # One route for the whole time: the first note's retries get such answers too.
    page.route(save_url, lambda route: route.fulfill(**current["answer"]))
    for kind, answer in answers.items():
        current["answer"] = answer
        area.fill(texts[kind])
        area.press("Enter")
        expect(status).to_contain_text("Ikke gemt endnu")  # set only once this answer was read
    assert page.evaluate("window.RundbordNotes.pendingCount()") == 2
    items = page.locator("[data-unsent] li")
    expect(items).to_have_count(2)
    for i, text in enumerate(texts.values()):
        expect(items.nth(i)).to_contain_text(f"Maja: {text}")
        expect(items.nth(i).locator(".save-status")).to_contain_text("Ikke gemt endnu")
    assert stored_notes(meeting_id) == []

    page.unroute(save_url)
    page.evaluate("window.RundbordNotes.flush(true)")
    page.wait_for_function("() => window.RundbordNotes.pendingCount() === 0", timeout=15000)
    assert sorted(stored_notes(meeting_id)) == sorted(texts.values())
    expect(page.locator("[data-unsent]")).to_be_hidden()
