"""An erased citizen's or course's id is never handed out again, so the kept audit trail stays theirs.

SQLite without AUTOINCREMENT gives a new row the highest id + 1: after the newest course is
erased, the next course would get its id, and with it the erased course's audit entries.
Migration 0005 rebuilds the tables whose ids outlive their rows; these tests check the schema,
that the upgrade keeps every row and foreign key, and the harm itself at request level.
"""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest
from alembic import command as alembic_command
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from extensions import db
from meetings.course import network as network_rules
from meetings.models import Citizen, Course
from roles.models import AuditEntry, Role, RoleAssignment, User
from tests.conftest import csrf_token

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def _migration(filename: str):
    spec = importlib.util.spec_from_file_location(filename, VERSIONS / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _autoincrement_tables() -> set[str]:
    """Every table that 0005 and 0007 rebuild, and 0011 creates, with AUTOINCREMENT."""
    return (
        set(_migration("0005_ids_never_reused_on_sqlite.py").TABLES)
        | set(_migration("0007_goal_ids_never_reused_on_sqlite.py").TABLES)
        | set(_migration("0011_messages.py").TABLES)
    )


def test_the_migration_rebuilds_exactly_the_tables_the_models_mark():
    marked = {t.name for t in db.metadata.sorted_tables if t.dialect_options["sqlite"]["autoincrement"]}
    assert marked == _autoincrement_tables()
    assert {"citizen", "course", "meeting"} <= marked  # the audit trail keeps these ids


def test_the_migrated_schema_never_hands_out_an_id_twice_for_those_tables(app):
    if db.engine.dialect.name != "sqlite":
        # PostgreSQL: the ids come from sequences, which never go back.
        for table in _autoincrement_tables():
            quoted = f'"{table}"' if table == "user" else table
            assert db.session.scalar(text(f"SELECT pg_get_serial_sequence('{quoted}', 'id')")), table
        return
    # compare_metadata (test_foundation) does not look at this table option; this does.
    rows = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
    with_autoincrement = {name for name, sql in rows if "AUTOINCREMENT" in sql.upper()}
    assert with_autoincrement == _autoincrement_tables()


# --- the upgrade from 0004 on an SQLite database with data -----------------------------


def _sqlite_app(tmp_path: Path):
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'upgrade.db'}",
        "RATELIMIT_ENABLED": False,
    })


def _fill_at_0004() -> None:
    """Two citizens with everything that points at them, and traces of an erased third."""
    statements = [
        "INSERT INTO user (id, username, display_name, password_hash, session_version, active, failed_logins, created_at) "
        "VALUES (1, 'tove', 'Tove', 'x', 1, 1, 0, '2026-01-01 09:00:00')",
        "INSERT INTO citizen (id, preferred_name, language, created_at) VALUES (1, 'Maja', 'da', '2026-01-01 09:00:00')",
        "INSERT INTO citizen (id, preferred_name, language, created_at) VALUES (2, 'Karim', 'en', '2026-01-02 09:00:00')",
        "INSERT INTO course (id, citizen_id, title, started_on, chart_in_summary) VALUES (1, 1, '', '2026-01-01', 0)",
        "INSERT INTO course (id, citizen_id, title, started_on, chart_in_summary) VALUES (2, 2, '', '2026-01-02', 0)",
        "INSERT INTO network_member (id, course_id, kind, name, relation, closeness, is_proxy, language, user_id) "
        "VALUES (1, 1, 'citizen', 'Maja', '', 'close', 0, 'da', NULL)",
        "INSERT INTO network_member (id, course_id, kind, name, relation, closeness, is_proxy, language, user_id) "
        "VALUES (2, 1, 'team', 'Tove', '', 'middle', 0, 'da', 1)",
        "INSERT INTO role_assignment (id, user_id, course_id, role, created_at) VALUES (1, 1, 1, 'tovholder', '2026-01-01 09:00:00')",
        "INSERT INTO meeting (id, course_id, kind, planned_at, location, theme, citizen_topics, phase, planned_minutes, pre_meeting_note) "
        "VALUES (1, 1, 'regular', '2026-01-05 09:00:00', '', '', '', 'opening', 90, '')",
        "INSERT INTO attendance (id, meeting_id, member_id, status, spoke_in_dialogue, spoke_in_response, unannounced) "
        "VALUES (1, 1, 1, 'present', 1, 0, 0)",
        "INSERT INTO note (id, meeting_id, client_uid, speaker_id, kind, phase, text, include_in_summary, version, last_device, last_seq, "
        "author_id, created_at, updated_at) VALUES (1, 1, 'uid-1', 1, 'own_words', 'dialogue', 'Jeg vil gerne have hjælp til brevene.', "
        "1, 1, 'dev', 1763800000000, 1, '2026-01-05 09:10:00', '2026-01-05 09:10:00')",
        "INSERT INTO agreement (id, course_id, origin_meeting_id, text, responsible_id, status, created_at) "
        "VALUES (1, 1, 1, 'Ringer til jobcentret.', 2, 'open', '2026-01-05 10:00:00')",
        "INSERT INTO agreement_review (id, agreement_id, meeting_id, outcome, comment, created_at) "
        "VALUES (1, 1, 1, 'partly', '', '2026-01-05 10:05:00')",
        # Citizen 3 and its course 3 and meeting 7 were erased; only the audit trail remembers them.
        "INSERT INTO audit_entry (id, at, user_id, citizen_id, course_id, action, purpose, object_type, object_id) "
        "VALUES (1, '2026-01-03 09:00:00', 1, 3, 3, 'meetings.meeting_screen', 'meeting', 'meeting', 7)",
        "INSERT INTO audit_entry (id, at, user_id, citizen_id, course_id, action, purpose, object_type, object_id) "
        "VALUES (2, '2026-01-04 09:00:00', 1, 3, 3, 'course.erased', 'erasure', 'course', 3)",
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def _snapshot() -> dict:
    """Every row of every table, and each table's foreign keys and indexes, as the database has them."""
    with db.engine.connect() as conn:
        tables = [name for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
        )]
        return {
            table: {
                "rows": conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY rowid').all(),
                # (parent table, column, parent column, ON UPDATE, ON DELETE, MATCH); their order may change.
                "foreign_keys": sorted(tuple(fk[2:]) for fk in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")')),
                "indexes": sorted(
                    (name, unique) for _seq, name, unique, *_rest in conn.exec_driver_sql(f'PRAGMA index_list("{table}")')
                ),
            }
            for table in tables
        }


def _count(conn, sql: str) -> int:
    return conn.exec_driver_sql(sql).scalar()


def test_upgrading_an_sqlite_database_from_0004_keeps_every_row_and_foreign_key(tmp_path):
    app = _sqlite_app(tmp_path)
    with app.app_context():
        upgrade(revision="0004")
        _fill_at_0004()
        before = _snapshot()

        upgrade(revision="0005")

        assert _snapshot() == before  # every row, foreign key (with its ON DELETE) and index
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again for the app
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert _count(conn, "SELECT count(*) FROM sqlite_master WHERE name LIKE '_alembic_tmp%'") == 0
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0005"
        assert inspect(db.engine).get_table_names()  # the app can still read the schema

        with db.engine.begin() as conn:
            # ON DELETE SET NULL and CASCADE still work through the rebuilt tables.
            conn.exec_driver_sql("DELETE FROM user WHERE id = 1")
            assert conn.exec_driver_sql("SELECT author_id FROM note WHERE id = 1").scalar() is None
            assert conn.exec_driver_sql("SELECT user_id FROM network_member WHERE id = 2").scalar() is None
            assert conn.exec_driver_sql("SELECT user_id FROM audit_entry WHERE id = 1").scalar() is None
            conn.exec_driver_sql("DELETE FROM citizen WHERE id = 1")
            for table in ("course", "network_member", "meeting", "attendance", "note", "agreement", "agreement_review", "role_assignment"):
                assert _count(conn, f"SELECT count(*) FROM {table} WHERE id = 1") == 0, table
            # A foreign key is still enforced.
            with pytest.raises(Exception, match="FOREIGN KEY"):
                conn.exec_driver_sql("INSERT INTO course (citizen_id, title, started_on, chart_in_summary) VALUES (99, '', '2026-02-01', 0)")

        with db.engine.begin() as conn:
            # Karim (2) has the highest id; after his erasure his id is not handed out again,
            # nor is 3, the erased citizen the audit trail remembers from before the upgrade.
            conn.exec_driver_sql("DELETE FROM citizen WHERE id = 2")
            conn.exec_driver_sql("INSERT INTO citizen (preferred_name, language, created_at) VALUES ('Sofie', 'da', '2026-02-01 09:00:00')")
            assert conn.exec_driver_sql("SELECT max(id) FROM citizen").scalar() == 4
            conn.exec_driver_sql("INSERT INTO course (citizen_id, title, started_on, chart_in_summary) VALUES (4, '', '2026-02-01', 0)")
            assert conn.exec_driver_sql("SELECT max(id) FROM course").scalar() == 4
            conn.exec_driver_sql(
                "INSERT INTO meeting (course_id, kind, planned_at, location, theme, citizen_topics, phase, planned_minutes, pre_meeting_note) "
                "VALUES (4, 'regular', '2026-02-05 09:00:00', '', '', '', 'opening', 90, '')"
            )
            assert conn.exec_driver_sql("SELECT max(id) FROM meeting").scalar() == 8  # above meeting 7 in the trail
            conn.exec_driver_sql("INSERT INTO user (username, display_name, password_hash, session_version, active, failed_logins, created_at) "
                                 "VALUES ('sofus', 'Sofus', 'x', 1, 1, 0, '2026-02-01 09:00:00')")
            assert conn.exec_driver_sql("SELECT id FROM user WHERE username = 'sofus'").scalar() == 2  # not 1, tove's
        db.engine.dispose()


def test_upgrading_to_0007_keeps_the_goals_and_never_hands_out_a_removed_goals_id(tmp_path):
    app = _sqlite_app(tmp_path)
    with app.app_context():
        upgrade(revision="0006")
        _fill_at_0004()
        with db.engine.begin() as conn:
            for goal_id, text_ in ((1, "Sove om natten"), (2, "En hund")):
                conn.exec_driver_sql(
                    f"INSERT INTO goal (id, course_id, kind, text, created_at) VALUES ({goal_id}, 1, 'hope', '{text_}', '2026-01-03 09:00:00')"
                )
            conn.exec_driver_sql("UPDATE agreement SET goal_id = 2 WHERE id = 1")
        before = _snapshot()

        upgrade(revision="0007")

        assert _snapshot() == before
        with db.engine.begin() as conn:
            assert "AUTOINCREMENT" in conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'goal'").scalar()
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            # The newest goal removed: its agreement lets go, and the next goal gets a new id.
            conn.exec_driver_sql("DELETE FROM goal WHERE id = 2")
            assert conn.exec_driver_sql("SELECT goal_id FROM agreement WHERE id = 1").scalar() is None
            conn.exec_driver_sql("INSERT INTO goal (course_id, kind, text, created_at) VALUES (1, 'goal', 'Praktik', '2026-02-01 09:00:00')")
            assert conn.exec_driver_sql("SELECT id FROM goal WHERE text = 'Praktik'").scalar() == 3
        db.engine.dispose()


def test_the_downgrade_keeps_autoincrement_and_the_upgrade_can_run_again(tmp_path):
    app = _sqlite_app(tmp_path)
    with app.app_context():
        upgrade(revision="0004")
        _fill_at_0004()
        upgrade(revision="0005")
        before = _snapshot()
        downgrade(revision="0004")
        upgrade(revision="0005")
        assert _snapshot() == before
        with db.engine.connect() as conn:
            sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'citizen'").scalar()
            assert "AUTOINCREMENT" in sql
            assert conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'citizen'").scalar() == 3
        db.engine.dispose()


def test_an_upgrade_that_would_break_a_foreign_key_changes_nothing(tmp_path):
    app = _sqlite_app(tmp_path)
    with app.app_context():
        upgrade(revision="0004")
        _fill_at_0004()
        with db.engine.connect() as conn:
            # A note whose meeting is gone, slipped in with foreign keys off.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.exec_driver_sql("UPDATE note SET meeting_id = 99 WHERE id = 1")
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        before = _snapshot()

        # Alembic's own command: Flask-Migrate's would turn the error into a log line and an exit.
        with pytest.raises(RuntimeError, match=r"broken foreign key in 1 row\(s\): note row 1 → meeting"):
            alembic_command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")

        assert _snapshot() == before
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0004"
            assert "AUTOINCREMENT" not in conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'citizen'").scalar()
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


# --- the harm: an erased course's trail on a new course's pages ---------------------------


def _erase_karims_course(demo, client_as) -> tuple[int, int]:
    """Erase Karim's course (the newest: the highest course and citizen id) as his tovholder."""
    karim_id = db.session.get(Course, demo.other_course_id).citizen_id
    rikke = client_as("rikke")
    assert rikke.get(f"/courses/{demo.other_course_id}").status_code == 200  # leaves a trail
    response = rikke.post(
        f"/courses/{demo.other_course_id}/erase", data={"csrf_token": csrf_token(rikke), "confirm_name": "Karim"}
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.max(Course.id))) == demo.course_id  # Karim's was the highest
    assert db.session.scalar(db.select(db.func.max(Citizen.id))) < karim_id
    return demo.other_course_id, karim_id


def _make_tovholder(username: str, course: Course) -> None:
    user = db.session.scalar(db.select(User).where(User.username == username))
    db.session.add(RoleAssignment(user_id=user.id, course_id=course.id, role=Role.TOVHOLDER))
    db.session.commit()


def test_a_new_course_after_an_erasure_shows_none_of_the_erased_courses_audit_trail(demo, client_as):
    erased_course_id, erased_citizen_id = _erase_karims_course(demo, client_as)
    sofie = network_rules.create_course("Sofie")
    db.session.commit()
    _make_tovholder("tove", sofie)
    assert sofie.id != erased_course_id and sofie.citizen_id != erased_citizen_id

    page = client_as("tove").get(f"/courses/{sofie.id}/audit").get_data(as_text=True)

    assert "course.erased" not in page
    assert "Rikke Dahl" not in page  # Rikke looked at Karim's course, never at Sofie's
    assert page.count("<tr><td>") == 1  # the one entry: this very look at the audit page


def test_a_citizens_data_export_holds_none_of_an_erased_courses_trail(demo, client_as):
    # Maja is older than Karim's erased course, so the export's creation-date guard cannot tell
    # its entries apart; only a course id that is never handed out again can.
    erased_id, _karim = _erase_karims_course(demo, client_as)
    maja_id = db.session.get(Course, demo.course_id).citizen_id
    second = Course(citizen_id=maja_id, title="Nyt forløb")
    db.session.add(second)
    db.session.commit()
    _make_tovholder("tove", second)
    assert second.id != erased_id

    response = client_as("tove").get(f"/courses/{second.id}/citizen-data.zip")

    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        log = json.loads(archive.read("rundbord-citizen-data.json"))["access_log"]
    assert all(entry["purpose"] != "erasure" for entry in log)
    majas = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.citizen_id == maja_id))
    assert len(log) == majas  # every entry is about Maja, and all of hers are there
