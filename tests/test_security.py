"""Safe by default: headers, no inline script, deploy check, and any text a person sends survives intact."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from extensions import db
from kernel.deploy import deploy_findings
from kernel.input import normalise_newlines
from meetings.models import Agreement, AgreementReview, Meeting, Note
from tests.conftest import csrf_token

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\shx-on|javascript:", re.I)


def test_every_page_carries_the_security_headers(demo, client_as):
    tove = client_as("tove")
    for url in ("/", f"/courses/{demo.course_id}", f"/meetings/{demo.meeting_ids[0]}", "/login"):
        h = tove.get(url).headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert part in csp
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert h["Cache-Control"] == "no-store"


def test_hsts_is_sent_over_https(demo, client):
    assert "Strict-Transport-Security" in client.get("/login", base_url="https://rundbord.example").headers
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_no_page_has_inline_script_or_event_handlers(demo, client_as):
    tove = client_as("tove")
    pages = ["/", f"/courses/{demo.course_id}", f"/courses/{demo.course_id}/audit"] + [f"/meetings/{m}" for m in demo.meeting_ids]
    for url in pages:
        html = tove.get(url).get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
    assert '"allowEval": false' in html and '"historyCacheSize": 0' in html


def test_the_session_cookie_is_httponly_and_lax(demo, client):
    token = csrf_token(client)
    response = client.post("/login", data={"username": "tove", "password": "rundbord-demo", "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_check_deploy_finds_the_development_defaults(app, tmp_path):
    development = create_app({"SECRET_KEY": "dev", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/dev.db"})
    result = development.test_cli_runner().invoke(args=["check-deploy", "--workers", "4"])
    assert result.exit_code == 1
    assert "weak" in result.output and "SQLite with 4" in result.output and "HTTPS" in result.output


def test_check_deploy_passes_a_production_configuration(app):
    prod = create_app({
        "SECRET_KEY": "a" * 16 + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c",
        "RUNDBORD_ENV": "production",
        "SESSION_COOKIE_SECURE": True,
        "PREFERRED_URL_SCHEME": "https",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@127.0.0.1/none",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Staff sign in through the municipality's provider (password login with a required
        # second factor passes too: tests/test_second_factor.py).
        "PASSWORD_LOGIN": False,
        "OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0",
        "OIDC_CLIENT_ID": "rundbord",
        "OIDC_CLIENT_SECRET": "from-the-provider",
    })
    assert deploy_findings(prod, workers=1) == []
    assert [f.what for f in deploy_findings(prod, workers=3)] == ["The login rate limit is counted per process."]


# --- any text, any field -------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["", " ", "\x00", "\x0b\x0c", "<script>alert(1)</script>", "a" * 20000, "مرحبا بالعالم", "😊" * 50, "\r\n\r\n", "Æble\u200b"]
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(text=ANY_TEXT)
def test_any_note_text_is_kept_exactly_or_refused_with_a_message(demo, client_as, text):
    c = client_as("rikke")
    uid = f"fuzz-{abs(hash(text))}-{len(text)}"
    response = c.post(
        f"/meetings/{demo.upcoming_meeting_id}/notes",
        data=json.dumps({"uid": uid, "text": text, "device": "fuzz", "seq": 1}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(c)},
    )
    assert response.status_code < 500
    stored = db.session.scalar(db.select(Note.text).where(Note.client_uid == uid))
    if response.status_code == 200:
        # Kept exactly, except that every line ending arrives as LF (roles/input_guard.py).
        assert stored == normalise_newlines(text)
        page = c.get(f"/meetings/{demo.upcoming_meeting_id}").get_data(as_text=True)
        if "<script>" in text:
            assert "<script>alert(1)</script>" not in page.split("<main", 1)[1]
    else:
        assert stored is None and response.json["message"]


@FUZZ
@given(text=ANY_TEXT)
def test_any_agreement_and_review_text_is_kept_or_refused_never_a_500(demo, client_as, text):
    c = client_as("morten")
    mid = demo.upcoming_meeting_id
    token = csrf_token(c)
    hx = {"HX-Request": "true"}
    before = db.session.scalar(db.select(db.func.count(Agreement.id)))
    r = c.post(f"/meetings/{mid}/agreements", data={"text": text, "csrf_token": token}, headers=hx)
    assert r.status_code < 500
    if r.status_code == 200:
        assert db.session.scalar(db.select(Agreement.text).order_by(Agreement.id.desc()).limit(1)) == normalise_newlines(text)
    else:
        assert db.session.scalar(db.select(db.func.count(Agreement.id))) == before
        if "\x00" not in text:
            # Refused as empty: whatever was typed is still in the form.
            assert r.status_code == 400
    earlier = db.session.scalar(db.select(Agreement.id).where(Agreement.origin_meeting_id == demo.meeting_ids[1]).limit(1))
    r = c.post(f"/meetings/{mid}/reviews/{earlier}", data={"outcome": "partly", "comment": text, "csrf_token": token}, headers=hx)
    assert r.status_code < 500
    if r.status_code == 200:
        assert db.session.scalar(db.select(AgreementReview.comment).where(AgreementReview.meeting_id == mid)) == normalise_newlines(text)
    r = c.post(f"/meetings/{mid}/topics", data={"citizen_topics": text, "csrf_token": token}, headers=hx)
    assert r.status_code < 500
    if r.status_code == 200:
        db.session.expire_all()
        assert db.session.get(Meeting, mid).citizen_topics == normalise_newlines(text)


#: Every field name a form in Rundbord reads; the fuzz below fills them all with the same text.
FIELD_NAMES = [
    "name", "relation", "organisation", "mandate", "contact", "text", "comment", "reason", "citizen_topics", "note",
    "circumstances", "confirm_name", "location", "theme", "day", "time", "when", "minutes", "outcome", "status",
    "phase", "member_id", "include", "scope", "kind", "closeness", "language", "responsible_id", "goal_id", "due_on",
    "invitees", "score", "contacted_on", "max_participants", "planned_at", "goal", "end_note", "reviewed",
    "connectedness", "hope", "identity", "meaning", "empowerment", "locale", "next", "uid", "seq", "device",
    "email", "channel", "answer", "until", "message_id", "link_id",
]
SKIP = {"roles.logout", "roles.logout_everywhere", "roles.change_password", "roles.login", "exports.erase_course"}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_any_text_in_any_field_of_any_form_is_never_a_500_nor_markup(app, demo, client_as, text):
    from tests.test_access import _url_for_rule

    c = client_as("tove")
    token = csrf_token(c)
    form = {field: text for field in FIELD_NAMES}
    form["csrf_token"] = token
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in SKIP:
            continue
        url = _url_for_rule(rule, demo)
        for headers in ({}, {"HX-Request": "true"}):
            response = c.post(url, data=form, headers=headers)
            assert response.status_code < 500, (rule.endpoint, response.status_code)
            assert b"<script>alert(1)</script>" not in response.data, rule.endpoint
        db.session.rollback()
