"""Signing in through a real OpenID Provider (node-oidc-provider, started on loopback by the tests).

Every refusal below goes through Rundbord's real callback: the provider is real, the code and
PKCE exchange are real, and the tampered ID tokens are signed with the provider's own key.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from extensions import db
from roles.models import AuditEntry, RoleAssignment, User
from roles.signin import rules
from roles.signin.models import SsoIdentity
from tests.conftest import csrf_token
from tests.openid_provider import (
    Provider,
    client,
    running_provider,
    sign_in_at_provider,
    user,
)

RP = "http://localhost"  # Flask's test client
SECRET = "test-client-secret"
TAMPERED = {
    "rundbord-wrong-nonce": "nonce",
    "rundbord-wrong-audience": "audience",
    "rundbord-audience-list": "audience-list",
    "rundbord-expired": "expired",
    "rundbord-bad-signature": "signature",
}
PEOPLE = {
    # login at the provider: (password, sub, claims)
    "tove.op": user("tove.op", "op-pass", "sub-tove", preferred_username="Tove", name="Tove Tovholder", upn="tove"),
    "sofie": user("sofie", "op-pass", "sub-sofie", preferred_username="sofie.ny@kommune.example", name="Sofie Ny"),
    "impostor": user("impostor", "op-pass", "sub-impostor", preferred_username="tove", name="Not Tove"),
    "nameless": user("nameless", "op-pass", "sub-nameless", name="No Username"),
}


@pytest.fixture(scope="module")
def op():
    clients = [client("rundbord", RP)] + [client(cid, RP, tamper=how) for cid, how in TAMPERED.items()]
    with running_provider(clients, list(PEOPLE.values())) as provider:
        yield provider


@pytest.fixture
def sso(app, demo, op):
    """The test app set up to sign in through the provider."""
    app.config.update(OIDC_ISSUER=op.issuer, OIDC_CLIENT_ID="rundbord", OIDC_CLIENT_SECRET=SECRET, OIDC_PROVIDER_NAME="Testkommune")
    return op


def sign_in(client, op: Provider, login: str, browser: requests.Session | None = None):
    """Go through the whole flow as a browser would; return Rundbord's answer to the callback."""
    start = client.get("/signin/oidc")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    back = sign_in_at_provider(op, start.headers["Location"], login, PEOPLE[login]["password"], RP, browser)
    return client.get(back[len(RP):])


def _actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def _failures() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.detail).where(AuditEntry.action == "sso.login.failed")))


def test_signing_in_through_the_provider_logs_in_the_matching_staff_account(sso, client, demo):
    start = client.get(f"/signin/oidc?next=/courses/{demo.course_id}")
    asked = parse_qs(urlsplit(start.headers["Location"]).query)
    # Authorization code flow with PKCE (S256), a state and a nonce.
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert asked["code_challenge"][0] and asked["state"][0] and asked["nonce"][0]
    assert asked["redirect_uri"] == [RP + "/signin/oidc/callback"]
    back = sign_in_at_provider(sso, start.headers["Location"], "tove.op", "op-pass", RP)
    done = client.get(back[len(RP):])
    assert done.status_code == 302 and done.headers["Location"] == f"/courses/{demo.course_id}"
    assert "Maja" in client.get("/").get_data(as_text=True)
    tove = db.session.scalar(db.select(User).where(User.username == "tove"))
    identity = db.session.scalar(db.select(SsoIdentity))
    assert (identity.user_id, identity.issuer, identity.subject) == (tove.id, sso.issuer, "sub-tove")
    assert "sso.login.ok" in _actions()


def test_the_login_page_offers_the_provider(sso, client):
    page = client.get("/login").get_data(as_text=True)
    assert "Log ind med Testkommune" in page and 'href="/signin/oidc' in page
    assert 'name="password"' in page  # password login is still on


def test_an_unknown_person_is_refused_with_a_clear_message_and_nothing_is_made(sso, client):
    users_before = db.session.scalar(db.select(db.func.count(User.id)))
    refused = sign_in(client, sso, "sofie")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Din kommune siger, at du er sofie.ny@kommune.example, men Rundbord har ingen medarbejderkonto" in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == users_before
    assert client.get("/").status_code == 302
    assert "sso.login.refused_unknown" in _actions()


def test_sign_in_makes_an_account_without_any_course_role_when_the_administrator_allows_it(sso, client, app):
    rules.set_policy(sso_creates_accounts=True)
    done = sign_in(client, sso, "sofie")
    assert done.status_code == 302
    sofie = db.session.scalar(db.select(User).where(User.username == "sofie.ny@kommune.example"))
    assert sofie.display_name == "Sofie Ny" and sofie.password_hash == rules.NO_PASSWORD
    assert db.session.scalar(db.select(db.func.count(RoleAssignment.id)).where(RoleAssignment.user_id == sofie.id)) == 0
    dashboard = client.get("/").get_data(as_text=True)
    assert "Velkommen" in dashboard and "Maja" not in dashboard
    # No password opens an account made by sign-in.
    other = app.test_client()
    refused = other.post("/login", data={"username": sofie.username, "password": rules.NO_PASSWORD, "csrf_token": csrf_token(other)})
    assert refused.status_code == 400
    assert "sso.account_created" in _actions()


@pytest.mark.parametrize("client_id, claim", [
    ("rundbord-wrong-nonce", "nonce"),
    ("rundbord-wrong-audience", "aud"),
    ("rundbord-audience-list", "aud"),
    ("rundbord-expired", "expired"),
    ("rundbord-bad-signature", "signature"),
])
def test_an_id_token_that_is_not_for_this_sign_in_is_refused(sso, client, app, client_id, claim):
    app.config["OIDC_CLIENT_ID"] = client_id
    refused = sign_in(client, sso, "tove.op")
    assert refused.status_code == 400
    assert "kunne ikke kontrolleres" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert db.session.scalar(db.select(SsoIdentity)) is None
    [reason] = _failures()
    assert claim in reason.lower(), reason


def test_a_forged_or_replayed_callback_is_refused(sso, client, app):
    start = client.get("/signin/oidc")
    back = sign_in_at_provider(sso, start.headers["Location"], "tove.op", "op-pass", RP)
    path = back[len(RP):]
    # Another browser (no state in its session) cannot use this answer.
    thief = app.test_client()
    assert thief.get(path).status_code == 400 and thief.get("/").status_code == 302
    # A changed state is refused; the real one still works once.
    assert client.get(path.replace("state=", "state=x")).status_code == 400
    assert client.get(path).status_code == 302
    # The answer named by another issuer (RFC 9207 mix-up) is refused before the code is used.
    start = app.test_client()
    first = start.get("/signin/oidc")
    back = sign_in_at_provider(sso, first.headers["Location"], "tove.op", "op-pass", RP)
    mixed = back.replace("iss=", "iss=https%3A%2F%2Fevil.example")
    assert start.get(mixed[len(RP):]).status_code == 400
    assert any("another issuer" in r for r in _failures())


def test_an_account_bound_to_one_person_refuses_another_who_claims_its_username(sso, app):
    assert sign_in(app.test_client(), sso, "tove.op").status_code == 302
    other = app.test_client()
    refused = sign_in(other, sso, "impostor")
    assert refused.status_code == 403 and "koblet til en anden person" in refused.get_data(as_text=True)
    assert other.get("/").status_code == 302
    # The administrator can unbind it (the person got a new account at the provider).
    result = app.test_cli_runner().invoke(args=["sign-in", "forget-sso", "tove"])
    assert result.exit_code == 0 and db.session.scalar(db.select(SsoIdentity)) is None


def test_the_username_claim_is_configurable_and_a_missing_one_is_explained(sso, app):
    app.config["OIDC_USERNAME_CLAIM"] = "upn"  # AD FS names people in `upn`
    assert sign_in(app.test_client(), sso, "tove.op").status_code == 302
    refused = sign_in(app.test_client(), sso, "nameless")
    assert refused.status_code == 403 and "brugernavnets claim" in refused.get_data(as_text=True)
    assert "sso.login.refused_no_username" in _actions()


def test_logout_ends_the_session_and_offers_the_providers_end_session(sso, client, app):
    browser = requests.Session()  # the provider's own session lives in this browser's cookies
    sign_in(client, sso, "tove.op", browser)
    with client.session_transaction() as session:
        copied = dict(session)
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Log også ud hos Testkommune" in page
    end_session = sso.discovery()["end_session_endpoint"]
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if part.startswith(end_session))
    asked = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert asked["post_logout_redirect_uri"] == [RP + "/login"] and asked["client_id"] == ["rundbord"] and asked["id_token_hint"]
    # Offered once, not on every later visit.
    assert "Log også ud" not in client.get("/login").get_data(as_text=True)
    # The session is over on the server: a copy of the cookie does not work.
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/").status_code == 302
    # The provider accepts the offer: its confirmation page, then back to Rundbord's login page.
    confirm = browser.get(link.replace("&amp;", "&"), timeout=10)
    assert confirm.status_code == 200 and "op.logoutForm" in confirm.text
    action = confirm.text.split('action="')[1].split('"')[0]
    xsrf = confirm.text.split('name="xsrf" value="')[1].split('"')[0]
    out = browser.post(action if action.startswith("http") else sso.issuer + action, data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False, timeout=10)
    assert out.is_redirect and out.headers["Location"].startswith(RP + "/login")


def test_sso_sessions_keep_the_idle_lifetime_and_everywhere_rules(sso, app):
    idle = app.test_client()
    sign_in(idle, sso, "tove.op")
    with idle.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    assert idle.get("/").status_code == 302

    old = app.test_client()
    sign_in(old, sso, "tove.op")
    with old.session_transaction() as session:
        session["login_at"] = int(time.time()) - app.config["SESSION_LIFETIME_HOURS"] * 3600 - 5
    assert old.get("/").status_code == 302

    first, second = app.test_client(), app.test_client()
    sign_in(first, sso, "tove.op")
    sign_in(second, sso, "tove.op")
    assert second.get("/").status_code == 200
    first.post("/logout-everywhere", data={"csrf_token": csrf_token(first)})
    assert second.get("/").status_code == 302


def test_password_login_can_be_switched_off(sso, client, app):
    app.config["PASSWORD_LOGIN"] = False
    page = client.get("/login").get_data(as_text=True)
    assert 'name="password"' not in page and "Log ind med Testkommune" in page
    refused = client.post("/login", data={"username": "tove", "password": "rundbord-demo", "csrf_token": csrf_token(client)})
    assert refused.status_code == 403 and "slået fra" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert sign_in(client, sso, "tove.op").status_code == 302
    assert client.get("/").status_code == 200


def test_an_unreachable_provider_gets_a_clear_message(app, demo, client):
    app.config.update(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="rundbord", OIDC_CLIENT_SECRET=SECRET)
    response = client.get("/signin/oidc")
    assert response.status_code == 502 and "kunne ikke nå din kommunes log ind" in response.get_data(as_text=True)
    assert "sso.login.failed" in _actions()


def test_without_a_provider_the_sign_in_routes_do_not_exist(demo, client):
    assert client.get("/signin/oidc").status_code == 404
    assert client.get("/signin/oidc/callback?code=x&state=y").status_code == 404
    assert "signin/oidc" not in client.get("/login").get_data(as_text=True)
