"""Starting a course, the network team (roles, removal, handover, an administrator's appointment) and the proxy.

A course is never left without an active tovholder; the administrator only appoints one where
every tovholder is deactivated, and never themself.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect

from extensions import db
from kernel.clock import utcnow
from meetings.course.calendar import plan_meeting
from meetings.course.network import citizen_member, current_members
from meetings.models import Attendance, AttendanceStatus, Citizen, Course, Language, MemberKind, NetworkMember
from meetings.team import proxy, rules
from meetings.team.models import ProxyPeriod
from meetings.team.rules import TeamError
from meetings.team.start_page import start_page_for
from roles.admin import rules as admin_rules
from roles.models import AuditEntry, Role, RoleAssignment, User
from tests.conftest import csrf_token

TODAY = date(2026, 12, 4)


def _user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _roles(course_id: int) -> set[tuple[str, Role]]:
    rows = db.session.execute(
        db.select(User.username, RoleAssignment.role).join(User, User.id == RoleAssignment.user_id).where(RoleAssignment.course_id == course_id)
    ).all()
    return {(u, r) for u, r in rows}


def _lone(by: User) -> Course:
    return rules.start_course(by, preferred_name="Lone", full_name="Lone Kjær", language=Language.DA, contact="sms 20 30 40 50")


# --- starting a course -----------------------------------------------------------------------


def test_starting_a_course_makes_the_citizen_and_the_creator_its_tovholder(app, demo):
    tove = _user("tove")
    course = _lone(tove)
    assert _roles(course.id) == {("tove", Role.TOVHOLDER)}
    citizen = citizen_member(course.id)
    assert (citizen.name, citizen.contact, course.citizen.full_name) == ("Lone", "sms 20 30 40 50", "Lone Kjær")
    assert [m.kind for m in current_members(course.id)] == [MemberKind.CITIZEN, MemberKind.TEAM]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "course.started"))
    assert (entry.course_id, entry.citizen_id, entry.user_id) == (course.id, course.citizen_id, tove.id)
    # No CPR number anywhere: the app does not need one.
    assert not [c for c in inspect(db.engine).get_columns("citizen") if "cpr" in c["name"].lower()]


def test_a_course_without_the_citizens_name_is_not_started(app, demo):
    with pytest.raises(TeamError) as refused:
        rules.start_course(_user("tove"), preferred_name="  ")
    assert refused.value.field == "preferred_name"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Citizen.id))) == 2


# --- the team -----------------------------------------------------------------------------------


def test_the_tovholder_gives_roles_and_takes_them_away(app, demo):
    tove, morten, rikke = _user("tove"), _user("morten"), _user("rikke")
    course = _lone(tove)
    rules.assign(course, morten, Role.MEETING_LEADER, tove)
    rules.assign(course, rikke, Role.REFLECTANT, tove)
    rules.assign(course, rikke, Role.TOVHOLDER, tove)  # a second tovholder
    assert _roles(course.id) == {("tove", Role.TOVHOLDER), ("morten", Role.MEETING_LEADER), ("rikke", Role.REFLECTANT), ("rikke", Role.TOVHOLDER)}
    with pytest.raises(TeamError):
        rules.assign(course, morten, Role.MEETING_LEADER, tove)  # already
    db.session.rollback()
    rules.remove(course, rikke, Role.REFLECTANT, tove)
    assert ("rikke", Role.REFLECTANT) not in _roles(course.id)
    team = {m.user.username: m.roles for m in rules.team_of(course.id)}
    assert team == {"tove": [Role.TOVHOLDER], "rikke": [Role.TOVHOLDER], "morten": [Role.MEETING_LEADER]}
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.course_id == course.id)).all()
    assert actions.count("team.role_given") == 3 and actions.count("team.role_removed") == 1


def test_the_last_active_tovholder_is_never_removed(app, demo):
    tove, rikke = _user("tove"), _user("rikke")
    course = _lone(tove)
    with pytest.raises(TeamError, match="eneste aktive tovholder"):
        rules.remove(course, tove, Role.TOVHOLDER, tove)
    db.session.rollback()
    assert _roles(course.id) == {("tove", Role.TOVHOLDER)}
    # A deactivated second tovholder does not count.
    rules.assign(course, rikke, Role.TOVHOLDER, tove)
    admin_rules.deactivate(rikke, _user("ada"))
    with pytest.raises(TeamError):
        rules.remove(course, tove, Role.TOVHOLDER, tove)
    db.session.rollback()
    rules.remove(course, rikke, Role.TOVHOLDER, tove)  # the inactive one may go
    assert _roles(course.id) == {("tove", Role.TOVHOLDER)}


def test_someone_without_roles_left_leaves_the_network_and_coming_invitations_and_can_come_back(app, demo):
    tove, morten = _user("tove"), _user("morten")
    course = _lone(tove)
    rules.assign(course, morten, Role.MEETING_LEADER, tove)
    member = db.session.scalar(db.select(NetworkMember).where(NetworkMember.course_id == course.id, NetworkMember.user_id == morten.id))
    meeting = plan_meeting(course, utcnow() + timedelta(days=7))
    db.session.add(Attendance(meeting_id=meeting.id, member_id=member.id, status=AttendanceStatus.INVITED))
    db.session.commit()

    rules.remove(course, morten, Role.MEETING_LEADER, tove)

    assert member.removed_at is not None and member not in current_members(course.id)
    assert db.session.scalar(db.select(db.func.count(Attendance.id)).where(Attendance.member_id == member.id)) == 0
    rules.assign(course, morten, Role.REFLECTANT, tove)
    assert member.removed_at is None and member in current_members(course.id)


def test_a_deactivated_colleague_cannot_be_given_a_role(app, demo):
    morten = _user("morten")
    admin_rules.deactivate(morten, _user("ada"))
    with pytest.raises(TeamError) as refused:
        rules.assign(db.session.get(Course, demo.course_id), morten, Role.REFLECTANT, _user("tove"))
    assert refused.value.field == "user_id"


def test_handing_over_moves_the_role_and_the_new_tovholder_is_told(app, demo):
    tove, rikke = _user("tove"), _user("rikke")
    course = db.session.get(Course, demo.course_id)

    rules.hand_over(course, tove, rikke)

    assert ("rikke", Role.TOVHOLDER) in _roles(course.id) and ("tove", Role.TOVHOLDER) not in _roles(course.id)
    page = start_page_for(rikke, has_courses=True)
    assert [(h.course.id, h.by.username) for h in page.handed_to_me] == [(course.id, "tove")]
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "team.tovholder_handed_over"))
    assert (entry.course_id, entry.user_id, entry.object_id, entry.detail) == (course.id, tove.id, rikke.id, "tove → rikke")
    # Tove had no other role in Maja's course: she is out of it now.
    assert not [r for u, r in _roles(course.id) if u == "tove"]


def test_a_handover_to_someone_already_tovholder_or_to_oneself_is_refused(app, demo):
    tove, rikke = _user("tove"), _user("rikke")
    course = db.session.get(Course, demo.course_id)
    rules.assign(course, rikke, Role.TOVHOLDER, tove)
    for to in (rikke, tove):
        with pytest.raises(TeamError):
            rules.hand_over(course, tove, to)
        db.session.rollback()
    assert ("tove", Role.TOVHOLDER) in _roles(course.id)


def test_a_tovholder_is_told_when_a_colleague_in_their_team_is_deactivated(app, demo):
    admin_rules.deactivate(_user("morten"), _user("ada"))
    page = start_page_for(_user("tove"), has_courses=True)
    assert [(c.course.id, c.user.username, c.roles) for c in page.inactive] == [(demo.course_id, "morten", (Role.MEETING_LEADER,))]
    # Rikke is tovholder of Karim's course, where Morten is reflectant.
    assert [(c.course.id, c.roles) for c in start_page_for(_user("rikke"), has_courses=True).inactive] == [(demo.other_course_id, (Role.REFLECTANT,))]


def test_an_administrator_appoints_a_tovholder_only_where_every_tovholder_is_deactivated(app, demo):
    ada, tove, rikke = _user("ada"), _user("tove"), _user("rikke")
    course = db.session.get(Course, demo.course_id)
    with pytest.raises(TeamError):
        rules.appoint_tovholder(course, rikke, ada)  # Tove is active
    db.session.rollback()
    admin_rules.deactivate(tove, ada)
    with pytest.raises(TeamError):
        rules.appoint_tovholder(course, ada, ada)  # never themself
    db.session.rollback()
    rules.appoint_tovholder(course, rikke, ada)
    assert ("rikke", Role.TOVHOLDER) in _roles(course.id)
    assert db.session.scalar(db.select(AuditEntry.user_id).where(AuditEntry.action == "team.tovholder_appointed")) == ada.id


# --- the proxy -----------------------------------------------------------------------------------


def _member(course_id: int, name: str) -> NetworkMember:
    return db.session.scalar(db.select(NetworkMember).where(NetworkMember.course_id == course_id, NetworkMember.name == name))


def test_the_proxy_is_recorded_replaced_and_ended_with_its_dates(app, demo):
    tove = _user("tove")
    course = db.session.get(Course, demo.course_id)
    hanne, jonas = _member(course.id, "Hanne Holm"), _member(course.id, "Jonas Holm")
    assert proxy.current_proxy(course.id).member == hanne  # the demo's

    proxy.choose_proxy(course, jonas, TODAY - timedelta(days=3), tove, TODAY)

    assert proxy.current_proxy(course.id).member == jonas
    assert (jonas.is_proxy, hanne.is_proxy) == (True, False)
    ended_hanne = [p for p in proxy.proxy_history(course.id) if p.member == hanne][0]
    assert ended_hanne.ended_on == TODAY - timedelta(days=3)

    proxy.end_proxy(course, TODAY, tove, TODAY)
    assert proxy.current_proxy(course.id) is None and not jonas.is_proxy
    assert [(p.member.name, p.ended_on) for p in proxy.proxy_history(course.id)][0] == ("Jonas Holm", TODAY)
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.course_id == course.id)).all()
    assert actions.count("proxy.chosen") == 1 and actions.count("proxy.ended") == 1


def test_a_proxy_in_the_future_from_outside_the_network_or_ending_before_it_began_is_refused(app, demo):
    tove = _user("tove")
    course = db.session.get(Course, demo.course_id)
    jonas, maja = _member(course.id, "Jonas Holm"), citizen_member(course.id)
    yasmin = _member(demo.other_course_id, "Yasmin Saleh")
    for member, started, field in ((jonas, TODAY + timedelta(days=1), "started_on"), (maja, TODAY, "member_id"), (yasmin, TODAY, "member_id"), (None, TODAY, "member_id")):
        with pytest.raises(TeamError) as refused:
            proxy.choose_proxy(course, member, started, tove, TODAY)
        assert refused.value.field == field
        db.session.rollback()
    began = proxy.current_proxy(course.id).started_on
    with pytest.raises(TeamError):
        proxy.end_proxy(course, began - timedelta(days=1), tove, TODAY)
    db.session.rollback()
    assert proxy.current_proxy(course.id).member.name == "Hanne Holm"
    assert db.session.scalar(db.select(db.func.count(ProxyPeriod.id))) == 1


# --- through HTTP --------------------------------------------------------------------------------


def test_starting_a_course_over_http_leads_to_the_network_and_the_first_meeting(demo, client_as):
    tove = _english(client_as("tove"))
    assert "Start a course for a new citizen" in tove.get("/").get_data(as_text=True)
    missing = tove.post("/courses/new", data={"csrf_token": csrf_token(tove), "preferred_name": "", "contact": "ring efter kl. 10", "language": "da"})
    assert missing.status_code == 400
    assert "Write the name the citizen wants to be called." in missing.get_data(as_text=True) and "ring efter kl. 10" in missing.get_data(as_text=True)
    created = tove.post("/courses/new", data={"csrf_token": csrf_token(tove), "preferred_name": "Lone", "language": "en"}, follow_redirects=True)
    page = created.get_data(as_text=True)
    assert "Getting started" in page and "Plan the first meeting" in page and "Add the people the citizen wants in the network" in page


def test_only_someone_allowed_may_start_a_course(demo, client_as):
    assert client_as("morten").get("/courses/new").status_code == 403


def test_removing_the_last_tovholder_over_http_says_why_and_changes_nothing(demo, client_as):
    tove = _english(client_as("tove"))
    response = tove.post(
        f"/courses/{demo.course_id}/team/roles/remove", data={"csrf_token": csrf_token(tove), "user_id": _user("tove").id, "role": "tovholder"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tove Lund is the only active tovholder." in page and "Nothing was changed." in page
    assert ("tove", Role.TOVHOLDER) in _roles(demo.course_id)


def test_giving_a_role_over_http_shows_the_course_to_the_colleague(app, demo, client_as):
    tove = _english(client_as("tove"))
    course_id = tove.post("/courses/new", data={"csrf_token": csrf_token(tove), "preferred_name": "Lone", "language": "da"}).headers["Location"].rsplit("/", 1)[1]
    response = tove.post(f"/courses/{course_id}/team/roles", data={"csrf_token": csrf_token(tove), "assign-user_id": _user("morten").id, "assign-role": "meeting_leader"})
    assert response.status_code == 302
    assert "Lone" in client_as("morten").get("/").get_data(as_text=True)
    nobody = tove.post(f"/courses/{course_id}/team/roles", data={"csrf_token": csrf_token(tove), "assign-user_id": "", "assign-role": "reflectant"})
    assert nobody.status_code == 400 and "Choose a colleague." in nobody.get_data(as_text=True)


def test_a_handover_over_http_lands_the_old_tovholder_on_the_start_page_and_tells_the_new_one(demo, client_as):
    tove = _english(client_as("tove"))
    response = tove.post(f"/courses/{demo.course_id}/team/handover", data={"csrf_token": csrf_token(tove), "handover-user_id": _user("rikke").id})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert tove.get(f"/courses/{demo.course_id}").status_code == 404  # no role left there
    rikke = _english(client_as("rikke"))
    assert "Tove Lund handed the tovholder role for Maja to you" in rikke.get("/").get_data(as_text=True)


def test_the_team_page_shows_a_deactivated_member_as_inactive(demo, client_as):
    admin_rules.deactivate(_user("morten"), _user("ada"))
    tove = _english(client_as("tove"))
    assert "Inactive: the account is deactivated" in tove.get(f"/courses/{demo.course_id}/team").get_data(as_text=True)
    assert "Morten Bak's account is deactivated, but they are still meeting leader in the team for Maja." in tove.get("/").get_data(as_text=True)
    # A reflectant reads the team, but gets no forms to change it.
    rikke_page = _english(client_as("rikke")).get(f"/courses/{demo.course_id}/team").get_data(as_text=True)
    assert "Give the role" not in rikke_page and "Morten Bak" in rikke_page


def test_the_proxy_over_http_keeps_a_wrong_date_on_screen(demo, client_as):
    tove = _english(client_as("tove"))
    jonas = _member(demo.course_id, "Jonas Holm")
    wrong = tove.post(f"/courses/{demo.course_id}/proxy", data={"csrf_token": csrf_token(tove), "proxy-member_id": jonas.id, "proxy-started_on": "4. december"})
    assert wrong.status_code == 400 and "Write a date, e.g. 2026-03-24." in wrong.get_data(as_text=True)
    assert 'value="4. december"' in wrong.get_data(as_text=True)
    ok = tove.post(f"/courses/{demo.course_id}/proxy", data={"csrf_token": csrf_token(tove), "proxy-member_id": jonas.id, "proxy-started_on": ""})
    assert ok.status_code == 302 and proxy.current_proxy(demo.course_id).member == jonas
    ended = tove.post(f"/courses/{demo.course_id}/proxy/end", data={"csrf_token": csrf_token(tove), "end-ended_on": ""})
    assert ended.status_code == 302 and proxy.current_proxy(demo.course_id) is None


def test_a_new_user_is_told_who_can_give_them_a_course(app, demo):
    from roles import services as role_services
    from tests.conftest import login

    role_services.create_user("olga", "Olga", "olga-password")
    db.session.commit()
    page = _english(login(app.test_client(), "olga", "olga-password")).get("/").get_data(as_text=True)
    assert "You have no role in any course yet." in page
    assert "Who can start a course: Tove Lund" in page and "Ada Winther" in page
