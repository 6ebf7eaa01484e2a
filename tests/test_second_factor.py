"""The second factor for password logins: TOTP enrolment, codes once only, recovery codes, throttling, the administrator's rules."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp

from app import create_app
from extensions import db
from kernel.clock import utcnow
from roles.models import AuditEntry, User
from roles.signin import rules, sessions, totp
from roles.signin.models import RecoveryCode, SecondFactor
from tests.conftest import csrf_token, login

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle=|javascript:", re.IGNORECASE)


def _user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def enrol(username: str) -> str:
    """Give a demo user a confirmed authenticator through the real rules; return its secret."""
    user = _user(username)
    secret = totp.start_enrolment(user)
    codes = totp.confirm_enrolment(user, pyotp.TOTP(secret).at(time.time() - 30))
    assert codes is not None
    db.session.commit()
    return secret


def _actions(user_id: int | None = None) -> list[str]:
    query = db.select(AuditEntry.action).order_by(AuditEntry.id)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    return list(db.session.scalars(query))


def _password(client, username: str, password: str = "rundbord-demo"):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)})


def _code(client, code: str, remember: bool = False):
    data = {"code": code, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    return client.post("/signin/code", data=data)


def test_enrolling_shows_a_qr_code_and_a_code_from_the_app_confirms_it(demo, client_as):
    tove = client_as("tove")
    page = tove.get("/signin/second-factor/enrol")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<svg role="img"' in html and "<title>QR-kode" in html and not INLINE.search(html)
    secret = totp.decrypt_secret(_user("tove").id, db.session.scalar(db.select(SecondFactor.secret_encrypted)))
    assert totp.grouped(secret) in html  # the same secret, for typing by hand
    # The page asks again with the same secret until it is confirmed (a scanned QR code stays good).
    assert totp.grouped(secret) in tove.get("/signin/second-factor/enrol").get_data(as_text=True)

    wrong = tove.post("/signin/second-factor/enrol", data={"code": "000000", "csrf_token": csrf_token(tove)})
    assert wrong.status_code == 400 and "Koden er ikke rigtig" in wrong.get_data(as_text=True)
    assert 'value="000000"' in wrong.get_data(as_text=True)  # what was typed stays
    assert not totp.is_enrolled(_user("tove"))

    right = tove.post("/signin/second-factor/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(tove)})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", right.get_data(as_text=True))
    assert right.status_code == 200 and len(set(codes)) == 10
    assert totp.is_enrolled(_user("tove"))
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(code in h for h in stored for code in codes)
    assert "second_factor.enrolled" in _actions(_user("tove").id)


def test_the_secret_is_stored_encrypted_and_bound_to_its_user(app, demo):
    secret = enrol("tove")
    stored = db.session.scalar(db.select(SecondFactor.secret_encrypted))
    assert secret not in stored and stored.startswith("v1:")
    tove_id = _user("tove").id
    assert totp.decrypt_secret(tove_id, stored) == secret
    # The row copied to another person's account does not decrypt.
    assert totp.decrypt_secret(_user("rikke").id, stored) is None
    # A stolen database without the SECRET_KEY does not either.
    other = create_app({**app.config, "SECRET_KEY": "another-secret-key-of-enough-length-000"})
    with other.app_context():
        assert totp.decrypt_secret(tove_id, stored) is None
        db.engine.dispose()


def test_after_the_password_a_code_is_asked_and_nothing_is_granted_before_it(demo, client):
    secret = enrol("tove")
    response = _password(client, "tove")
    assert response.status_code == 302 and response.headers["Location"] == "/signin/code"
    assert client.get("/").status_code == 302
    page = client.get("/signin/code").get_data(as_text=True)
    assert "Totrinsbekræftelse" in page and 'autocomplete="one-time-code"' in page
    remember = re.search(r'<input[^>]*name="remember"[^>]*>', page).group(0)
    assert "checked" not in remember  # remembering the device is off by default
    ok = _code(client, pyotp.TOTP(secret).now())
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "rundbord_device" not in (ok.headers.get("Set-Cookie") or "")
    assert "second_factor.ok" in _actions(_user("tove").id)


def test_a_code_is_good_once(demo, app):
    secret = enrol("tove")
    code = pyotp.TOTP(secret).now()
    first = app.test_client()
    _password(first, "tove")
    assert _code(first, code).status_code == 302
    second = app.test_client()
    _password(second, "tove")
    reused = _code(second, code)
    assert reused.status_code == 400
    assert "Den kode er allerede brugt" in reused.get_data(as_text=True)
    assert second.get("/").status_code == 302
    assert "second_factor.reused" in _actions(_user("tove").id)


def test_a_recovery_code_logs_in_once(demo, app):
    tove = login(app.test_client(), "tove")
    tove.get("/signin/second-factor/enrol")
    secret = totp.decrypt_secret(_user("tove").id, db.session.scalar(db.select(SecondFactor.secret_encrypted)))
    page = tove.post("/signin/second-factor/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(tove)})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.get_data(as_text=True))

    lost_phone = app.test_client()
    _password(lost_phone, "tove")
    used = _code(lost_phone, codes[3].upper().replace("-", " "))  # as read aloud or typed from paper
    assert used.status_code == 302
    assert "Du har 9 tilbage" in lost_phone.get("/").get_data(as_text=True)
    assert totp.recovery_codes_left(_user("tove")) == 9

    again = app.test_client()
    _password(again, "tove")
    refused = _code(again, codes[3])
    assert refused.status_code == 400 and again.get("/").status_code == 302
    assert "second_factor.recovery_used" in _actions(_user("tove").id)


def test_wrong_codes_slow_the_second_factor_down_and_every_attempt_is_audited(demo, client):
    secret = enrol("tove")
    _password(client, "tove")
    codes = [_code(client, "123456").status_code for _ in range(6)]
    assert codes[:5] == [400] * 5 and codes[5] in (400, 429)
    held = _code(client, pyotp.TOTP(secret).now())
    assert held.status_code == 429 and "For mange forkerte forsøg" in held.get_data(as_text=True)
    factor = db.session.scalar(db.select(SecondFactor))
    assert factor.locked_until - utcnow() <= timedelta(minutes=15)
    # A right password again does not reset the count (only a right code does).
    _password(client, "tove")
    assert db.session.scalar(db.select(SecondFactor.failed_attempts)) == 5
    actions = _actions(_user("tove").id)
    assert actions.count("second_factor.failed") >= 5 and "second_factor.refused_locked" in actions
    # When the hold has passed, the real person gets in.
    factor.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _code(client, pyotp.TOTP(secret).now()).status_code == 302


def test_the_half_logged_in_step_runs_out(demo, client):
    enrol("tove")
    _password(client, "tove")
    with client.session_transaction() as session:
        session[sessions.PENDING_KEY] = {**session[sessions.PENDING_KEY], "at": int(time.time()) - sessions.PENDING_SECONDS - 1}
    response = client.get("/signin/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_ending_every_session_also_ends_a_half_login(demo, app, client):
    enrol("tove")
    _password(client, "tove")
    rules_user = _user("tove")
    from roles import services

    services.end_all_sessions(rules_user)
    assert client.get("/signin/code").status_code == 302


def test_a_remembered_device_skips_the_code_until_it_is_forgotten(demo, app):
    secret = enrol("tove")
    tablet = app.test_client()
    _password(tablet, "tove")
    response = _code(tablet, pyotp.TOTP(secret).now(), remember=True)
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("rundbord_device=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0] and "Max-Age=2592000" in cookie[0]
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet)})
    assert _password(tablet, "tove").headers["Location"] == "/"  # straight in
    # Another browser is asked, and so is another person on this one.
    assert _password(app.test_client(), "tove").headers["Location"] == "/signin/code"
    tablet.post("/signin/second-factor/forget-devices", data={"csrf_token": csrf_token(tablet)})
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet)})
    assert _password(tablet, "tove").headers["Location"] == "/signin/code"


def test_the_administrator_can_require_a_second_factor_for_everyone(demo, app):
    rules.set_policy(require_second_factor=True)
    morten = app.test_client()
    assert _password(morten, "morten").headers["Location"] == "/signin/setup"
    assert morten.get("/").status_code == 302  # not in before it is set up
    page = morten.get("/signin/setup").get_data(as_text=True)
    assert '<svg role="img"' in page
    secret = totp.decrypt_secret(_user("morten").id, db.session.scalar(db.select(SecondFactor.secret_encrypted)))
    done = morten.post("/signin/setup", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(morten)})
    assert done.status_code == 200 and len(re.findall(r"<code>[a-z2-9]{5}-[a-z2-9]{5}</code>", done.get_data(as_text=True))) == 10
    assert morten.get("/").status_code == 200
    # While it is required, nobody turns their own off.
    refused = morten.post("/signin/second-factor/off", data={"off-code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(morten)})
    assert refused.status_code == 302 and totp.is_enrolled(_user("morten"))


def test_turning_it_off_and_new_recovery_codes_need_a_fresh_code(demo, client_as):
    tove = client_as("tove")
    secret = enrol("tove")
    wrong = tove.post("/signin/second-factor/recovery-codes", data={"renew-code": "111111", "csrf_token": csrf_token(tove)})
    assert wrong.status_code == 400 and 'value="111111"' in wrong.get_data(as_text=True)
    old = set(db.session.scalars(db.select(RecoveryCode.code_hash)))
    renewed = tove.post("/signin/second-factor/recovery-codes", data={"renew-code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(tove)})
    assert renewed.status_code == 200
    assert set(db.session.scalars(db.select(RecoveryCode.code_hash))).isdisjoint(old)
    assert tove.post("/signin/second-factor/off", data={"off-code": "222222", "csrf_token": csrf_token(tove)}).status_code == 400
    assert totp.is_enrolled(_user("tove"))
    # The same code again is a reuse; the next step's code turns it off.
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    assert tove.post("/signin/second-factor/off", data={"off-code": next_code, "csrf_token": csrf_token(tove)}).status_code == 302
    assert not totp.is_enrolled(_user("tove"))
    assert "second_factor.turned_off" in _actions(_user("tove").id)


def test_the_status_page_says_what_is_set_up_in_both_languages(demo, client_as):
    tove = client_as("tove")
    assert "Opsæt totrinsbekræftelse" in tove.get("/signin/second-factor").get_data(as_text=True)
    enrol("tove")
    assert "Du har 10 ubrugte gendannelseskoder." in tove.get("/signin/second-factor").get_data(as_text=True)
    tove.post("/language", data={"locale": "en", "next": "/signin/second-factor", "csrf_token": csrf_token(tove)})
    english = tove.get("/signin/second-factor").get_data(as_text=True)
    assert "You have 10 unused recovery codes." in english and "Make ten new recovery codes" in english
