"""Signing in, in a real headless Chromium: through a real OpenID Provider, and with a second factor."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from extensions import db
from roles.models import Grant, StaffGrant, User
from tests.conftest import browser_log_in
from tests.openid_provider import client, running_provider, user
from tests.test_accessibility import violations

pytestmark = pytest.mark.browser

PEOPLE = [
    user("tove.op", "op-pass", "sub-tove", preferred_username="tove", name="Tove Tovholder"),
    user("sofie", "op-pass", "sub-sofie", preferred_username="sofie.ny@kommune.example", name="Sofie Ny"),
]


@pytest.fixture
def provider(app, live_server):
    """The test OpenID Provider, with Rundbord at the live server registered as its client."""
    with running_provider([client("rundbord", live_server)], PEOPLE) as op:
        app.config.update(OIDC_ISSUER=op.issuer, OIDC_CLIENT_ID="rundbord", OIDC_CLIENT_SECRET="test-client-secret", OIDC_PROVIDER_NAME="Testkommune")
        yield op


def _sign_in_at_the_provider(page, login: str) -> None:
    expect(page.get_by_role("heading", name="Test municipality sign-in")).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill("op-pass")
    page.get_by_role("button", name="Sign in").click()


def test_signing_in_and_out_through_the_municipality(live_server, provider, tablet):
    page = tablet
    page.goto(live_server + "/login")
    page.get_by_role("link", name="Log ind med Testkommune").click()
    _sign_in_at_the_provider(page, "tove.op")
    page.wait_for_url(live_server + "/")
    expect(page.get_by_role("link", name="Maja", exact=True)).to_be_visible()

    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(re.compile(re.escape(live_server) + r"/login$"))
    page.get_by_role("link", name="Log også ud hos Testkommune").click()
    # The provider's own confirmation page (RP-initiated logout), then back to Rundbord.
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(live_server) + r"/login(\?.*)?$"))
    # Signed out there too: the next sign-in asks for the password at the provider again.
    page.get_by_role("link", name="Log ind med Testkommune").click()
    expect(page.get_by_role("heading", name="Test municipality sign-in")).to_be_visible()


def test_the_first_sign_in_of_someone_rundbord_does_not_know_is_refused(live_server, provider, tablet):
    page = tablet
    page.goto(live_server + "/login")
    page.get_by_role("link", name="Log ind med Testkommune").click()
    _sign_in_at_the_provider(page, "sofie")
    expect(page.get_by_role("heading", name="Ikke lukket ind")).to_be_visible()
    expect(page.get_by_text("sofie.ny@kommune.example")).to_be_visible()
    page.goto(live_server + "/")
    page.wait_for_url(re.compile(r".*/login.*"))
    assert db.session.scalar(db.select(User).where(User.username == "sofie.ny@kommune.example")) is None


def _log_in_with_password(page, base: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Brugernavn").fill("tove")
    page.get_by_label("Adgangskode").fill("rundbord-demo")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(base + "/signin/code")


def _type_code(page, code: str) -> None:
    page.get_by_label("Kode fra din godkenderapp eller en gendannelseskode").fill(code)
    page.get_by_role("button", name="Log ind").click()


def _log_out(page, base: str) -> None:
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/login$"))


def test_enrol_then_log_in_with_a_code_then_a_recovery_code_and_a_reused_code_is_refused(live_server, tablet):
    page, base = tablet, live_server
    browser_log_in(page, base, "tove")
    page.goto(base + "/password")
    page.get_by_role("link", name="Totrinsbekræftelse ved log ind med adgangskode").click()
    page.get_by_role("link", name="Opsæt totrinsbekræftelse").click()
    expect(page.get_by_role("img", name="QR-kode, som du scanner med din godkenderapp")).to_be_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Den 6-cifrede kode, appen viser nu").fill(totp.now())
    page.get_by_role("button", name="Bekræft").click()
    expect(page.get_by_role("heading", name="Dine gendannelseskoder")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(set(codes)) == 10
    page.get_by_role("link", name="Jeg har gemt dem — fortsæt").click()
    expect(page.get_by_text("Du har 10 ubrugte gendannelseskoder.")).to_be_visible()
    _log_out(page, base)

    # A code from the app (the next one: the one used to confirm is spent).
    _log_in_with_password(page, base)
    _type_code(page, totp.at(time.time() + 30))
    page.wait_for_url(base + "/")
    _log_out(page, base)

    # A recovery code, once.
    _log_in_with_password(page, base)
    _type_code(page, codes[0])
    page.wait_for_url(base + "/")
    expect(page.get_by_text("Du har 9 tilbage")).to_be_visible()
    _log_out(page, base)

    _log_in_with_password(page, base)
    _type_code(page, codes[0])
    expect(page.get_by_text("Koden er ikke rigtig")).to_be_visible()
    assert page.url == base + "/signin/code"
    expect(page.get_by_label("Kode fra din godkenderapp eller en gendannelseskode")).to_have_value(codes[0])


def test_the_sign_in_pages_pass_axe(live_server, browser, provider, demo):
    tove = db.session.scalar(db.select(User).where(User.username == "tove"))
    db.session.add(StaffGrant(user_id=tove.id, kind=Grant.ADMINISTRATOR))
    db.session.commit()
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="da-DK", bypass_csp=True)
    page, base = context.new_page(), live_server
    found = {}
    page.goto(base + "/login")
    found["login with the provider"] = violations(page)
    browser_log_in(page, base, "tove")
    for url in ("/signin/second-factor", "/signin/second-factor/enrol", "/signin/admin"):
        page.goto(base + url)
        found[url] = violations(page)
    page.goto(base + "/signin/second-factor/enrol")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Den 6-cifrede kode, appen viser nu").fill("000000")
    page.get_by_role("button", name="Bekræft").click()
    found["enrol, wrong code"] = violations(page)
    page.get_by_label("Den 6-cifrede kode, appen viser nu").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bekræft").click()
    found["recovery codes"] = violations(page)
    page.goto(base + "/signin/second-factor")
    found["second factor, set up"] = violations(page)
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(re.compile(r".*/login$"))
    _log_in_with_password(page, base)
    found["code"] = violations(page)
    context.close()
    assert {url: v for url, v in found.items() if v} == {}
