"""From an empty database to a held first meeting, in headless Chromium, with the real `flask create-admin`.

The administrator makes two colleagues; each sets a password by their link; one starts a
course for a new citizen, adds three network members and makes the other meeting leader,
who then logs in, finds the course, and holds the first meeting. Every new page passes axe.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from extensions import db
from kernel.clock import to_local, utcnow
from meetings.models import Meeting
from roles.models import User
from tests.test_accessibility import violations

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def empty_server(app):
    """Serve the test app over real HTTP on an empty database (no demo)."""
    from werkzeug.serving import make_server

    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def create_admin(app, base: str) -> str:
    """Run the real command in its own process, on the test database; return the printed link."""
    env = {
        **os.environ,
        "RUNDBORD_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "flask", "--app", "app", "create-admin", "anne", "--name", "Anne Admin", "--base-url", base]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # nosec B603: our own command
    assert done.returncode == 0, done.stdout + done.stderr
    return re.search(r"(http://\S+/set-password/\S+)", done.stdout).group(1)


def set_password(page, link: str, password: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Vælg din adgangskode")).to_be_visible()
    page.get_by_label("Ny adgangskode (mindst 12 tegn)").fill(password)
    page.get_by_label("Den nye adgangskode igen").fill(password)
    page.get_by_role("button", name="Vælg adgangskoden").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("Din adgangskode er valgt.")).to_be_visible()


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(base + "/")


def new_staff(page, name: str, username: str, may_start: bool) -> str:
    """Create a colleague on the administration page and return their link, copied with the button."""
    details = page.locator("#new-staff")
    details.get_by_label("Navn", exact=True).fill(name)
    details.get_by_label("Brugernavn").fill(username)
    details.get_by_label("Arbejdsmail").fill(f"{username}@kommune.dk")
    details.get_by_label("Team eller enhed (valgfrit)").fill("Team Syd")
    if may_start:
        details.get_by_label("Må starte forløb for nye borgere").check()
    details.get_by_role("button", name="Opret og lav et link til at vælge adgangskode").click()
    expect(page.get_by_role("heading", name=f"{name} er oprettet")).to_be_visible()
    page.get_by_role("button", name="Kopiér linket").click()
    expect(page.locator(".copy-status")).to_contain_text("Kopieret")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.get_by_label(re.compile("Linket")).input_value() and "/set-password/" in link
    return link


def test_from_an_empty_database_to_a_first_meeting_held_by_a_colleague(app, browser, empty_server):
    base = empty_server
    found: dict[str, list[str]] = {}

    def context():
        ctx = browser.new_context(viewport={"width": 1024, "height": 768}, locale="da-DK", bypass_csp=True)
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        return ctx

    # 1. The first administrator, from the command line.
    admin_ctx = context()
    admin = admin_ctx.new_page()
    set_password(admin, create_admin(app, base), "annes-eget-kodeord")
    log_in(admin, base, "anne", "annes-eget-kodeord")
    found["administrator's start page"] = violations(admin)
    admin.get_by_role("link", name="Administration").click()
    admin.wait_for_url(base + "/admin")
    found["administration"] = violations(admin)

    # 2. Two colleagues, each with a link; one may start courses.
    tina_link = new_staff(admin, "Tina Friis", "tina", may_start=True)
    found["link page"] = violations(admin)
    admin.get_by_role("link", name="Til administrationen").click()
    lars_link = new_staff(admin, "Lars Vang", "lars", may_start=False)
    admin.get_by_role("link", name="Til siden for Lars Vang").click()
    expect(admin.get_by_text("Et link er åbent indtil")).to_be_visible()
    found["person page"] = violations(admin)

    # 3. Each sets a password by the link.
    tina_ctx, lars_ctx = context(), context()
    tina, lars = tina_ctx.new_page(), lars_ctx.new_page()
    tina.goto(tina_link)
    found["set-password page"] = violations(tina)
    set_password(tina, tina_link, "tinas-eget-kodeord")
    set_password(lars, lars_link, "lars-eget-kodeord")

    # 4. Tina starts a course for a new citizen.
    log_in(tina, base, "tina", "tinas-eget-kodeord")
    expect(tina.get_by_role("heading", name="Hvad nu?")).to_be_visible()
    tina.get_by_role("link", name="Start et forløb for en ny borger").click()
    found["start a course"] = violations(tina)
    tina.get_by_label("Det navn, borgeren vil kaldes").fill("Emil")
    tina.get_by_label("Hvordan borgeren kan kontaktes (valgfrit)").fill("sms 20 30 40 50, helst efter kl. 10")
    tina.get_by_role("button", name="Start forløbet").click()
    tina.wait_for_url(re.compile(r".*/courses/\d+$"))
    expect(tina.get_by_text("Forløbet for Emil er startet, og du er tovholder.")).to_be_visible()
    expect(tina.get_by_role("heading", name="Kom i gang")).to_be_visible()
    found["empty course page"] = violations(tina)

    # 5. Three network members.
    for name, relation, part in (("Birthe", "mor", "Privat netværk"), ("Søren", "ven", "Privat netværk"), ("Ole Dam", "bostøtte", "Professionel")):
        tina.locator("#network summary", has_text="Tilføj en person til netværket").click()
        form = tina.locator("#network form")
        form.get_by_label("Navn", exact=True).fill(name)
        form.get_by_label("Hvordan de kender borgeren").fill(relation)
        form.get_by_label("Del af netværket").select_option(label=part)
        form.get_by_role("button", name="Tilføj", exact=True).click()
        expect(tina.locator("#network")).to_contain_text(name)
    expect(tina.locator(".next-steps li").first).to_contain_text("✓")

    # 6. Lars becomes meeting leader; the citizen's proxy is recorded.
    tina.get_by_role("link", name="Giv kolleger deres roller: mødeleder og reflektanter").click()
    tina.get_by_label("Kollega", exact=True).select_option(label="Lars Vang (Team Syd)")
    tina.get_by_label("Rolle", exact=True).select_option(label="Mødeleder")
    tina.get_by_role("button", name="Giv rollen").click()
    expect(tina.get_by_text("Lars Vang er nu mødeleder.")).to_be_visible()
    tina.get_by_label("Hvem borgeren har valgt som stedfortræder").select_option(label="Birthe (mor)")
    tina.get_by_role("button", name="Notér stedfortræderen").click()
    expect(tina.locator("#proxy")).to_contain_text("stedfortræder siden")
    found["team page"] = violations(tina)

    # 7. Tina plans the first meeting, from the course page's first steps.
    tina.get_by_role("link", name="Emil").click()
    tina.get_by_role("link", name="Planlæg det første møde").click()
    when = to_local(utcnow() + timedelta(days=1)).replace(hour=10, minute=0)
    tina.get_by_label("Hvornår", exact=True).fill(when.strftime("%Y-%m-%dT%H:%M"))
    tina.locator("#regular-location").fill("Mødelokale 2")
    tina.get_by_role("button", name="Planlæg mødet").click()
    tina.wait_for_url(re.compile(r".*/meetings/\d+/pre-meeting$"))

    # 8. Lars logs in, finds the course and holds the meeting.
    log_in(lars, base, "lars", "lars-eget-kodeord")
    lars.get_by_role("link", name="Emil", exact=True).click()
    lars.locator(".meeting-list a.big-link").first.click()
    lars.get_by_role("button", name="Start mødet").click()
    lars.locator(".roster li", has_text="Emil").get_by_role("button", name="Her", exact=True).click()
    expect(lars.locator(".roster li", has_text="Emil").get_by_role("button", name="✓ Her")).to_be_visible()
    lars.locator(".phase-rail").get_by_role("button", name="Afrunding").click()
    lars.get_by_label("Hvad blev aftalt").fill("Emil ringer selv til jobcentret.")
    lars.locator("#responsible_id").select_option(label="Emil")
    lars.get_by_role("button", name="Tilføj aftalen").click()
    expect(lars.locator("table.agreements")).to_contain_text("Emil ringer selv til jobcentret.")
    lars.get_by_role("button", name="Afslut mødet").click()
    expect(lars.get_by_role("heading", name="Mødet er afsluttet")).to_be_visible()

    db.session.expire_all()
    meeting = db.session.scalar(db.select(Meeting).order_by(Meeting.id.desc()))
    assert meeting.closed_at is not None and meeting.location == "Mødelokale 2"
    for ctx in (admin_ctx, tina_ctx, lars_ctx):
        ctx.close()
    assert {page: v for page, v in found.items() if v} == {}


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_the_administration_and_team_pages_pass_axe_and_fit_the_screen(live_server, browser, demo, size):
    from tests.conftest import browser_log_in
    from tests.test_accessibility import SIZES

    width, height = SIZES[size]
    found: dict[str, list[str]] = {}
    for username, urls in (
        ("ada", ["/", "/admin", f"/admin/staff/{db.session.scalar(db.select(User.id).where(User.username == 'morten'))}"]),
        ("tove", ["/", "/courses/new", f"/courses/{demo.course_id}/team", f"/courses/{demo.course_id}"]),
    ):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK", bypass_csp=True)
        page = context.new_page()
        browser_log_in(page, live_server, username)
        for url in urls:
            page.goto(live_server + url)
            found[f"{username} {url}"] = violations(page)
            # Nothing scrolls sideways but the staff table inside its own box.
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"), url
        context.close()
    assert {url: v for url, v in found.items() if v} == {}
