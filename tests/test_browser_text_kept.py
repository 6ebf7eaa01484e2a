"""In Chromium: a paste over a box's limit is kept with a message, never cut and never "Gemt ✓"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import db
from meetings.models import Meeting, Note, Phase
from roles.models import User
from tests.conftest import browser_log_in

pytestmark = pytest.mark.browser


def open_meeting(page, live_server, demo, phase: Phase, username: str) -> Meeting:
    from kernel.clock import utcnow
    from meetings.screen.phases import move_to_phase

    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    move_to_phase(meeting, phase, utcnow())
    db.session.commit()
    browser_log_in(page, live_server, username)
    page.goto(f"{live_server}/meetings/{meeting.id}")
    return meeting


def test_a_paste_too_long_for_the_topics_box_stays_whole_and_is_never_called_saved(live_server, tablet, demo):
    page = tablet
    meeting = open_meeting(page, live_server, demo, Phase.OPENING, "morten")
    box = page.get_by_label("Hvad borgeren vil tale om i dag")
    text = ("Søvnen og praktikken. " * 300)[:5000] + "x" * 312
    box.fill(text)
    expect(box).to_have_value(text)  # a maxlength would have cut it at 5,000
    expect(page.locator("#citizen_topics-limit")).to_have_text(
        "312 tegn for meget — gør teksten kortere, før den kan gemmes (højst 5.000 tegn)."
    )
    saved = page.locator("#topics-saved")
    expect(saved).to_contain_text("312 tegn for meget", timeout=10000)  # the autosave's answer
    expect(saved).not_to_contain_text("Gemt")
    expect(box).to_have_value(text)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).citizen_topics != text

    # The person shortens it: now it is saved, and the message goes.
    box.fill(text[:5000])
    expect(saved).to_have_text("Gemt ✓", timeout=10000)
    expect(page.locator("#citizen_topics-limit")).to_be_hidden()
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).citizen_topics == text[:5000]


def test_a_note_too_long_stays_in_the_box_and_on_the_device_with_the_message(live_server, tablet, demo):
    from meetings.screen.notes import MAX_NOTE_LENGTH

    page = tablet
    meeting = open_meeting(page, live_server, demo, Phase.DIALOGUE, "rikke")
    sent = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.url.endswith("/notes") and r.method == "POST" else None)
    area = page.get_by_label("Med den talendes egne ord")
    text = "Jeg vil gerne sove. " * (MAX_NOTE_LENGTH // 20) + "x" * 312
    area.fill(text)
    area.press("Enter")
    status = page.locator("#capture .save-status")
    expect(status).to_have_text("Ikke gemt. Teksten er gemt på denne enhed.")
    expect(page.locator("#note-text-limit")).to_contain_text("312 tegn for meget")
    expect(area).to_have_value(text)  # not cut, not cleared for the next note
    rikke = db.session.scalar(db.select(User.id).where(User.username == "rikke"))
    kept = page.evaluate(f"JSON.stringify(localStorage.getItem('rundbord:u{rikke}:outbox:{meeting.id}'))")
    assert text in kept.replace('\\\\"', '"')
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.meeting_id == meeting.id)) == 0

    area.fill(text[:MAX_NOTE_LENGTH])
    area.press("Enter")
    expect(area).to_have_value("")
    expect(page.locator("#note-list li")).to_have_count(1, timeout=10000)
    db.session.expire_all()
    assert db.session.scalar(db.select(Note.text).where(Note.meeting_id == meeting.id)) == text[:MAX_NOTE_LENGTH]
    # The device held the long text back instead of sending it to be refused on every keystroke.
    assert sent and all("x" * 312 not in body for body in sent)


RECTS = """([root, name, word]) => {
  // The on-screen box of the first occurrence of each string in the page's text.
  function box(needle) {
    const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(needle);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + needle.length);
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top};
      }
    }
    return null;
  }
  return {name: box(name), word: box(word)};
}"""


def test_a_name_with_a_right_to_left_override_does_not_turn_the_sentence_around_it(live_server, tablet, demo):
    """ "Hvad [RLO]Maja siger ja til …": without isolation the override turns "siger ja til …" around and puts
    it left of the name. Isolated, the sentence reads on to the right of the name, and the name itself
    still shows as it was written."""
    from meetings.models import Course

    course = db.session.get(Course, demo.course_id)
    course.citizen.preferred_name = "\u202eMaja"
    db.session.commit()
    page = tablet
    browser_log_in(page, live_server, "tove")
    page.goto(f"{live_server}/courses/{demo.course_id}/consent")
    rects = page.evaluate(RECTS, ["#consent-register > p", "Maja", "siger ja til"])
    assert rects["name"] and rects["word"]
    assert abs(rects["word"]["top"] - rects["name"]["top"]) < 5  # on the same line
    assert rects["word"]["left"] >= rects["name"]["right"] - 1, rects
    db.session.expire_all()
    assert db.session.get(Course, demo.course_id).citizen.preferred_name == "\u202eMaja"  # stored as typed
