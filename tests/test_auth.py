"""Logging in and out: argon2id, throttling, idle timeout, ending sessions, CSRF."""

from __future__ import annotations

import time
from datetime import timedelta

from extensions import db
from kernel.clock import utcnow
from roles.models import AuditEntry
from tests.conftest import csrf_token, login, user_named


def test_passwords_are_stored_as_argon2id(demo):
    assert user_named("tove").password_hash.startswith("$argon2id$")


def test_a_wrong_password_gets_a_danish_message_and_keeps_the_username(demo, client):
    response = client.post("/login", data={"username": "tove", "password": "wrong", "csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Brugernavnet eller adgangskoden er forkert." in page
    assert 'value="tove"' in page


def test_login_lands_on_the_courses_and_logout_ends_the_session(demo, client):
    login(client, "tove")
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get("/").status_code == 302


def test_login_never_redirects_to_another_site(demo, client):
    token = csrf_token(client)
    response = client.post("/login", data={"username": "tove", "password": "rundbord-demo", "next": "//evil.example/x", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_a_post_without_csrf_token_is_refused(demo, client_as):
    tove = client_as("tove")
    response = tove.post(f"/courses/{demo.course_id}/members", data={"name": "Eva", "kind": "private"})
    assert response.status_code == 400
    response = tove.post(f"/courses/{demo.course_id}/members", data={"name": "Eva", "kind": "private"}, headers={"HX-Request": "true"})
    assert response.status_code == 400


def test_repeated_failures_slow_the_account_down_but_never_forever(demo, client):
    token = csrf_token(client)
    for _ in range(6):
        client.post("/login", data={"username": "morten", "password": "nope", "csrf_token": token})
    refused = client.post("/login", data={"username": "morten", "password": "rundbord-demo", "csrf_token": token})
    assert refused.status_code == 429
    assert "For mange forkerte forsøg" in refused.get_data(as_text=True)
    user = user_named("morten")
    assert user.locked_until is not None
    assert user.locked_until - utcnow() <= timedelta(minutes=15)
    # When the hold has passed, the real user gets in.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    ok = client.post("/login", data={"username": "morten", "password": "rundbord-demo", "csrf_token": token})
    assert ok.status_code == 302
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.user_id == user.id)).all()
    assert actions.count("login.failed") == 5 and "login.refused_locked" in actions and "login.ok" in actions


def test_login_attempts_are_rate_limited_per_address(app, demo, tmp_path):
    from app import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    client = limited.test_client()
    token = csrf_token(client)
    codes = [client.post("/login", data={"username": "x", "password": "y", "csrf_token": token}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    assert "For mange forsøg" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)
    with limited.app_context():
        db.engine.dispose()


def test_an_idle_tablet_is_logged_out(app, demo, client):
    login(client, "rikke")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - (app.config["IDLE_TIMEOUT_MINUTES"] * 60 + 5)
    response = client.get(f"/courses/{demo.course_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/").status_code == 302


def test_polling_by_itself_does_not_keep_an_unattended_tablet_logged_in(app, demo, client):
    login(client, "rikke")
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
    polls = (f"/meetings/{demo.upcoming_meeting_id}/leader", f"/meetings/{demo.upcoming_meeting_id}/notes/current")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle + 60  # one minute left
    for url in polls:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    with client.session_transaction() as session:
        assert session["seen"] <= int(time.time()) - idle + 60  # the polls did not count as use
        session["seen"] = int(time.time()) - idle - 5
    # The next poll finds the tablet idle: the page goes to the login (notes off the screen).
    response = client.get(polls[0], headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")
    # Anything a person does (here: opening the page) is use: it keeps the session alive.
    login(client, "rikke")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - idle + 60
    client.get(f"/meetings/{demo.upcoming_meeting_id}")
    with client.session_transaction() as session:
        assert session["seen"] >= int(time.time()) - 5


def test_an_htmx_request_after_logout_asks_for_a_full_page_login(demo, client):
    response = client.get(f"/courses/{demo.course_id}", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")
    # After logging in again the person comes back to the page they were on, not the fragment.
    meeting = f"/meetings/{demo.upcoming_meeting_id}"
    tap = client.post(f"{meeting}/phase", headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost{meeting}"})
    assert tap.status_code == 401 and tap.headers["HX-Redirect"] == f"/login?next={meeting}"
    elsewhere = client.post(f"{meeting}/phase", headers={"HX-Request": "true", "HX-Current-URL": "http://evil.example//x"})
    assert "evil" not in elsewhere.headers["HX-Redirect"]


def test_the_session_has_an_absolute_lifetime(app, demo, client):
    login(client, "rikke")
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - app.config["SESSION_LIFETIME_HOURS"] * 3600 - 5
    assert client.get("/").status_code == 302


def test_logout_everywhere_ends_the_session_on_the_other_tablet(app, demo):
    first = login(app.test_client(), "morten")
    second = login(app.test_client(), "morten")
    assert second.get("/").status_code == 200
    first.post("/logout-everywhere", data={"csrf_token": csrf_token(first)})
    assert second.get("/").status_code == 302


def test_a_tablet_moving_from_wifi_to_mobile_data_stays_logged_in(demo, client):
    login(client, "morten")
    moved = client.get("/", environ_base={"REMOTE_ADDR": "10.9.8.7"}, headers={"User-Agent": "Tablet/2.0"})
    assert moved.status_code == 200


def test_a_new_session_starts_at_login(demo, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, "tove")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_a_password_change_ends_every_other_session_but_not_this_one(app, demo):
    here = login(app.test_client(), "rikke")
    other = login(app.test_client(), "rikke")
    token = csrf_token(here)
    wrong = here.post("/password", data={"current": "nope", "new": "et-nyt-langt-kodeord", "repeat": "et-nyt-langt-kodeord", "csrf_token": token})
    assert wrong.status_code == 400 and "Det er ikke din adgangskode nu." in wrong.get_data(as_text=True)
    short = here.post("/password", data={"current": "rundbord-demo", "new": "kort", "repeat": "kort", "csrf_token": token})
    assert short.status_code == 400
    ok = here.post("/password", data={"current": "rundbord-demo", "new": "et-nyt-langt-kodeord", "repeat": "et-nyt-langt-kodeord", "csrf_token": token})
    assert ok.status_code == 302
    assert here.get("/").status_code == 200
    assert other.get("/").status_code == 302
    login(app.test_client(), "rikke", "et-nyt-langt-kodeord")


def test_logout_ends_the_session_on_the_server_not_only_in_this_browser(app, demo):
    tablet = login(app.test_client(), "tove")
    with tablet.session_transaction() as session:
        copied = dict(session)
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet)})
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/").status_code == 302


def _note(uid: str) -> dict:
    return {"uid": uid, "text": "Jeg vil selv bestemme.", "kind": "own_words", "device": "tablet-a", "seq": 1, "base_version": 0}


def test_a_device_save_from_an_ended_session_gets_401_never_a_redirect(app, demo):
    """A redirect followed by fetch ends in the login page's 200, which a device took for
    "saved". Logged out on another tablet, or idle too long: the save is answered 401."""
    from meetings.models import Note

    tablet = login(app.test_client(), "morten")
    token = csrf_token(tablet)
    other = login(app.test_client(), "morten")
    other.post("/logout", data={"csrf_token": csrf_token(other)})
    url = f"/meetings/{demo.upcoming_meeting_id}/notes"
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    refused = tablet.post(url, json=_note("after-logout"), headers=headers)
    assert refused.status_code == 401 and "Location" not in refused.headers
    assert refused.json["outcome"] == "login" and "log ind igen" in refused.json["message"]

    idle = login(app.test_client(), "morten")
    token = csrf_token(idle)
    with idle.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    expired = idle.post(url, json=_note("after-idle"), headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert expired.status_code == 401 and expired.json["outcome"] == "login"
    # A page asking for JSON is answered the same way; a page in the browser still goes to the login page.
    assert idle.get(f"/meetings/{demo.upcoming_meeting_id}", headers={"Accept": "application/json"}).status_code == 401
    assert idle.get(f"/meetings/{demo.upcoming_meeting_id}").status_code == 302
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.client_uid.in_(["after-logout", "after-idle"]))) == 0


def test_logging_out_clears_only_that_persons_drafts_on_the_device(app, demo):
    """The login page after a logout names whose drafts this device drops; a link cannot ask for it."""
    tablet = login(app.test_client(), "morten")
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet)})
    page = tablet.get("/login").get_data(as_text=True)
    assert f'data-clear-drafts="{user_named("morten").id}"' in page
    assert "data-clear-drafts" not in tablet.get("/login").get_data(as_text=True)  # once, not at every visit
    assert "data-clear-drafts" not in app.test_client().get("/login?bye=1").get_data(as_text=True)


def test_a_page_says_whose_drafts_and_outbox_it_may_use(demo, client_as):
    page = client_as("rikke").get(f"/meetings/{demo.upcoming_meeting_id}").get_data(as_text=True)
    assert f'data-user="{user_named("rikke").id}"' in page and 'data-user-name="Rikke Dahl"' in page
