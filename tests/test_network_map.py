"""The network map: the citizen in the middle, rings for closeness, drawn server-side as SVG; and the list to edit it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask_babel import force_locale

from extensions import db
from meetings.course import network as network_rules
from meetings.course.network_map import CX, CY, RADIUS, render_network_svg
from meetings.models import Attendance, Closeness, Course, Meeting, MemberKind, NetworkMember
from tests.conftest import csrf_token, visible

SVG = "{http://www.w3.org/2000/svg}"


def _members(course_id: int) -> list[NetworkMember]:
    return network_rules.current_members(course_id)


def _render(citizen_name: str, members: list[NetworkMember]) -> str:
    with force_locale("en"):
        return str(render_network_svg(citizen_name, members))


def _svg(demo) -> ET.Element:
    course = db.session.get(Course, demo.course_id)
    return ET.fromstring(_render(course.citizen.preferred_name, _members(course.id)))


def _people(root: ET.Element) -> dict[str, tuple[float, float]]:
    """Map each drawn person's name to the centre of their dot."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        dot = group.find(f"{SVG}circle")
        name = group.find(f"{SVG}text[@class='name']")
        found[name.text.rstrip(" ★")] = (float(dot.get("cx")), float(dot.get("cy")))
    return found


def _distance(point: tuple[float, float]) -> float:
    return ((point[0] - CX) ** 2 + (point[1] - CY) ** 2) ** 0.5


def test_the_map_is_an_accessible_image_with_a_title(app, demo):
    root = _svg(demo)
    assert root.get("role") == "img"
    assert root.get("aria-label").startswith("Network map of Maja")
    assert root.find(f"{SVG}title").text == "Network map of Maja"
    assert root.get("viewBox") == "0 0 900 660"


def test_the_citizen_is_in_the_middle_private_members_left_professionals_right(app, demo):
    root = _svg(demo)
    middle = [t for t in root.iter(f"{SVG}text") if t.get("class") == "citizen-name"]
    assert middle[0].text == "Maja" and float(middle[0].get("x")) == CX
    people = _people(root)
    for name in ("Hanne Holm", "Jonas Holm", "Sara Nielsen"):
        assert people[name][0] < CX, name
    for name in ("Ali Hassan", "Lene Berg", "Peter Kjær", "Dr. Inger Mose"):
        assert people[name][0] > CX, name


def test_each_person_sits_on_the_ring_of_their_closeness(app, demo):
    people = _people(_svg(demo))
    for member in _members(demo.course_id):
        if member.kind in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL):
            assert _distance(people[member.name]) == pytest.approx(RADIUS[member.closeness], abs=1.0), member.name
    # Closer people are nearer the middle.
    assert _distance(people["Hanne Holm"]) < _distance(people["Sara Nielsen"])
    assert _distance(people["Ali Hassan"]) < _distance(people["Peter Kjær"]) < _distance(people["Lene Berg"])


def test_names_and_relations_are_real_text_and_escaped(app, demo):
    course = db.session.get(Course, demo.course_id)
    network_rules.add_member(course, kind=MemberKind.PRIVATE, name='<script>alert("x")</script> & Co', relation="nabo <b>ovenpå</b>", closeness=Closeness.CLOSE)
    markup = _render("Maja & <Kim>", _members(course.id))
    assert "<script>" not in markup and "<b>" not in markup and "<Kim>" not in markup
    assert "&lt;script&gt;" in markup and "nabo &lt;b&gt;ovenpå&lt;/b&gt;" in markup
    root = ET.fromstring(markup)  # still well-formed XML
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "nabo <b>ovenpå</b>" in texts
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "citizen-name"] == ["Maja & <Kim>"]
    assert root.get("aria-label").startswith("Network map of Maja & <Kim>.")


def test_the_team_is_in_a_corner_of_its_own_not_in_the_circle(app, demo):
    root = _svg(demo)
    people = _people(root)
    assert "Tove Lund" not in people
    team = [t for t in root.iter(f"{SVG}text") if t.get("class") == "team"]
    assert team and "Tove Lund" in team[0].text and float(team[0].get("y")) > CY + RADIUS[Closeness.DISTANT]


def test_labels_never_share_a_row_even_in_a_large_network(app, demo):
    course = db.session.get(Course, demo.course_id)
    for i in range(9):
        network_rules.add_member(course, kind=MemberKind.PRIVATE, name=f"Ven {i}", closeness=list(Closeness)[i % 3])
    root = _svg(demo)
    for side in ("private", "professional"):
        rows = [float(t.get("y")) for g in root.iter(f"{SVG}g") if f"person-{side}" in g.get("class") for t in g.findall(f"{SVG}text[@class='name']")]
        rows.sort()
        assert all(b - a >= 30 for a, b in zip(rows, rows[1:], strict=False)), rows
        assert all(20 < y < 620 for y in rows)


def test_a_removed_member_leaves_the_map(app, demo):
    course = db.session.get(Course, demo.course_id)
    sara = next(m for m in _members(course.id) if m.name == "Sara Nielsen")
    network_rules.remove_member(sara)
    assert "Sara Nielsen" not in _people(_svg(demo))


def test_the_network_page_shows_the_map_and_a_plain_list(demo, en_as):
    page = en_as("rikke").get(f"/courses/{demo.course_id}/network").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    for fact in ("bostøttemedarbejder", "Bostøtten, Aarhus Kommune", "Kan aftale ekstra besøg, op til 4 timer om ugen.", "telefon 87 13 00 00, hverdage 8-15"):
        assert fact in page
    # The reflectant may look, not edit.
    assert "/edit" not in page and "Remove from the network" not in page


def test_editing_a_member_changes_how_they_want_to_be_contacted(demo, en_as):
    lene = next(m for m in _members(demo.course_id) if m.name == "Lene Berg")
    tove = en_as("tove")
    form = tove.get(f"/members/{lene.id}/edit").get_data(as_text=True)
    assert 'value="Jobcenter Aarhus"' in form
    response = tove.post(
        f"/members/{lene.id}/edit",
        data={"name": "Lene Berg", "kind": "professional", "relation": "sagsbehandler", "organisation": "Jobcenter Aarhus",
              "mandate": "Kan beslutte om praktik.", "contact": "mail, ikke telefon", "closeness": "middle", "language": "da",
              "csrf_token": csrf_token(tove)},
    )
    assert response.status_code == 302
    db.session.refresh(lene)
    assert lene.contact == "mail, ikke telefon" and lene.closeness == Closeness.MIDDLE and lene.mandate == "Kan beslutte om praktik."


def test_editing_a_member_without_a_name_keeps_what_was_typed(demo, en_as):
    lene = next(m for m in _members(demo.course_id) if m.name == "Lene Berg")
    tove = en_as("tove")
    response = tove.post(
        f"/members/{lene.id}/edit",
        data={"name": "", "kind": "professional", "relation": "sagsbehandler", "contact": "kun sms — aldrig før kl. 10", "closeness": "middle", "language": "da", "csrf_token": csrf_token(tove)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write the person&#39;s name." in page or "Write the person's name." in page
    assert "kun sms — aldrig før kl. 10" in page
    db.session.refresh(lene)
    assert lene.name == "Lene Berg"


def test_removing_a_member_takes_them_off_coming_invitations_but_not_past_meetings(demo, en_as):
    hanne = next(m for m in _members(demo.course_id) if m.name == "Hanne Holm")
    tove = en_as("tove")
    response = tove.post(f"/members/{hanne.id}/remove", data={"csrf_token": csrf_token(tove)})
    assert response.status_code == 302
    db.session.refresh(hanne)
    assert hanne.removed_at is not None
    invited_to = set(db.session.scalars(db.select(Attendance.meeting_id).where(Attendance.member_id == hanne.id)))
    assert demo.upcoming_meeting_id not in invited_to
    assert set(demo.meeting_ids[:2]) <= invited_to  # she was there, and that stays true
    first = visible(tove.get(f"/courses/{demo.course_id}/network").get_data(as_text=True))
    assert "Hanne Holm is no longer in the network." in first
    assert "Hanne Holm" not in tove.get(f"/courses/{demo.course_id}/network").get_data(as_text=True)


def test_the_citizen_and_the_team_are_not_edited_from_the_network_list(demo, en_as):
    tove = en_as("tove")
    maja = network_rules.citizen_member(demo.course_id)
    team = next(m for m in _members(demo.course_id) if m.kind == MemberKind.TEAM)
    assert tove.get(f"/members/{maja.id}/edit").status_code == 404
    assert tove.post(f"/members/{team.id}/remove", data={"csrf_token": csrf_token(tove)}).status_code == 404
    assert db.session.get(NetworkMember, team.id).removed_at is None


def test_a_reflectant_cannot_edit_the_network(demo, client_as):
    sara = next(m for m in _members(demo.course_id) if m.name == "Sara Nielsen")
    rikke = client_as("rikke")
    assert rikke.get(f"/members/{sara.id}/edit").status_code == 403
    assert rikke.post(f"/members/{sara.id}/remove", data={"csrf_token": csrf_token(rikke)}).status_code == 403


def test_someone_outside_the_course_cannot_see_the_map(demo, client_as):
    # Rikke is tovholder for Karim, but Tove has no role there at all.
    assert client_as("tove").get(f"/courses/{demo.other_course_id}/network").status_code == 404


def test_an_empty_network_says_so(app, demo):
    course = network_rules.create_course("Ida")
    root = ET.fromstring(_render("Ida", _members(course.id)))
    assert any(t.text == "No one in the network yet." for t in root.iter(f"{SVG}text"))
    assert db.session.get(Meeting, demo.upcoming_meeting_id) is not None
