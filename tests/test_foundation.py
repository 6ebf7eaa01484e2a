"""Configuration, database, migrations, demo data, audit log and the first screens."""

from __future__ import annotations

import os
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import config
from app import create_app
from extensions import db
from meetings.models import Agreement, AgreementStatus, MemberKind, NetworkMember, Note
from roles.models import AuditEntry, Role, RoleAssignment
from tests.conftest import csrf_token


def test_the_migrations_build_exactly_the_models(app):
    """The test database was built by `flask db upgrade`; it must match the models."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_upgrading_sqlite_from_the_first_revision_keeps_the_rows(tmp_path, monkeypatch):
    """0002 rebuilds course and meeting; with foreign keys on, that used to cascade to every meeting and note."""
    from flask_migrate import upgrade

    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.db"})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO citizen (id, preferred_name, language, created_at) VALUES (1, 'Maja', 'da', '2026-01-01')",
                "INSERT INTO course (id, citizen_id, title, started_on) VALUES (1, 1, '', '2026-01-01')",
                "INSERT INTO meeting (id, course_id, kind, planned_at, location, theme, citizen_topics, phase, planned_minutes) "
                "VALUES (1, 1, 'regular', '2026-01-05', '', '', '', 'opening', 90)",
                "INSERT INTO note (id, meeting_id, client_uid, kind, phase, text, include_in_summary, version, created_at, updated_at) "
                "VALUES (1, 1, 'u1', 'own_words', 'dialogue', 'Mine egne ord.', 1, 1, '2026-01-05', '2026-01-05')",
            ):
                conn.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as conn:
            counts = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in ("citizen", "course", "meeting", "note")}
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert counts == {"citizen": 1, "course": 1, "meeting": 1, "note": 1}
        db.engine.dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        db.engine.dispose()


def test_database_url_selects_postgresql_with_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/rundbord")
    assert config.database_url("/srv/instance") == "postgresql+psycopg://u:p@db.example:5432/rundbord"
    monkeypatch.delenv("DATABASE_URL")
    assert config.database_url("/srv/instance") == "sqlite:////srv/instance/rundbord.db"


def test_a_secret_key_is_made_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.load_secret_key(str(tmp_path), production=False)
    assert len(first) >= 64
    assert config.load_secret_key(str(tmp_path), production=False) == first
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_a_production_start_without_a_secret_key_fails_clearly(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="No secret key"):
        config.load_secret_key(str(tmp_path / "empty"), production=True)


def test_the_demo_is_a_realistic_course(demo):
    members = db.session.scalars(db.select(NetworkMember).where(NetworkMember.course_id == demo.course_id)).all()
    network = [m for m in members if m.kind in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL)]
    assert 6 <= len(network) <= 8
    assert sum(m.kind == MemberKind.CITIZEN for m in members) == 1
    roles = set(db.session.scalars(db.select(RoleAssignment.role).where(RoleAssignment.course_id == demo.course_id)))
    assert roles == {Role.TOVHOLDER, Role.MEETING_LEADER, Role.REFLECTANT}
    held, held_too, upcoming = demo.meeting_ids
    from meetings.models import Meeting

    for meeting_id in (held, held_too):
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.closed_at is not None
        assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.meeting_id == meeting_id)) >= 3
        assert db.session.scalar(db.select(db.func.count(Agreement.id)).where(Agreement.origin_meeting_id == meeting_id)) == 2
    assert db.session.get(Meeting, upcoming).closed_at is None
    # Agreement 2 was not done at meeting 2, so it is still open; meeting 2's two are open too.
    assert db.session.scalar(db.select(db.func.count(Agreement.id)).where(Agreement.status == AgreementStatus.OPEN, Agreement.course_id == demo.course_id)) == 3


def test_flask_demo_recreates_the_demo_and_prints_the_logins(app, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setenv("PORT", "8123")  # scripts/run serves on $PORT
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "tove" in result.output and "rundbord-demo" in result.output
    assert "http://127.0.0.1:8123" in result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    from meetings.models import Course

    assert db.session.scalar(db.select(db.func.count(Course.id))) == 2
    kept = runner.invoke(args=["demo", "--if-empty"])
    assert "not recreated" in kept.output


def test_the_course_page_is_danish_by_default(demo, client_as):
    page = client_as("tove").get(f"/courses/{demo.course_id}").get_data(as_text=True)
    assert '<html lang="da">' in page
    assert "Netværket" in page and "Hanne Holm" in page and "Bostøtten, Aarhus Kommune" in page


def test_the_language_can_be_switched_to_english_and_is_remembered(app, demo, client_as):
    tove = client_as("tove")
    tove.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(tove)})
    page = tove.get(f"/courses/{demo.course_id}").get_data(as_text=True)
    assert '<html lang="en">' in page and "The network" in page
    # Remembered on the user: a new login on another device is English too.
    other = app.test_client()
    from tests.conftest import login

    login(other, "tove")
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


def test_adding_a_member_without_a_name_keeps_what_was_typed(demo, client_as):
    tove = client_as("tove")
    response = tove.post(
        f"/courses/{demo.course_id}/members",
        data={"name": "", "kind": "private", "relation": "nabo — bor ovenpå 🏠", "closeness": "close", "language": "da", "csrf_token": csrf_token(tove)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv personens navn." in page
    assert "nabo — bor ovenpå 🏠" in page


def test_adding_a_member_puts_them_in_the_network(demo, client_as):
    tove = client_as("tove")
    response = tove.post(
        f"/courses/{demo.course_id}/members",
        data={"name": "<b>Eva</b>", "kind": "private", "relation": "nabo", "closeness": "close", "language": "da", "csrf_token": csrf_token(tove)},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "&lt;b&gt;Eva&lt;/b&gt;" in page and "<b>Eva</b>" not in page


def test_reading_a_course_is_audited_with_who_what_and_which_citizen(demo, client_as):
    client_as("rikke").get(f"/courses/{demo.course_id}")
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "meetings.course").order_by(AuditEntry.id.desc())).first()
    assert entry.user.username == "rikke"
    assert entry.course_id == demo.course_id and entry.citizen_id is not None and entry.purpose == "course"


def test_polls_are_audited_once_per_ten_minutes_and_every_other_read_every_time(demo, client_as):
    from datetime import timedelta

    rikke, mid = client_as("rikke"), demo.upcoming_meeting_id

    def count(action: str) -> int:
        return db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == action))

    for _ in range(3):
        assert rikke.get(f"/meetings/{mid}/notes/current", headers={"HX-Request": "true"}).status_code == 200
        assert rikke.get(f"/meetings/{mid}/leader", headers={"HX-Request": "true"}).status_code == 200
        assert rikke.get(f"/meetings/{mid}").status_code == 200
    assert (count("meetings.current_notes"), count("meetings.leader_panel"), count("meetings.meeting")) == (1, 1, 3)
    # Another person's polls are their own entries.
    client_as("morten").get(f"/meetings/{mid}/notes/current", headers={"HX-Request": "true"})
    assert count("meetings.current_notes") == 2
    # Ten minutes on, the next poll is written down again.
    db.session.execute(db.update(AuditEntry).values(at=AuditEntry.at - timedelta(minutes=11)))
    db.session.commit()
    rikke.get(f"/meetings/{mid}/notes/current", headers={"HX-Request": "true"})
    assert count("meetings.current_notes") == 3


def test_the_audit_log_never_repeats_note_text(demo, client_as):
    tove = client_as("tove")
    tove.get(f"/meetings/{demo.meeting_ids[0]}")
    page = tove.get(f"/courses/{demo.course_id}/audit").get_data(as_text=True)
    assert "meetings.meeting" in page
    note_texts = db.session.scalars(db.select(Note.text)).all()
    for row in db.session.scalars(db.select(AuditEntry)).all():
        for value in (row.action, row.purpose, row.detail or ""):
            assert all(t not in value for t in note_texts)
    assert not any(t in page for t in note_texts)


def test_purge_audit_removes_only_old_entries(app, demo):
    from datetime import timedelta

    from kernel.clock import utcnow

    db.session.add(AuditEntry(action="old", at=utcnow() - timedelta(days=400)))
    db.session.add(AuditEntry(action="new"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-audit", "--days", "183"])
    assert "Removed 1" in result.output
    actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert "old" not in actions and "new" in actions
