"""Line breaks come back as they were typed: one kind (LF) in the database, one Word line break per line in the DOCX."""

from __future__ import annotations

import io
import json
import uuid

import docx
from docx.oxml.ns import qn

from exports.summary import build_summary
from exports.summary_docx import build_summary_docx
from extensions import db
from kernel.clock import utcnow
from meetings.models import (
    Agreement,
    FollowUp,
    Goal,
    Meeting,
    MemberKind,
    NetworkMember,
    Note,
    NoteKind,
    Phase,
)
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def post(client, url, data, htmx=False):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, headers=HX if htmx else {})


def citizen(course_id: int) -> NetworkMember:
    return db.session.scalars(
        db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.kind == MemberKind.CITIZEN)
    ).one()


def test_a_plain_form_sends_crlf_and_every_field_is_stored_with_one_kind_of_line_break(demo, client_as):
    """A browser posts a textarea's line breaks as CRLF; htmx and capture.js send LF. Stored: LF, always."""
    tove, morten = client_as("tove"), client_as("morten")
    mid = demo.upcoming_meeting_id
    post(morten, f"/meetings/{mid}/phase", {"phase": "opening"})
    assert post(morten, f"/meetings/{mid}/topics", {"citizen_topics": "Søvnen.\r\nPraktikken.\rPengene."}).status_code == 302
    post(morten, f"/meetings/{mid}/phase", {"phase": "closing"})
    assert post(morten, f"/meetings/{mid}/agreements", {"text": "Ali ringer.\r\nMaja svarer."}).status_code == 302
    added = post(tove, f"/courses/{demo.course_id}/members", {
        "name": "Bo Berg", "kind": "private", "relation": "nabo", "mandate": "Intet.\r\nKun lytte.", "closeness": "middle", "language": "da",
    })
    assert added.status_code == 302
    assert post(tove, f"/courses/{demo.course_id}/goals", {"kind": "goal", "text": "At sove.\r\n\r\nAt arbejde."}).status_code == 302
    agreement_id = db.session.scalar(db.select(Agreement.id).where(Agreement.origin_meeting_id == demo.meeting_ids[0]).limit(1))
    today = utcnow().date().isoformat()
    assert post(tove, f"/agreements/{agreement_id}/follow-up", {"contacted_on": today, "text": "Ringede.\r\nIntet svar."}).status_code == 302

    db.session.expire_all()
    assert db.session.get(Meeting, mid).citizen_topics == "Søvnen.\nPraktikken.\nPengene."
    assert db.session.scalar(db.select(Agreement.text).where(Agreement.origin_meeting_id == mid)) == "Ali ringer.\nMaja svarer."
    assert db.session.scalar(db.select(NetworkMember.mandate).where(NetworkMember.name == "Bo Berg")) == "Intet.\nKun lytte."
    assert db.session.scalar(db.select(Goal.text).where(Goal.text.like("At sove%"))) == "At sove.\n\nAt arbejde."
    assert db.session.scalar(db.select(FollowUp.text).where(FollowUp.agreement_id == agreement_id)) == "Ringede.\nIntet svar."


def test_a_note_sent_as_json_with_crlf_is_stored_with_lf(demo, client_as):
    rikke = client_as("rikke")
    body = {"uid": "crlf-1", "text": "Jeg sover dårligt.\r\nOg jeg er træt.\r", "device": "d", "seq": 1}
    response = rikke.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(rikke)},
    )
    assert response.status_code == 200 and response.json["text"] == "Jeg sover dårligt.\nOg jeg er træt.\n"
    assert db.session.scalar(db.select(Note.text).where(Note.client_uid == "crlf-1")) == "Jeg sover dårligt.\nOg jeg er træt.\n"


def _paragraph_with(document, words: str):
    (paragraph,) = [p for p in document.paragraphs if words in p.text]
    return paragraph


def test_each_line_of_a_note_is_one_line_break_in_the_docx(demo):
    """Also a note stored with CRLF before the input boundary made it LF: one w:br per line, no empty line."""
    meeting_id = demo.meeting_ids[0]
    maja = citizen(demo.course_id)
    for text in ("Linje et\r\nLinje to\r\nLinje tre", "Første\nAnden", "Gammel\rMac"):
        db.session.add(Note(meeting_id=meeting_id, client_uid=uuid.uuid4().hex, speaker_id=maja.id, kind=NoteKind.OWN_WORDS,
                            phase=Phase.DIALOGUE, text=text, created_at=utcnow()))
    db.session.commit()
    document = docx.Document(io.BytesIO(build_summary_docx(build_summary(meeting_id))))
    for first, lines in (("Linje et", 3), ("Første", 2), ("Gammel", 2)):
        paragraph = _paragraph_with(document, first)
        assert len(paragraph._p.findall(".//" + qn("w:br"))) == lines - 1, paragraph.text
        assert "\n\n" not in paragraph.text and len(paragraph.text.split("\n")) == lines
    # The stored note is as it was: the export only reads.
    assert db.session.scalar(db.select(Note.text).where(Note.text.like("Linje et%"))) == "Linje et\r\nLinje to\r\nLinje tre"

