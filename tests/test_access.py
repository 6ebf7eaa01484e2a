"""Every route denies by default: anonymous users and users without a role in the course get nothing."""

from __future__ import annotations

import pytest
from flask import Blueprint

from extensions import db
from roles import services as role_services
from roles.access import ACCESS_ATTR, BUILTIN_PUBLIC_ENDPOINTS, PUBLIC
from tests.conftest import csrf_token, login

#: The short list of endpoints anyone may reach. Adding one here needs a reason.
#: outreach.reply: a person responsible for an agreement answers without an account; the page
#: needs its own signed, expiring, revocable link and shows only that agreement (test_reminders.py).
ALLOWED_ANONYMOUS = {"static", "roles.login", "roles.set_language", "roles.health", "outreach.reply"}


def _url_for_rule(rule, demo) -> str:
    """Fill a rule's ids with objects of the demo course."""
    from meetings.models import Agreement, Consent, NetworkMember, Note

    ids = {
        "course_id": demo.course_id,
        "meeting_id": demo.meeting_ids[0],
        "note_id": db.session.scalar(db.select(Note.id).limit(1)),
        "agreement_id": db.session.scalar(db.select(Agreement.id).limit(1)),
        "consent_id": db.session.scalar(db.select(Consent.id).where(Consent.course_id == demo.course_id).limit(1)),
        "member_id": db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id).limit(1)),
        "filename": "app.css",
        # A reply link's token: one that names no link (the reply page then refuses it).
        "token": "not-a-real-token",
    }
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(ids[arg])).replace(f"<{arg}>", str(ids[arg]))
    return url


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


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
    for rule, method in _routes(app):
        if rule.endpoint in ALLOWED_ANONYMOUS or not rule.arguments:
            continue
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
