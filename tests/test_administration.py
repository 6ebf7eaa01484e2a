"""Staff administration: accounts, the first administrator, set-password links, grants, deactivation.

Rules are called as plain functions; then the same through HTTP; then `flask create-admin`
and the upgrade of a database with data to migration 0009.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade

from extensions import db
from kernel.clock import utcnow
from meetings.models import Note
from roles import services as role_services
from roles.admin import links, rules
from roles.admin.models import SetPasswordLink
from roles.admin.overview import staff_overview
from roles.admin.rules import AdminError
from roles.models import AuditEntry, Grant, StaffGrant, User
from tests.conftest import csrf_token, login

LINK = re.compile(r'value="https?://[^"/]+(/set-password/[^"]+)"')


def _user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _actions(target: User | None = None) -> list[str]:
    query = db.select(AuditEntry.action).order_by(AuditEntry.id)
    if target is not None:
        query = query.where(AuditEntry.object_type == "user", AuditEntry.object_id == target.id)
    return list(db.session.scalars(query))


def _new_staff(by: User, username: str = "sofie") -> tuple[User, str]:
    return rules.create_staff(by, display_name="Sofie Berg", username=username, email=f"{username}@kommune.dk", unit="Team Nord")


# --- accounts and links, as rules ------------------------------------------------------------


def test_a_new_staff_member_has_no_password_and_a_link_stored_only_as_a_hash(app, demo):
    ada = _user("ada")
    sofie, token = _new_staff(ada)

    assert not rules.has_password(sofie) and role_services.authenticate("sofie", "").user is None
    link = db.session.scalar(db.select(SetPasswordLink).where(SetPasswordLink.user_id == sofie.id))
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    assert link.expires_at - link.created_at == timedelta(hours=72)
    assert len(token) >= 40  # secrets.token_urlsafe(32)
    assert (sofie.email, sofie.unit) == ("sofie@kommune.dk", "Team Nord")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "staff.created"))
    assert (entry.user_id, entry.object_id, entry.citizen_id) == (ada.id, sofie.id, None)


@pytest.mark.parametrize("username", ["tove", "  TOVE ", "Tove"])
def test_a_taken_username_is_refused_and_nothing_is_made(app, demo, username):
    users_before = db.session.scalar(db.select(db.func.count(User.id)))
    with pytest.raises(AdminError) as refused:
        rules.create_staff(_user("ada"), display_name="Tove Anden", username=username, email="t@kommune.dk")
    assert refused.value.field == "username" and "tove" in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(User.id))) == users_before
    assert db.session.scalar(db.select(db.func.count(SetPasswordLink.id))) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "a b"}, "username"),
        ({"username": "x"}, "username"),
        ({"display_name": "  "}, "display_name"),
        ({"email": ""}, "email"),
        ({"email": "sofie at kommune"}, "email"),
    ],
)
def test_what_was_typed_wrong_is_named(app, demo, fields, field):
    typed = {"display_name": "Sofie Berg", "username": "sofie", "email": "sofie@kommune.dk", **fields}
    with pytest.raises(AdminError) as refused:
        rules.create_staff(_user("ada"), **typed)
    assert refused.value.field == field


def test_a_link_sets_the_password_once_and_then_never_again(app, demo):
    sofie, token = _new_staff(_user("ada"))
    version = sofie.session_version

    links.set_password_by_link(token, "sofies-eget-kodeord", "sofies-eget-kodeord")

    assert role_services.authenticate("sofie", "sofies-eget-kodeord").user == sofie
    assert sofie.session_version == version + 1  # a session someone else had on the account ends
    with pytest.raises(links.LinkRefused) as reused:
        links.set_password_by_link(token, "et-helt-andet-kodeord", "et-helt-andet-kodeord")
    assert reused.value.problem == links.LinkProblem.USED
    assert role_services.authenticate("sofie", "sofies-eget-kodeord").user == sofie
    assert "password_link.used" in _actions(sofie)


def test_an_expired_link_is_refused_and_changes_nothing(app, demo):
    sofie, token = _new_staff(_user("ada"))
    db.session.execute(db.update(SetPasswordLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with pytest.raises(links.LinkRefused) as refused:
        links.set_password_by_link(token, "sofies-eget-kodeord", "sofies-eget-kodeord")
    assert refused.value.problem == links.LinkProblem.EXPIRED
    assert not rules.has_password(db.session.get(User, sofie.id))


def test_a_new_link_revokes_the_earlier_one(app, demo):
    ada = _user("ada")
    sofie, first = _new_staff(ada)
    second = rules.issue_link(sofie, ada)
    with pytest.raises(links.LinkRefused) as refused:
        links.check_link(first)
    assert refused.value.problem == links.LinkProblem.REVOKED
    assert links.check_link(second).user == sofie
    rules.revoke_links(sofie, ada)
    with pytest.raises(links.LinkRefused):
        links.check_link(second)
    assert _actions(sofie) == ["staff.created", "staff.link_issued", "staff.link_revoked"]


def test_a_password_too_short_or_not_repeated_is_refused_and_the_link_still_works(app, demo):
    sofie, token = _new_staff(_user("ada"))
    for new, repeat, field in (("kort", "kort", "new"), ("sofies-eget-kodeord", "sofies-eget-kodeOrd", "repeat")):
        with pytest.raises(AdminError) as refused:
            links.set_password_by_link(token, new, repeat)
        assert refused.value.field == field
    assert links.check_link(token).user == sofie


def test_deactivating_ends_every_session_at_once_and_the_links_too(app, demo):
    ada, morten = _user("ada"), _user("morten")
    cookie_id = morten.get_id()
    token = rules.issue_link(morten, ada)

    rules.deactivate(morten, ada)

    assert role_services.load_user(cookie_id) is None
    assert role_services.authenticate("morten", "rundbord-demo").user is None
    with pytest.raises(links.LinkRefused):
        links.check_link(token)
    with pytest.raises(AdminError):
        rules.issue_link(morten, ada)
    rules.reactivate(morten, ada)
    assert role_services.load_user(cookie_id) is None  # the old sessions stay ended
    assert role_services.authenticate("morten", "rundbord-demo").user == morten
    assert _actions(morten) == ["staff.link_issued", "staff.deactivated", "staff.reactivated"]


def test_the_last_administrator_can_neither_be_deactivated_nor_lose_the_grant(app, demo):
    ada = _user("ada")
    with pytest.raises(AdminError, match="eneste aktive administrator"):
        rules.deactivate(ada, ada)
    with pytest.raises(AdminError, match="eneste aktive administrator"):
        rules.set_grants(ada, set(), ada)
    db.session.rollback()
    assert ada.active and Grant.ADMINISTRATOR in rules.grants_of(ada)
    # With a second administrator, the first may go.
    rules.set_grants(_user("tove"), {Grant.ADMINISTRATOR, Grant.STARTS_COURSES}, ada)
    rules.deactivate(ada, ada)
    assert not ada.active


def test_unlocking_lifts_the_hold_after_wrong_passwords(app, demo):
    morten = _user("morten")
    for _ in range(6):
        role_services.authenticate("morten", "forkert")
    assert rules.needs_unlock(morten) and role_services.authenticate("morten", "rundbord-demo").user is None
    rules.unlock(morten, _user("ada"))
    assert role_services.authenticate("morten", "rundbord-demo").user == morten


def test_the_overview_shows_counts_links_and_locks(app, demo):
    ada = _user("ada")
    _new_staff(ada)
    rows = {row.user.username: row for row in staff_overview()}
    assert rows["tove"].courses == 1 and rows["rikke"].courses == 2 and rows["ada"].courses == 0
    assert rows["sofie"].link is not None and not rows["sofie"].has_password
    assert rows["ada"].grants == {Grant.ADMINISTRATOR}


# --- the administrator's pages --------------------------------------------------------------


def test_the_administrator_creates_a_staff_member_and_sees_the_link_only_then(app, demo, client_as):
    ada = _english(client_as("ada"))
    response = ada.post(
        "/admin/staff",
        data={"csrf_token": csrf_token(ada), "display_name": "Sofie Berg", "username": "Sofie", "email": "sofie@kommune.dk",
              "unit": "Team Nord", "starts_courses": "y"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 201 and "Sofie Berg is created" in page
    path = LINK.search(page).group(1)
    token = path.rsplit("/", 1)[1]
    assert links.check_link(token).user.username == "sofie"
    assert rules.grants_of(_user("sofie")) == {Grant.STARTS_COURSES}
    overview = ada.get("/admin").get_data(as_text=True)
    assert "Sofie Berg" in overview and "Link open until" in overview and token not in overview


def test_a_taken_username_over_http_keeps_everything_typed(app, demo, client_as):
    ada = client_as("ada")  # Danish by default
    response = ada.post(
        "/admin/staff",
        data={"csrf_token": csrf_token(ada), "display_name": "Morten Anden Bak", "username": "morten", "email": "mab@kommune.dk", "unit": "Psykiatri Øst"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Brugernavnet morten er optaget. Vælg et andet." in page
    for typed in ("Morten Anden Bak", "mab@kommune.dk", "Psykiatri Øst"):
        assert typed in page
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.display_name == "Morten Anden Bak")) == 0


def test_the_administrator_sees_no_citizens_data_only_counts(app, demo, client_as):
    ada = client_as("ada")
    pages = [ada.get("/admin").get_data(as_text=True), ada.get(f"/admin/staff/{_user('tove').id}").get_data(as_text=True)]
    secrets_of_the_course = ["Maja", "Karim", "Hanne Holm", "Bostøtten", *db.session.scalars(db.select(Note.text))]
    for page in pages:
        assert not [s for s in secrets_of_the_course if s in page]
    assert "En rolle i 1 forløb" in pages[1]
    # And no course page opens for them.
    assert ada.get(f"/courses/{demo.course_id}").status_code == 404


def test_deactivating_over_http_logs_the_person_out_on_their_tablet_at_once(app, demo, client_as):
    morten, ada = client_as("morten"), client_as("ada")
    assert morten.get(f"/courses/{demo.course_id}").status_code == 200
    response = ada.post(f"/admin/staff/{_user('morten').id}/deactivate", data={"csrf_token": csrf_token(ada)})
    assert response.status_code == 302
    after = morten.get(f"/courses/{demo.course_id}")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_deactivating_yourself_as_the_last_administrator_says_why_and_changes_nothing(app, demo, client_as):
    ada = _english(client_as("ada"))
    response = ada.post(f"/admin/staff/{_user('ada').id}/deactivate", data={"csrf_token": csrf_token(ada)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You are the only active administrator, so you cannot deactivate yourself." in page and "Nothing was changed." in page
    assert _user("ada").active and ada.get("/admin").status_code == 200
    assert "staff.deactivated" not in _actions()


def test_unlock_and_a_new_link_from_the_person_page(app, demo, client_as):
    ada, morten = _english(client_as("ada")), _user("morten")
    morten.failed_logins, morten.locked_until = 7, utcnow() + timedelta(minutes=10)
    db.session.commit()
    assert "Held back after wrong passwords" in ada.get(f"/admin/staff/{morten.id}").get_data(as_text=True)
    assert ada.post(f"/admin/staff/{morten.id}/unlock", data={"csrf_token": csrf_token(ada)}).status_code == 302
    db.session.refresh(morten)
    assert (morten.failed_logins, morten.locked_until) == (0, None)
    response = ada.post(f"/admin/staff/{morten.id}/link", data={"csrf_token": csrf_token(ada)})
    assert response.status_code == 200 and LINK.search(response.get_data(as_text=True))
    assert _actions(morten) == ["staff.unlocked", "staff.link_issued"]


def test_grants_change_from_the_person_page_and_are_audited(app, demo, client_as):
    ada, rikke = client_as("ada"), _user("rikke")
    ada.post(f"/admin/staff/{rikke.id}/grants", data={"csrf_token": csrf_token(ada), "starts_courses": "y"})
    assert rules.grants_of(rikke) == {Grant.STARTS_COURSES}
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "staff.grants_changed"))
    assert entry.detail == "+starts_courses" and entry.object_id == rikke.id


# --- the page a link opens --------------------------------------------------------------------


def test_the_set_password_page_works_once_then_says_so(app, demo, client):
    _sofie, token = _new_staff(_user("ada"))
    _english(client)
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200 and "For Sofie Berg, username sofie." in page.get_data(as_text=True)
    mismatch = client.post(f"/set-password/{token}", data={"csrf_token": csrf_token(client), "new": "sofies-eget-kodeord", "repeat": "noget-andet-helt"})
    assert mismatch.status_code == 400 and "The two new passwords are not the same." in mismatch.get_data(as_text=True)
    done = client.post(f"/set-password/{token}", data={"csrf_token": csrf_token(client), "new": "sofies-eget-kodeord", "repeat": "sofies-eget-kodeord"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    again = client.get(f"/set-password/{token}")
    assert again.status_code == 410 and "It has already been used" in again.get_data(as_text=True)
    login(app.test_client(), "sofie", "sofies-eget-kodeord")
    actions = _actions()
    assert {"password_link.opened", "password_link.used", "password_link.refused"} <= set(actions)
    assert not any(token in (e.detail or "") for e in db.session.scalars(db.select(AuditEntry)))


def test_an_expired_or_unknown_link_page_says_so_in_danish(app, demo, client):
    _sofie, token = _new_staff(_user("ada"))
    db.session.execute(db.update(SetPasswordLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    expired = client.post(f"/set-password/{token}", data={"csrf_token": csrf_token(client), "new": "sofies-eget-kodeord", "repeat": "sofies-eget-kodeord"})
    assert expired.status_code == 410 and "Det er udløbet." in expired.get_data(as_text=True)
    assert not rules.has_password(_user("sofie"))
    unknown = client.get("/set-password/gaet-et-token")
    assert unknown.status_code == 404 and "Bed din administrator om et nyt link." in unknown.get_data(as_text=True)


def test_the_set_password_page_is_throttled_per_address(app, demo):
    from app import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "SET_PASSWORD_RATE_LIMIT": "3 per minute"})
    client = limited.test_client()
    codes = [client.get(f"/set-password/gaet-nummer-{i}").status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]
    with limited.app_context():
        db.engine.dispose()


# --- flask create-admin ---------------------------------------------------------------------------


def test_create_admin_on_an_empty_database_prints_a_working_link(app, client):
    result = app.test_cli_runner().invoke(args=["create-admin", "anne", "--name", "Anne Admin", "--base-url", "https://rundbord.kommune.dk/"])
    assert result.exit_code == 0, result.output
    path = re.search(r"https://rundbord\.kommune\.dk(/set-password/\S+)", result.output).group(1)
    assert "72 hours" in result.output
    response = client.post(path, data={"csrf_token": csrf_token(client), "new": "annes-eget-kodeord", "repeat": "annes-eget-kodeord"})
    assert response.status_code == 302
    anne = login(app.test_client(), "anne", "annes-eget-kodeord")
    assert anne.get("/admin").status_code == 200
    assert rules.grants_of(_user("anne")) == {Grant.ADMINISTRATOR}


def test_create_admin_can_take_the_password_on_the_terminal(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "anne", "--ask-password"], input="annes-eget-kodeord\nannes-eget-kodeord\n")
    assert result.exit_code == 0, result.output
    assert "/set-password/" not in result.output
    assert role_services.authenticate("anne", "annes-eget-kodeord").user is not None
    assert db.session.scalar(db.select(db.func.count(SetPasswordLink.id)).where(SetPasswordLink.revoked_at.is_(None))) == 0


def test_create_admin_refuses_when_there_is_an_administrator_or_the_name_is_taken(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "anne"])
    assert result.exit_code == 1 and "There is already an administrator" in result.output
    db.session.execute(db.delete(StaffGrant))
    db.session.commit()
    taken = runner.invoke(args=["create-admin", "tove"])
    assert taken.exit_code == 1 and "The username tove is taken" in taken.output
    assert db.session.scalar(db.select(db.func.count(StaffGrant.id))) == 0


def test_create_admin_before_the_database_exists_says_what_to_run(tmp_path, monkeypatch):
    from app import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    empty = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.db"})
    with empty.app_context():
        result = empty.test_cli_runner().invoke(args=["create-admin", "anne"])
        db.engine.dispose()
    assert result.exit_code == 1 and "db upgrade" in result.output


# --- migration 0009 on a database with data ------------------------------------------------------


def test_upgrading_to_0009_keeps_every_row_and_records_the_proxy_there_was(tmp_path):
    from tests.test_stable_ids import _fill_at_0004, _snapshot, _sqlite_app

    app = _sqlite_app(tmp_path)
    with app.app_context():
        upgrade(revision="0008")
        _fill_at_0004()
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO network_member (id, course_id, kind, name, relation, closeness, is_proxy, language) "
                "VALUES (3, 1, 'private', 'Hanne', 'mor', 'close', 1, 'da')"
            )
        before = _snapshot()

        upgrade(revision="0009")

        after = _snapshot()
        for table, old in before.items():
            new = after[table]
            width = len(old["rows"][0]) if old["rows"] else 0
            assert [row[:width] for row in new["rows"]] == old["rows"], table  # new columns come last
            assert set(old["foreign_keys"]) <= set(new["foreign_keys"]) and set(old["indexes"]) <= set(new["indexes"]), table
        assert after["proxy_period"]["rows"][0][1:5] == (1, 3, "2026-01-01", None)
        with db.engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert "AUTOINCREMENT" in conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'user'").scalar()
            assert conn.exec_driver_sql("SELECT email, unit FROM user WHERE id = 1").one() == (None, None)
            # The new foreign key lets go of a deleted user; the old ones still cascade.
            conn.exec_driver_sql("INSERT INTO user (id, username, display_name, password_hash, session_version, active, failed_logins, created_at) "
                                 "VALUES (2, 'rikke', 'Rikke', 'x', 1, 1, 0, '2026-01-01 09:00:00')")
            conn.exec_driver_sql("UPDATE role_assignment SET handed_over_by_id = 2, handed_over_at = '2026-02-01 09:00:00' WHERE id = 1")
            conn.exec_driver_sql("DELETE FROM user WHERE id = 2")
            assert conn.exec_driver_sql("SELECT handed_over_by_id FROM role_assignment WHERE id = 1").scalar() is None
            conn.exec_driver_sql("INSERT INTO user (username, display_name, password_hash, session_version, active, failed_logins, created_at) "
                                 "VALUES ('sofus', 'Sofus', 'x', 1, 1, 0, '2026-02-01 09:00:00')")
            assert conn.exec_driver_sql("SELECT id FROM user WHERE username = 'sofus'").scalar() == 3  # not 2 again
        downgrade(revision="0008")
        assert [row for row in _snapshot()["user"]["rows"] if row[1] == "tove"]
        upgrade(revision="0009")
        db.engine.dispose()
