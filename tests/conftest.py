"""Fixtures: a real database (SQLite file, or PostgreSQL from DATABASE_URL), the demo, clients per role."""

from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import event, text

import config
from app import create_app
from extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing(reason: str):
    """Skip on a developer's machine; fail in CI, where everything must really run."""
    if IN_CI:
        pytest.fail(f"CI must run this test, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    """Return the test database: DATABASE_URL when set (PostgreSQL), else a fresh SQLite file."""
    if os.environ.get("DATABASE_URL"):
        return config.database_url("/nonexistent")
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_uri, tmp_path_factory):
    """Build the schema once per run with the real migrations, from an empty database."""
    app = create_app(_test_config(database_uri, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        # A PostgreSQL test database may hold a previous run's tables.
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.engine.dispose()
    return database_uri


def _fresh_g(sender, **extra) -> None:
    g.__dict__.clear()


def _test_config(database_uri: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }


@pytest.fixture
def app(_schema, tmp_path):
    """A Rundbord app on the test database; every table is emptied after the test."""
    app = create_app(_test_config(_schema, tmp_path))
    app.instance_path = str(tmp_path)
    # The test holds one app context open, and Flask reuses it for every test request,
    # so `g` (Flask-Login's user, Flask-WTF's token) would leak between clients. A real
    # server starts each request with an empty `g`; so do we.
    request_started.connect(_fresh_g, app)
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@dataclass
class Demo:
    course_id: int
    other_course_id: int
    meeting_ids: list[int]  # held, held, upcoming

    @property
    def upcoming_meeting_id(self) -> int:
        return self.meeting_ids[-1]


@pytest.fixture
def demo(app) -> Demo:
    """The README's demo course, created fresh."""
    import demo as demo_module
    from meetings.models import Course, Meeting

    demo_module.create_demo(extras=False)
    courses = db.session.scalars(db.select(Course).order_by(Course.id)).all()
    meetings = db.session.scalars(
        db.select(Meeting.id).where(Meeting.course_id == courses[0].id).order_by(Meeting.planned_at)
    ).all()
    return Demo(course_id=courses[0].id, other_course_id=courses[1].id, meeting_ids=list(meetings))


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def visible(text: str) -> str:
    """Return page or DOCX text as a person reads it: without the <bdi> tags and the invisible FSI/PDI
    marks that isolate each person's words from the app's own (README: "Text comes back as it was written")."""
    return re.sub(r"</?bdi>", "", text).replace("\u2068", "").replace("\u2069", "")


def csrf_token(client) -> str:
    """Return the CSRF token of the client's session, as a page would carry it."""
    page = client.get("/login").get_data(as_text=True)
    if "X-CSRFToken" not in page:
        page = client.get("/").get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@contextmanager
def count_queries():
    """Count the SQL statements sent inside the block, starting from an empty session (the
    tests share the app's session, so nothing may be preloaded): `with count_queries() as sent:`."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def login(client, username: str, password: str = "rundbord-demo"):
    """Log a test client in through the real login form."""
    token = csrf_token(client)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


#: The login page's words in the browser's language (the page follows Accept-Language).
LOGIN_LABELS = {"da": ("Brugernavn", "Adgangskode", "Log ind"), "en": ("Username", "Password", "Log in")}


def browser_log_in(page, base: str, username: str, lang: str = "da") -> None:
    """Log a browser page in through the real login page and wait for the dashboard."""
    user_label, password_label, button = LOGIN_LABELS[lang]
    page.goto(base + "/login")
    page.get_by_label(user_label).fill(username)
    page.get_by_label(password_label).fill("rundbord-demo")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(base + "/")


def english(client):
    """Ask for English pages (the demo users have no saved language)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def member_named(course_id: int, name: str):
    """Return the network member of a course with this name."""
    from meetings.models import NetworkMember

    return db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.name == name)).one()


def user_named(username: str):
    """Return the user with this username."""
    from roles.models import User

    return db.session.scalars(db.select(User).where(User.username == username)).one()


@pytest.fixture
def en_as(client_as):
    """Return a factory: `en_as("tove")` is a test client logged in as that demo user, reading English."""
    return lambda username: english(client_as(username))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def client_as(app, demo):
    """Return a factory: `client_as("tove")` is a test client logged in as that demo user."""

    def make(username: str):
        return login(app.test_client(), username)

    return make


# --- browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package), driven by Playwright."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # expect() waits on a condition; on a busy machine (CI shares its two cores) an answer can take
    # longer than Playwright's default 5 s. A longer deadline costs nothing when the page is quick.
    expect.set_options(timeout=20_000)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, demo):
    """Serve the test app over real HTTP on loopback, in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def tablet(browser):
    """A fresh browser context the size of a tablet in landscape (1024×768)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="da-DK")
    page = context.new_page()
    yield page
    context.close()
