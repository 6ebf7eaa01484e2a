"""The citizen's rights: everything Rundbord holds about them (access, portability), and erasure."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import docx
import pytest

from exports import citizen_data
from extensions import db
from kernel.clock import utcnow
from meetings.course import calendar
from meetings.models import (
    Agreement,
    Attendance,
    Citizen,
    Consent,
    ConsentCheck,
    Course,
    FollowUp,
    Goal,
    InspireResponse,
    Meeting,
    NetworkMember,
    Note,
    NoteKind,
    Phase,
    SessionRating,
)
from roles.models import AuditEntry, RoleAssignment, User
from tests.conftest import count_queries, csrf_token, english
from tests.test_summary import citizen_of


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.data))


def _add_everything_else(demo) -> None:
    """Give Maja's course what the demo lacks: a follow-up, a rating, an INSPIRE answer, a hidden and a deleted note."""
    meeting_id = demo.meeting_ids[0]
    maja = citizen_of(demo.course_id)
    hanne = db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.name == "Hanne Holm"))
    agreement = db.session.scalars(db.select(Agreement).where(Agreement.origin_meeting_id == meeting_id)).first()
    inger_consent = db.session.scalar(db.select(Consent).where(Consent.course_id == demo.course_id, Consent.circumstances == "ved indlæggelse"))
    db.session.add_all([
        ConsentCheck(consent_id=inger_consent.id, meeting_id=meeting_id),
        FollowUp(agreement_id=agreement.id, text="Ringede til Ali; brevene er i gang."),
        SessionRating(meeting_id=meeting_id, member_id=maja.id, score=4, comment="Godt at blive hørt."),
        SessionRating(meeting_id=meeting_id, member_id=hanne, score=2, comment="Jeg turde ikke sige det hele."),
        InspireResponse(course_id=demo.course_id, meeting_id=meeting_id, connectedness=3, hope=2, identity=None, meaning=4, empowerment=1),
        Note(meeting_id=meeting_id, client_uid="hidden-1", speaker_id=maja.id, kind=NoteKind.OWN_WORDS, phase=Phase.DIALOGUE,
             text="Ikke til referatet, men holdt af Rundbord.", include_in_summary=False),
        Note(meeting_id=meeting_id, client_uid="deleted-1", speaker_id=maja.id, kind=NoteKind.OWN_WORDS, phase=Phase.DIALOGUE,
             text="En slettet note.", deleted_at=utcnow()),
    ])
    db.session.commit()


# --- access and portability -----------------------------------------------------------------


def test_the_zip_holds_valid_json_and_a_readable_docx_of_everything(demo, client_as):
    _add_everything_else(demo)
    tove = english(client_as("tove"))
    tove.get(f"/courses/{demo.course_id}")  # an access to find in the log
    response = tove.get(f"/courses/{demo.course_id}/citizen-data.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert re.fullmatch(r'attachment; filename="Maja-Rundbord-\d{4}-\d{2}-\d{2}\.zip"', response.headers["Content-Disposition"])
    archive = _zip(response)
    assert sorted(archive.namelist()) == [citizen_data.DOCX_NAME, citizen_data.JSON_NAME]
    assert archive.testzip() is None

    data = json.loads(archive.read(citizen_data.JSON_NAME).decode("utf-8"))
    assert data["format"] == "rundbord-citizen-data/1"
    assert data["citizen"]["preferred_name"] == "Maja" and data["citizen"]["full_name"] == "Maja Holm"
    assert {m["name"] for m in data["network"]} >= {"Maja", "Hanne Holm", "Ali Hassan", "Dr. Inger Mose"}
    assert len(data["meetings"]) == 3
    texts = [n["text"] for m in data["meetings"] for n in m["notes"]]
    # Held, so included: observations, notes not for the summary, deleted notes.
    assert "Jonas og Maja grinede sammen flere gange." in texts
    assert "Ikke til referatet, men holdt af Rundbord." in texts
    deleted = [n for m in data["meetings"] for n in m["notes"] if n["text"] == "En slettet note."]
    assert deleted and deleted[0]["deleted_at"].endswith("Z")
    assert len(data["agreements"]) == 4
    assert any(r["outcome"] == "not_done" for a in data["agreements"] for r in a["reviews"])
    assert any(f["text"].startswith("Ringede til Ali") for a in data["agreements"] for f in a["follow_ups"])
    assert {g["kind"] for g in data["goals"]} == {"hope", "dream"}
    assert {c["scope"] for c in data["consents"]} == {"summary", "agreements"}
    assert [(c["circumstances"], [k["meeting_id"] for k in c["checks"]]) for c in data["consents"] if c["checks"]] == [
        ("ved indlæggelse", [demo.meeting_ids[0]])
    ]
    # The citizen's own rating; Hanne's is hers, so only counted.
    rated = [m for m in data["meetings"] if m["ratings"] or m["ratings_by_others"]]
    assert [(r["score"], r["comment"]) for m in rated for r in m["ratings"]] == [(4, "Godt at blive hørt.")]
    assert [m["ratings_by_others"] for m in rated] == [1]
    assert "Jeg turde ikke sige det hele" not in json.dumps(data, ensure_ascii=False)
    assert data["inspire_responses"][0]["hope"] == 2 and data["inspire_responses"][0]["identity"] is None
    purposes = {e["purpose"] for e in data["access_log"]}
    assert {"course", "citizen-access-request"} <= purposes

    document = docx.Document(io.BytesIO(archive.read(citizen_data.DOCX_NAME)))
    assert document.core_properties.language == "da-DK"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Alt, hvad Rundbord har om Maja"
    assert "Hvornår dine data blev set" in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Jeg ligger vågen til klokken fire" in text and "ikke i referatet" in text
    assert "ved indlæggelse“ gjaldt, for referatet fra" in text
    assert "1 anden person sagde også, hvordan mødet var for dem." in text and "Jeg turde ikke" not in text
    assert document.tables  # the network, consents, INSPIRE and the access log are tables


def test_the_access_log_says_when_and_why_but_never_who(demo, client_as):
    english(client_as("morten")).get(f"/courses/{demo.course_id}")
    data = citizen_data.collect_citizen_data(demo.course_id, utcnow())
    assert data["access_log"]
    for entry in data["access_log"]:
        assert set(entry) == {"at", "purpose", "action"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["at"])
    staff = db.session.scalars(db.select(User)).all()
    log = json.dumps(data["access_log"])
    for user in staff:
        assert user.username not in log and user.display_name not in log
    # Nor in the readable version's access table.
    archive = zipfile.ZipFile(io.BytesIO(citizen_data.build_citizen_data_zip(demo.course_id, utcnow())))
    access_table = docx.Document(io.BytesIO(archive.read(citizen_data.DOCX_NAME))).tables[-1]
    cells = " ".join(c.text for row in access_table.rows for c in row.cells)
    assert cells and all(u.display_name not in cells and u.username not in cells.split() for u in staff)


def test_awkward_text_does_not_break_the_data_export(demo, client_as):
    maja = citizen_of(demo.course_id)
    awkward = "Linje\x0blinje 😀 أريد أن أنام " + "ord " * 5000
    db.session.add(Note(meeting_id=demo.meeting_ids[0], client_uid="awkward-1", speaker_id=maja.id,
                        kind=NoteKind.OWN_WORDS, phase=Phase.DIALOGUE, text=awkward))
    db.session.commit()
    response = client_as("tove").get(f"/courses/{demo.course_id}/citizen-data.zip")
    assert response.status_code == 200
    archive = _zip(response)
    data = json.loads(archive.read(citizen_data.JSON_NAME))
    assert awkward in [n["text"] for m in data["meetings"] for n in m["notes"]]  # JSON keeps it exactly
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(archive.read(citizen_data.DOCX_NAME))).paragraphs)
    assert "Linje\nlinje 😀 أريد أن أنام" in text


@pytest.mark.parametrize("username", ["morten", "rikke"])
def test_only_the_tovholder_exports_the_citizens_data(demo, client_as, username):
    assert client_as(username).get(f"/courses/{demo.course_id}/citizen-data.zip").status_code == 403


def test_the_course_page_offers_the_export_and_erasure_to_the_tovholder_only(demo, client_as):
    html = english(client_as("tove")).get(f"/courses/{demo.course_id}").get_data(as_text=True)
    assert f'href="/courses/{demo.course_id}/citizen-data.zip"' in html
    assert f'action="/courses/{demo.course_id}/erase"' in html
    html = english(client_as("morten")).get(f"/courses/{demo.course_id}").get_data(as_text=True)
    assert "citizen-data.zip" not in html and "/erase" not in html


# --- erasure -----------------------------------------------------------------------------------


def _count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_erasure_needs_the_citizens_name_typed(demo, client_as):
    tove = english(client_as("tove"))
    token = csrf_token(tove)
    response = tove.post(f"/courses/{demo.course_id}/erase", data={"csrf_token": token, "confirm_name": "Mia"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "That is not the name. Write <bdi>Maja</bdi> to erase the course." in html  # the name isolated
    assert 'value="Mia"' in html  # what was typed stays
    assert "<details open>" in html
    response = tove.post(f"/courses/{demo.course_id}/erase", data={"csrf_token": token, "confirm_name": ""})
    assert response.status_code == 400
    assert re.search(r'id="confirm_name-error">Write the citizen(&#39;|\')s name to confirm\.<', response.get_data(as_text=True))
    assert db.session.get(Course, demo.course_id) is not None


@pytest.mark.parametrize("username", ["morten", "rikke"])
def test_only_the_tovholder_may_erase(demo, client_as, username):
    c = client_as(username)
    response = c.post(f"/courses/{demo.course_id}/erase", data={"csrf_token": csrf_token(c), "confirm_name": "Maja"})
    assert response.status_code == 403
    assert db.session.get(Course, demo.course_id) is not None


def test_erasure_removes_the_personal_data_and_keeps_the_audit_trail(demo, client_as):
    _add_everything_else(demo)
    course = db.session.get(Course, demo.course_id)
    citizen_id, course_id = course.citizen_id, course.id
    meeting_ids = list(demo.meeting_ids)
    tove = english(client_as("tove"))
    tove.get(f"/courses/{course_id}")
    trail_before = db.session.scalars(db.select(AuditEntry.id).where(AuditEntry.course_id == course_id)).all()
    assert trail_before

    response = tove.post(f"/courses/{course_id}/erase", data={"csrf_token": csrf_token(tove), "confirm_name": "  maja "})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    dashboard = tove.get("/").get_data(as_text=True)
    assert "The course and all its personal data are erased." in dashboard
    assert "Maja" not in dashboard

    db.session.expire_all()
    assert db.session.get(Course, course_id) is None
    assert db.session.get(Citizen, citizen_id) is None
    for model, where in (
        (NetworkMember, NetworkMember.course_id == course_id),
        (Meeting, Meeting.course_id == course_id),
        (Note, Note.meeting_id.in_(meeting_ids)),
        (Attendance, Attendance.meeting_id.in_(meeting_ids)),
        (Agreement, Agreement.course_id == course_id),
        (FollowUp, FollowUp.id.isnot(None)),
        (Goal, Goal.course_id == course_id),
        (Consent, Consent.course_id == course_id),
        (ConsentCheck, ConsentCheck.meeting_id.in_(meeting_ids)),
        (SessionRating, SessionRating.meeting_id.in_(meeting_ids)),
        (InspireResponse, InspireResponse.course_id == course_id),
        (RoleAssignment, RoleAssignment.course_id == course_id),
    ):
        assert _count(model, where) == 0, model.__name__
    # Karim's course is untouched.
    assert db.session.get(Course, demo.other_course_id) is not None

    trail_after = db.session.scalars(db.select(AuditEntry).where(AuditEntry.course_id == course_id)).all()
    assert set(trail_before) <= {e.id for e in trail_after}
    (erased,) = [e for e in trail_after if e.action == "course.erased"]
    assert erased.citizen_id == citizen_id and erased.purpose == "erasure"
    assert erased.user_id == db.session.scalar(db.select(User.id).where(User.username == "tove"))
    # The trail holds ids and purposes, never the citizen's data.
    for entry in db.session.scalars(db.select(AuditEntry)):
        for value in (entry.action, entry.purpose, entry.object_type, entry.detail):
            assert not value or ("Maja" not in value and "Holm" not in value)
    assert tove.get(f"/courses/{course_id}").status_code == 404


def test_the_export_asks_the_database_the_same_20_queries_whatever_the_course_holds(demo, client_as):
    """The README's number: one query per table read, not one per meeting or note (17 until the
    export also read the messages, the answers by link and how each person wants messages)."""
    tove = client_as("tove")
    url = f"/courses/{demo.course_id}/citizen-data.zip"

    def queries() -> int:
        with count_queries() as sent:
            assert tove.get(url).status_code == 200
        return len(sent)

    before = queries()
    _add_everything_else(demo)
    calendar.plan_meeting(db.session.get(Course, demo.course_id), utcnow() + timedelta(days=30), location="Hjemme")
    db.session.commit()
    after = queries()
    assert (before, after) == (20, 20)
