"""Text over a box's limit is kept and refused with by how much: never cut by the browser, never called saved."""

from __future__ import annotations

import json
import re

from extensions import db
from meetings.models import Agreement, NetworkMember, Note
from tests.conftest import csrf_token

HX = {"HX-Request": "true"}


def post(client, url, data, htmx=False):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, headers=HX if htmx else {})


MAYBE_CUT = re.compile(r"(?<![\w-])maxlength\s*=", re.I)


def _text_columns():
    """Every column a person writes into."""
    from meetings import models
    from roles.models import User

    for model in (models.Citizen, models.Course, models.NetworkMember, models.Meeting, models.Note, models.Goal, models.Agreement,
                  models.AgreementReview, models.Consent, models.FollowUp, models.SessionRating, User):
        for column in model.__table__.columns:
            if column.type.python_type is str:
                yield model, column


def stored_anywhere(text: str) -> bool:
    return any(db.session.scalar(db.select(db.func.count()).select_from(m).where(c == text)) for m, c in _text_columns())


def test_no_page_lets_the_browser_cut_a_paste(app, demo, client_as):
    """`maxlength` makes a browser cut pasted text without a word; the limit goes to the page as data-maxlength."""
    from tests.test_access import _url_for_rule

    tove, morten = client_as("tove"), client_as("morten")
    mid = demo.upcoming_meeting_id
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.endswith((".docx", ".zip", ".ics")):
            pages.append(_url_for_rule(rule, demo))
    pages += [f"/meetings/{mid}", f"/meetings/{mid}/pre-meeting", f"/meetings/{mid}/rating"]
    seen_limits = 0
    for client in (tove, morten):
        for phase in ("opening", "closing"):
            post(morten, f"/meetings/{mid}/phase", {"phase": phase}, htmx=True)
            for url in pages:
                html = client.get(url).get_data(as_text=True)
                assert not MAYBE_CUT.search(html), url
                seen_limits += html.count("data-maxlength=")
    assert seen_limits > 20
    # The boxes that matter most carry their limit.
    opening = morten.get(f"/meetings/{mid}").get_data(as_text=True)
    assert 'data-maxlength="100000"' in opening  # the note capture
    post(morten, f"/meetings/{mid}/phase", {"phase": "opening"}, htmx=True)
    assert re.search(r'<textarea[^>]*data-maxlength="5000"[^>]*name="citizen_topics"|<textarea[^>]*name="citizen_topics"[^>]*data-maxlength="5000"',
                     morten.get(f"/meetings/{mid}").get_data(as_text=True))


def test_every_form_limits_text_with_maxchars_never_a_cutting_length(app):
    """A `Length(max=…)` would render maxlength again; every limited field of every form uses MaxChars.
    (The app has imported every area's views, and with them every form.)"""
    from flask_wtf import FlaskForm
    from wtforms.validators import Length

    from kernel.input import MaxChars

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    limited = 0
    for form in subclasses(FlaskForm):
        for name, unbound in vars(form).items():
            for validator in getattr(unbound, "kwargs", {}).get("validators", None) or []:
                assert not (isinstance(validator, Length) and validator.max != -1), f"{form.__name__}.{name}"
                limited += isinstance(validator, MaxChars)
    assert limited >= 25


def _held(demo) -> int:
    return demo.meeting_ids[0]


def _member(demo) -> int:
    return db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.name == "Hanne Holm"))


def _agreement(demo) -> int:
    return db.session.scalar(db.select(Agreement.id).where(Agreement.origin_meeting_id == demo.meeting_ids[0]).limit(1))


#: (who, phase of the coming meeting or None, url, the form's other fields, the limited field, its limit)
LIMITED_FIELDS = [
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "name", 200),
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "relation", 200),
    ("tove", None, "/courses/{course}/members", {"kind": "professional", "closeness": "middle", "language": "da", "name": "Bo"}, "organisation", 200),
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "mandate", 2000),
    ("tove", None, "/courses/{course}/members", {"kind": "private", "closeness": "middle", "language": "da", "name": "Bo"}, "contact", 300),
    ("tove", None, "/members/{member}/edit", {"kind": "private", "closeness": "middle", "language": "da", "name": "Hanne Holm"}, "mandate", 2000),
    ("morten", "closing", "/meetings/{coming}/agreements", {}, "text", 5000),
    ("morten", "opening", "/meetings/{coming}/unannounced", {"kind": "private", "name": "Bo"}, "name", 200),
    ("morten", "opening", "/meetings/{coming}/unannounced", {"kind": "private", "name": "Bo"}, "relation", 200),
    ("morten", "closing", "/meetings/{coming}/next", {"day": "2030-01-02", "time": "10:00"}, "location", 200),
    ("morten", "opening", "/meetings/{coming}/topics", {}, "citizen_topics", 5000),
    ("morten", "opening", "/meetings/{coming}/phase", {"phase": "since_last"}, "citizen_topics", 5000),
    ("tove", None, "/meetings/{held}/reopen", {}, "reason", 190),
    ("tove", None, "/agreements/{agreement}/follow-up", {"contacted_on": "2020-01-02"}, "text", 4000),
    ("tove", None, "/members/{member}/consent", {"scope": "notes", "applies": "only_when"}, "circumstances", 500),
    ("tove", None, "/courses/{course}/goals", {"kind": "goal"}, "text", 2000),
    ("tove", None, "/courses/{course}/convene/regular", {"regular-planned_at": "2030-01-02T10:00", "regular-planned_minutes": "90"}, "regular-location", 200),
    ("tove", None, "/courses/{course}/convene/regular", {"regular-planned_at": "2030-01-02T10:00", "regular-planned_minutes": "90"}, "regular-theme", 500),
    ("tove", None, "/courses/{course}/convene/acute", {"acute-planned_at": "2030-01-02T10:00"}, "acute-location", 200),
    ("tove", None, "/meetings/{coming}/pre-meeting", {}, "citizen_topics", 4000),
    ("tove", None, "/meetings/{coming}/pre-meeting", {}, "note", 4000),
    ("tove", None, "/courses/{course}/end", {}, "note", 2000),
    ("morten", "closing", "/meetings/{coming}/rating", {"score": "4"}, "comment", 2000),
    ("tove", None, "/courses/{course}/erase", {}, "confirm_name", 200),
    (None, None, "/login", {"password": "x"}, "username", 80),
]


def test_every_limited_field_keeps_text_that_is_too_long_and_says_by_how_much(app, demo, client_as):
    """No form cuts: over the limit, the answer says "312 characters too long", the text is back in its box, nothing is stored."""
    ids = {"course": demo.course_id, "coming": demo.upcoming_meeting_id, "held": _held(demo), "member": _member(demo), "agreement": _agreement(demo)}
    for who, phase, url, fields, name, limit in LIMITED_FIELDS:
        client = client_as(who) if who else app.test_client()
        if phase:
            post(client_as("morten"), f"/meetings/{ids['coming']}/phase", {"phase": phase}, htmx=True)
        text = ("Ord " * limit)[:limit] + "x" * 312
        for htmx in (False, True):
            response = post(client, url.format(**ids), {**fields, name: text}, htmx=htmx)
            page = response.get_data(as_text=True)
            assert response.status_code == 400, (url, name, htmx, response.status_code)
            assert "312 tegn for meget" in page, (url, name, htmx)
            if not (htmx and url.endswith("/topics")):  # the autosave answers beside the box; the box keeps its text
                assert text in page, (url, name, htmx)
            # (A whole page has "Gemt ✓" among the messages for its script, outside <main>.)
            assert "Gemt ✓" not in page.split("<main", 1)[-1], (url, name, htmx)
        db.session.rollback()
        assert not stored_anywhere(text), (url, name)


def test_a_new_password_is_never_cut_either(app, demo, client_as):
    """A password manager's long paste used to be cut to 200 characters and saved so, unknown to the person."""
    from tests.conftest import login

    tove = client_as("tove")
    long = "k" * 212
    response = post(tove, "/password", {"current": "rundbord-demo", "new": long, "repeat": long})
    assert response.status_code == 400 and "12 tegn for meget" in response.get_data(as_text=True)
    login(app.test_client(), "tove", "rundbord-demo")  # nothing was changed


def test_a_note_too_long_is_refused_with_by_how_much_and_kept_on_the_device(demo, client_as):
    from meetings.screen.notes import MAX_NOTE_LENGTH

    rikke = client_as("rikke")
    text = "a" * (MAX_NOTE_LENGTH + 312)
    response = rikke.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=json.dumps({"uid": "long-1", "text": text, "device": "d", "seq": 1}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(rikke)},
    )
    assert response.status_code == 400
    assert response.json["message"].startswith("312 tegn for meget") and "100.000" in response.json["message"]
    assert db.session.scalar(db.select(Note.id).where(Note.client_uid == "long-1")) is None

