"""Answers that were 500s or wrong: ids too big for any column, JSON that is not an object, and
error answers to htmx requests that put a whole page inside the page."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from extensions import db
from kernel.ids import MAX_ID, IdConverter
from meetings.models import Agreement, Note
from tests.conftest import csrf_token, user_named
from tests.test_access import _routes, _url_for_rule

HX = {"HX-Request": "true"}
#: One past what PostgreSQL's integer holds, one past SQLite's, and far past both.
TOO_BIG = [MAX_ID + 1, 2**63, 10**20]


def _url_with(rule, demo, arg: str, value: int) -> str:
    """The rule's URL with `value` for `arg` and the demo course's real ids for the rest."""
    partly = SimpleNamespace(rule=rule.rule.replace(f"<int:{arg}>", str(value)), arguments=rule.arguments - {arg})
    return _url_for_rule(partly, demo)


# --- ids beyond what an id column holds --------------------------------------------------


def test_every_id_in_every_url_takes_the_id_converter(app):
    checked = 0
    for rule in app.url_map.iter_rules():
        for arg, converter in rule._converters.items():
            if f"<int:{arg}>" in rule.rule:
                assert isinstance(converter, IdConverter), rule.rule
                checked += 1
    assert checked >= 50


def test_an_id_too_big_for_any_id_column_is_a_404_on_every_route(app, demo, client_as):
    """Logged in as the tovholder, who may reach every one of these routes with real ids."""
    tove = client_as("tove")
    token = csrf_token(tove)
    checked = 0
    for rule, method in _routes(app):
        for arg in [a for a in rule.arguments if f"<int:{a}>" in rule.rule]:
            for value in TOO_BIG:
                url = _url_with(rule, demo, arg, value)
                assert str(value) in url
                for headers in ({}, HX):
                    response = tove.open(url, method=method, data={"csrf_token": token}, headers=headers)
                    assert response.status_code == 404, f"{method} {url} gave {response.status_code}"
                checked += 1
    assert checked >= 150


def test_the_largest_id_a_column_holds_is_looked_up_and_not_found(demo, client_as):
    tove = client_as("tove")
    assert tove.get(f"/meetings/{MAX_ID}").status_code == 404
    assert tove.get(f"/courses/{MAX_ID}").status_code == 404
    assert tove.get(f"/notes/{MAX_ID}", headers=HX).status_code == 404


def test_an_id_in_a_json_note_too_big_for_a_column_is_refused_with_a_message(demo, client_as):
    response = _post_note(client_as("rikke"), demo, {**NOTE, "speaker_id": 10**20})
    assert response.status_code == 400 and "speaker_id" in response.json["message"]
    assert _notes_stored() == 0


# --- JSON bodies -----------------------------------------------------------------------------

NOTE = {"uid": "u-json", "text": "Jeg vil gerne sove.", "kind": "own_words", "device": "tablet-a", "seq": 1, "base_version": 0}


def _post_note(client, demo, body, raw: str | None = None):
    return client.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=raw if raw is not None else json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(client)},
    )


def _notes_stored() -> int:
    return db.session.scalar(db.select(db.func.count(Note.id)).where(Note.client_uid == "u-json"))


@pytest.mark.parametrize("raw", ["[1,2]", '"Jeg vil gerne sove."', "42", "null", '{"text": '])
def test_a_note_body_that_is_not_an_object_is_a_400_with_a_message(demo, client_as, raw):
    response = _post_note(client_as("rikke"), demo, None, raw=raw)
    assert response.status_code == 400
    assert response.json == {"outcome": "invalid", "message": "Forespørgslen skal være et JSON-objekt."}


@pytest.mark.parametrize(
    "field, value",
    [("text", None), ("text", 5), ("text", ["a"]), ("uid", None), ("kind", None), ("device", {"a": 1}),
     ("seq", "ti"), ("seq", 1.5), ("seq", True), ("seq", None), ("base_version", -1), ("speaker_id", "Maja")],
)
def test_a_note_field_of_the_wrong_type_is_refused_never_converted(demo, client_as, field, value):
    """`"text": null` used to be saved as the word "None"."""
    response = _post_note(client_as("rikke"), demo, {**NOTE, field: value})
    assert response.status_code == 400
    assert response.json["outcome"] == "invalid" and response.json["field"] == field
    assert f"“{field}”" in response.json["message"] and response.json["message"].startswith("Feltet")
    assert _notes_stored() == 0
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.text == "None")) == 0


def test_the_message_about_a_wrong_field_follows_the_language(demo, client_as):
    rikke = client_as("rikke")
    rikke.post("/language", data={"locale": "en", "csrf_token": csrf_token(rikke)})
    response = _post_note(rikke, demo, {**NOTE, "text": None})
    assert response.json["message"] == "The field “text” must be text."


def test_a_note_with_its_fields_right_is_still_saved_as_sent(demo, client_as):
    response = _post_note(client_as("rikke"), demo, {**NOTE, "speaker_id": "", "seq": "7"})
    assert response.status_code == 200 and response.json["outcome"] == "created"
    assert db.session.scalar(db.select(Note.text).where(Note.client_uid == "u-json")) == NOTE["text"]


@pytest.mark.parametrize("raw", ["[1,2]", '{"text": null, "name": null, "citizen_topics": null}', '{"text": "a\\u0000b"}', '"x"'])
def test_a_json_body_to_any_view_that_takes_a_form_is_415_never_a_500(app, demo, client_as, raw):
    """Flask-WTF reads a JSON body as form data: a list was a 500, null the text "None", and a
    NUL went past the check of form fields. Only a declared JSON view reads JSON now."""
    from kernel.json_body import JSON_ATTR
    from roles.models import Grant, StaffGrant

    # Tove may start courses (the demo); as administrator too she reaches every staff view's JSON guard.
    db.session.add(StaffGrant(user_id=user_named("tove").id, kind=Grant.ADMINISTRATOR))
    db.session.commit()
    tove = client_as("tove")
    token = csrf_token(tove)
    agreements = db.session.scalar(db.select(db.func.count(Agreement.id)))
    checked = 0
    for rule, method in _routes(app):
        if method != "POST" or rule.endpoint == "roles.logout":
            continue
        url = _url_for_rule(rule, demo)
        response = tove.post(url, data=raw, headers={"Content-Type": "application/json", "X-CSRFToken": token})
        if getattr(app.view_functions[rule.endpoint], JSON_ATTR, False):
            # The demo's first meeting is closed: refused as closed (409) or as the wrong body (400).
            assert response.status_code in (400, 409) and response.json["message"], rule.endpoint
        else:
            assert response.status_code == 415, f"{rule.endpoint} gave {response.status_code}"
            assert response.json["message"] == "Denne adresse tager imod en formular, ikke JSON. Intet blev ændret."
        checked += 1
        db.session.rollback()
    assert checked >= 30
    assert db.session.scalar(db.select(db.func.count(Agreement.id))) == agreements


def test_only_the_json_helper_reads_a_json_body():
    """Every JSON view reads its body through kernel.json_body, which refuses wrong types.

    kernel/input.py is the request class itself: it makes every JSON string's line endings LF.
    """
    root = Path(__file__).resolve().parent.parent
    readers = []
    areas = ("meetings", "roles", "exports", "kernel")
    for path in sorted([*(p for area in areas for p in root.glob(f"{area}/**/*.py")), root / "app.py"]):
        source = path.read_text(encoding="utf-8")
        if "get_json(" in source or "request.json" in source:
            readers.append(path.relative_to(root).as_posix())
    assert readers == ["kernel/input.py", "kernel/json_body.py"]


# --- error answers to htmx requests ---------------------------------------------------------


def _is_one_line(response) -> str:
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<header" not in body and "<main" not in body, body[:300]
    assert body.strip().startswith('<p class="request-error" role="alert" data-request-error=')
    assert response.headers["HX-Retarget"] == "#request-problem" and response.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Request" in response.headers["Vary"]
    return body


def test_a_refused_character_answers_htmx_with_one_line_not_the_error_page(demo, client_as):
    morten = client_as("morten")
    response = morten.post(
        f"/meetings/{demo.upcoming_meeting_id}/agreements",
        data={"text": "Morten ringer\x00 til jobcentret", "csrf_token": csrf_token(morten)},
        headers=HX,
    )
    assert response.status_code == 400
    assert "usynligt kontroltegn (NUL)" in _is_one_line(response)
    # Without htmx it is still the whole page, with a way back.
    page = morten.post(f"/meetings/{demo.upcoming_meeting_id}/agreements", data={"text": "a\x00", "csrf_token": csrf_token(morten)})
    assert page.status_code == 400 and "<header" in page.get_data(as_text=True) and "Gå tilbage" in page.get_data(as_text=True)


def test_an_expired_form_answers_htmx_with_one_line_and_a_fresh_token_that_works(demo, client_as):
    morten = client_as("morten")
    url = f"/meetings/{demo.upcoming_meeting_id}/agreements"
    response = morten.post(url, data={"text": "Maja ringer til rideskolen.", "csrf_token": "stale"}, headers=HX)
    assert response.status_code == 400
    body = _is_one_line(response)
    assert "siden var udløbet" in body and "står her stadig" in body
    fresh = body.split('data-csrf-token="')[1].split('"')[0]
    again = morten.post(url, data={"text": "Maja ringer til rideskolen.", "csrf_token": fresh}, headers=HX)
    assert again.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Agreement.id)).where(Agreement.text == "Maja ringer til rideskolen.")) == 1


def test_an_expired_note_save_answers_json_the_device_can_show(demo, client_as):
    rikke = client_as("rikke")
    response = rikke.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=json.dumps(NOTE),
        headers={"Content-Type": "application/json", "X-CSRFToken": "stale"},
    )
    assert response.status_code == 400
    assert response.json == {"outcome": "expired", "message": "Ikke gemt: siden var udløbet. Noten er gemt på denne enhed; genindlæs siden for at sende den."}


def test_403_404_and_405_answer_htmx_with_one_line(demo, client_as):
    rikke = client_as("rikke")  # a reflectant in Maja's course: may write notes, not run the meeting
    token = csrf_token(rikke)
    mid = demo.upcoming_meeting_id
    forbidden = rikke.post(f"/meetings/{mid}/phase", data={"phase": "dialogue", "csrf_token": token}, headers=HX)
    assert forbidden.status_code == 403
    assert "Din rolle i dette forløb giver ikke lov til det." in _is_one_line(forbidden)
    gone = rikke.post(f"/notes/{MAX_ID}/delete", data={"csrf_token": token}, headers=HX)
    assert gone.status_code == 404 and "Ikke fundet" in _is_one_line(gone)
    wrong_method = rikke.get(f"/meetings/{mid}/phase", headers=HX)
    assert wrong_method.status_code == 405 and "Det kan ikke lade sig gøre her." in _is_one_line(wrong_method)


def test_a_busy_database_answers_htmx_with_one_line(demo, client_as, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from meetings.screen import agreements as agreements_module

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO agreement", {}, Exception("database is locked"))

    monkeypatch.setattr(agreements_module, "record_agreement", locked)
    morten = client_as("morten")
    response = morten.post(
        f"/meetings/{demo.upcoming_meeting_id}/agreements", data={"text": "Maja ringer.", "csrf_token": csrf_token(morten)}, headers=HX
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "databasen har travlt" in _is_one_line(response)


def test_too_many_attempts_answer_htmx_with_one_line(app, demo):
    from app import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"})
    client = limited.test_client()
    token = csrf_token(client)
    codes = [client.post("/login", data={"username": "x", "password": "y", "csrf_token": token}, headers=HX).status_code for _ in range(3)]
    assert codes[-1] == 429
    refused = client.post("/login", data={"username": "x", "password": "y", "csrf_token": token}, headers=HX)
    assert refused.status_code == 429 and "For mange forsøg" in _is_one_line(refused)
    with limited.app_context():
        db.engine.dispose()
