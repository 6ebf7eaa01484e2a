"""Every route denies by default: anonymous users and users without a role in the course get nothing."""

from __future__ import annotations

import pytest
from flask import Blueprint

from extensions import db
from roles import services as role_services
from roles.access import ACCESS_ATTR, BUILTIN_PUBLIC_ENDPOINTS, PUBLIC
from roles.models import Grant, Role, RoleAssignment, StaffGrant, User
from roles.permissions import Action, StaffAction
from tests.conftest import csrf_token, login

#: The short list of endpoints anyone may reach. Adding one here needs a reason.
ALLOWED_ANONYMOUS = {
    "static", "roles.login", "roles.set_language", "roles.health",
    # Signing in through the municipality's provider happens before anyone is logged in.
    "signin.oidc_start", "signin.oidc_callback",
    # The second factor: only for a session whose password was right a moment ago (else back to login).
    "signin.code", "signin.setup",
    # A new staff member has no password yet; the one-time link (a secret token) is their way in.
    # It expires, can be revoked, is throttled and audited.
    "admin.set_password",
    # A person responsible for an agreement answers without an account; the page needs its own
    # signed, expiring, revocable link and shows only that agreement (test_reminders.py).
    "outreach.reply",
}


def _url_for_rule(rule, demo, **override) -> str:
    """Fill a rule's ids with objects of the demo course (or the ids given)."""
    from meetings.models import Agreement, Consent, NetworkMember, Note

    ids = {
        "course_id": demo.course_id,
        "meeting_id": demo.meeting_ids[0],
        "note_id": db.session.scalar(db.select(Note.id).limit(1)),
        "agreement_id": db.session.scalar(db.select(Agreement.id).limit(1)),
        "consent_id": db.session.scalar(db.select(Consent.id).where(Consent.course_id == demo.course_id).limit(1)),
        "member_id": db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id).limit(1)),
        "filename": "app.css",
        "user_id": db.session.scalar(db.select(User.id).where(User.username == "morten")),
        "token": "not-a-real-token",
        **override,
    }
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(ids[arg])).replace(f"<{arg}>", str(ids[arg]))
    return url


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _access(app, rule):
    return getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None)


def _course_routes(app):
    """Every route that is about one course (declared with @requires(Action.X))."""
    return [(rule, method) for rule, method in _routes(app) if isinstance(_access(app, rule), Action)]


def _staff_routes(app):
    """Every route that needs a grant from the administrator (declared with @requires_staff)."""
    return [(rule, method) for rule, method in _routes(app) if isinstance(_access(app, rule), StaffAction)]


def _staff_user(username: str, *grants: Grant, role_in: int | None = None, role: Role = Role.REFLECTANT) -> User:
    user = role_services.create_user(username, username.title(), f"{username}-password")
    db.session.add_all(StaffGrant(user_id=user.id, kind=g) for g in grants)
    if role_in is not None:
        db.session.add(RoleAssignment(user_id=user.id, course_id=role_in, role=role))
    db.session.commit()
    return user


def test_only_the_allow_list_is_public(app):
    public = {ep for ep, view in app.view_functions.items() if getattr(view, ACCESS_ATTR, None) == PUBLIC}
    assert public | set(BUILTIN_PUBLIC_ENDPOINTS) == ALLOWED_ANONYMOUS


def test_every_endpoint_refuses_an_anonymous_user(app, demo, client):
    checked = 0
    for rule, method in _routes(app):
        if rule.endpoint in ALLOWED_ANONYMOUS:
            continue
        url = _url_for_rule(rule, demo)
        response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
        assert response.status_code in (302, 401), f"{method} {url} gave {response.status_code}"
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], f"{method} {url}"
        checked += 1
    assert checked >= 5


def test_every_course_endpoint_refuses_a_user_without_a_role_in_that_course(app, demo):
    role_services.create_user("outsider", "Olga Outsider", "outsider-pass")
    db.session.commit()
    client = login(app.test_client(), "outsider", "outsider-pass")
    token = csrf_token(client)
    checked = 0
    for rule, method in _course_routes(app):
        url = _url_for_rule(rule, demo)
        response = client.open(url, method=method, data={"csrf_token": token})
        # 404, not 403: someone without a role may not learn that the course exists.
        assert response.status_code == 404, f"{method} {url} gave {response.status_code}"
        checked += 1
    assert checked >= 4
    dashboard = client.get("/").get_data(as_text=True)
    assert "Maja" not in dashboard


def test_a_view_that_declares_no_access_rule_is_refused(app, demo, client_as):
    bp = Blueprint("forgotten", __name__)

    @bp.route("/forgotten")
    def forgotten():
        return "citizen data"

    app.register_blueprint(bp)
    assert app.test_client().get("/forgotten").status_code == 403
    assert client_as("tove").get("/forgotten").status_code == 403


def test_roles_belong_to_a_course_not_a_person(demo, client_as):
    rikke = client_as("rikke")
    # Reflectant in Maja's course: may read it, may not read its audit log.
    assert rikke.get(f"/courses/{demo.course_id}").status_code == 200
    assert rikke.get(f"/courses/{demo.course_id}/audit").status_code == 403
    # Tovholder in Karim's course: may read its audit log.
    assert rikke.get(f"/courses/{demo.other_course_id}/audit").status_code == 200


def test_an_unknown_id_is_a_404_not_a_500(client_as):
    tove = client_as("tove")
    assert tove.get("/courses/999999").status_code == 404
    assert tove.get("/meetings/999999").status_code == 404


@pytest.mark.parametrize("username", ["tove", "morten", "rikke"])
def test_each_role_can_open_the_demo_course_and_its_meetings(demo, client_as, username):
    c = client_as(username)
    assert c.get(f"/courses/{demo.course_id}").status_code == 200
    for meeting_id in demo.meeting_ids:
        assert c.get(f"/meetings/{meeting_id}").status_code == 200


def test_every_administrator_endpoint_refuses_someone_who_is_not_one(app, demo):
    admin_endpoints = {ep for ep, view in app.view_functions.items() if getattr(view, ACCESS_ATTR, None) == StaffAction.ADMINISTER_STAFF}
    assert {"signin.admin", "signin.admin_policy", "signin.admin_reset"} <= admin_endpoints
    # A tovholder is not an administrator: roles in courses give no power over everyone's sign-in.
    tove = login(app.test_client(), "tove")
    token = csrf_token(tove)
    checked = 0
    for rule, method in _routes(app):
        if rule.endpoint in admin_endpoints:
            response = tove.open(_url_for_rule(rule, demo), method=method, data={"csrf_token": token, "user_id": "1", "require_second_factor": "y"})
            assert response.status_code == 403, f"{method} {rule.rule} gave {response.status_code}"
            checked += 1
    assert checked >= 3
    from roles.signin.rules import policy

    assert policy().require_second_factor is False


def test_a_right_password_without_the_second_factor_grants_nothing(app, demo):
    """Half logged in (password right, code not yet typed): every page but the code step is refused."""
    from tests.test_second_factor import enrol

    enrol("tove")
    client = app.test_client()
    response = client.post("/login", data={"username": "tove", "password": "rundbord-demo", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/signin/code"
    assert client.get("/signin/code").status_code == 200
    token = csrf_token(client)
    checked = 0
    for rule, method in _routes(app):
        if rule.endpoint in ALLOWED_ANONYMOUS:
            continue
        url = _url_for_rule(rule, demo)
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code in (302, 401), f"{method} {url} gave {response.status_code}"
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], f"{method} {url}"
        checked += 1
    assert checked >= 20
    # Still only half logged in: the code step is there, nothing else became reachable.
    assert client.get("/signin/code").status_code == 200
    assert client.get("/").status_code == 302


def test_every_course_route_has_a_course_id_and_every_other_route_none(app):
    """The course loops above cover exactly the routes that are about one course."""
    for rule, _method in _routes(app):
        if rule.endpoint in ALLOWED_ANONYMOUS:
            continue
        if isinstance(_access(app, rule), Action):
            assert rule.arguments, rule.rule
        else:
            assert "course_id" not in rule.arguments or isinstance(_access(app, rule), StaffAction), rule.rule
    assert len(_staff_routes(app)) >= 10


@pytest.mark.parametrize("kind", ["no role", "wrong course", "administrator without a course"])
def test_every_course_route_is_a_404_for_someone_outside_the_course(app, demo, kind):
    if kind == "no role":
        _staff_user("outsider")
    elif kind == "wrong course":
        _staff_user("outsider", Grant.STARTS_COURSES, role_in=demo.other_course_id, role=Role.TOVHOLDER)
    else:
        _staff_user("outsider", Grant.ADMINISTRATOR, Grant.STARTS_COURSES)
    client = login(app.test_client(), "outsider", "outsider-password")
    token = csrf_token(client)
    checked = 0
    for rule, method in _course_routes(app):
        url = _url_for_rule(rule, demo)
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 404, f"{kind}: {method} {url} gave {response.status_code}"
        checked += 1
    assert checked >= 40
    # Nothing of Maja's course on their pages either, the administration included.
    for page in ("/", "/admin") if kind == "administrator without a course" else ("/",):
        html = client.get(page).get_data(as_text=True)
        assert "Maja" not in html and "Hanne Holm" not in html, page


@pytest.mark.parametrize("kind", ["no role", "tovholder", "may start courses"])
def test_every_staff_route_refuses_someone_without_its_grant(app, demo, client_as, kind):
    if kind == "no role":
        _staff_user("outsider")
        client = login(app.test_client(), "outsider", "outsider-password")
        grants: set[Grant] = set()
    elif kind == "tovholder":
        db.session.execute(db.delete(StaffGrant).where(StaffGrant.kind == Grant.STARTS_COURSES))
        db.session.commit()
        client, grants = client_as("tove"), set()
    else:
        client, grants = client_as("tove"), {Grant.STARTS_COURSES}  # the demo lets Tove start courses
    token = csrf_token(client)
    refused = 0
    for rule, method in _staff_routes(app):
        action = _access(app, rule)
        if action == StaffAction.START_COURSE and Grant.STARTS_COURSES in grants:
            continue
        url = _url_for_rule(rule, demo)
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, f"{kind}: {method} {url} gave {response.status_code}"
        refused += 1
    assert refused >= 10


def test_an_administrator_reaches_every_staff_route_but_starting_a_course_needs_its_own_grant(app, demo, client_as):
    target = _staff_user("target")
    ada = client_as("ada")
    token = csrf_token(ada)
    for rule, method in _staff_routes(app):
        url = _url_for_rule(rule, demo, user_id=target.id)
        response = ada.open(url, method=method, data={"csrf_token": token})
        if _access(app, rule) == StaffAction.START_COURSE:
            assert response.status_code == 403, f"{method} {url}"  # administering is not starting courses
        else:
            assert response.status_code not in (401, 403, 404, 500), f"{method} {url} gave {response.status_code}"
