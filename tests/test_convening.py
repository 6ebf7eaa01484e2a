"""Convening: a regular or an acute meeting, the pre-meeting with the citizen, invitations (.ics and letters)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale

from exports.ics import build_invitation_ics, escape_text, fold
from extensions import db
from kernel import clock
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.course import network as network_rules
from meetings.followup import convening, ending
from meetings.models import Attendance, AttendanceStatus, Course, Language, Meeting, MeetingKind, MemberKind
from tests.conftest import csrf_token, member_named, visible


def _invited(meeting_id: int) -> set[str]:
    return {a.member.name for a in convening.invitees(meeting_id)}


# --- planning ----------------------------------------------------------------------------------


def test_an_acute_meeting_is_proposed_within_24_hours(demo):
    course = db.session.get(Course, demo.course_id)
    now = utcnow()
    meeting = convening.plan_acute_meeting(course, now=now)
    assert meeting.kind == MeetingKind.ACUTE
    assert meeting.requested_at == now
    assert now < meeting.planned_at <= now + timedelta(hours=24)
    assert meeting.planned_at - now <= convening.ACUTE_DEFAULT_DELAY + timedelta(minutes=convening.ROUND_TO_MINUTES)
    assert meeting.planned_at.minute % convening.ROUND_TO_MINUTES == 0
    assert not convening.later_than_rapid_response(meeting)
    # The citizen is invited from the start.
    assert _invited(meeting.id) == {"Maja"}


def test_an_acute_meeting_later_than_24_hours_is_allowed_with_a_gentle_warning(demo):
    course = db.session.get(Course, demo.course_id)
    now = utcnow()
    meeting = convening.plan_acute_meeting(course, now=now, planned_at=now + timedelta(hours=30))
    assert meeting.id is not None and convening.later_than_rapid_response(meeting)


def test_a_regular_meeting_cannot_be_planned_in_the_past(demo):
    course = db.session.get(Course, demo.course_id)
    with pytest.raises(Refusal) as refused:
        convening.plan_regular_meeting(course, utcnow() - timedelta(hours=1))
    assert refused.value.field == "planned_at"
    meeting = convening.plan_regular_meeting(course, utcnow() + timedelta(days=30), location="Hjemme hos Maja", theme="Sommeren")
    assert meeting.kind == MeetingKind.REGULAR and meeting.requested_at is None and meeting.planned_minutes == 90


def test_an_ended_course_gets_no_new_meetings(demo):
    course = db.session.get(Course, demo.course_id)
    ending.end_course(course, "Forløbet er slut.")
    with pytest.raises(Refusal):
        convening.plan_regular_meeting(course, utcnow() + timedelta(days=3))


def test_the_convene_page_proposes_a_time_a_few_hours_from_now(demo, en_as):
    page = en_as("tove").get(f"/courses/{demo.course_id}/convene").get_data(as_text=True)
    value = re.search(r'<input[^>]*name="acute-planned_at"[^>]*value="([^"]+)"', page)
    assert value, page
    proposed = clock.to_utc(datetime.strptime(value.group(1), "%Y-%m-%dT%H:%M"))
    assert utcnow() < proposed <= utcnow() + timedelta(hours=24)


def test_convening_an_acute_meeting_through_the_page(demo, en_as):
    tove = en_as("tove")
    planned = clock.to_local(convening.propose_acute_time())
    response = tove.post(
        f"/courses/{demo.course_id}/convene/acute",
        data={"acute-planned_at": planned.strftime("%Y-%m-%dT%H:%M"), "acute-location": "Hjemme hos Maja", "csrf_token": csrf_token(tove)},
    )
    assert response.status_code == 302 and "/pre-meeting" in response.headers["Location"]
    meeting = db.session.scalars(db.select(Meeting).where(Meeting.kind == MeetingKind.ACUTE, Meeting.course_id == demo.course_id)).one()
    assert meeting.location == "Hjemme hos Maja" and meeting.requested_at is not None
    assert clock.to_local(meeting.planned_at) == planned
    dashboard = tove.get("/").get_data(as_text=True)
    coming = dashboard.split('id="upcoming"')[1].split("</section>")[0]
    assert "Acute meeting" in coming and "Hjemme hos Maja" in coming


def test_a_regular_meeting_in_the_past_is_refused_and_what_was_typed_stays(demo, en_as):
    tove = en_as("tove")
    response = tove.post(
        f"/courses/{demo.course_id}/convene/regular",
        data={"regular-planned_at": "2020-01-01T10:00", "regular-location": "Café Rundbord", "regular-theme": "Søvn & arbejde",
              "regular-planned_minutes": "60", "csrf_token": csrf_token(tove)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a time that has not passed yet." in page
    assert 'value="2020-01-01T10:00"' in page and 'value="Café Rundbord"' in page and "Søvn &amp; arbejde" in page


def test_a_garbled_time_gets_a_clear_message(demo, en_as):
    tove = en_as("tove")
    response = tove.post(
        f"/courses/{demo.course_id}/convene/regular",
        data={"regular-planned_at": "på fredag", "regular-planned_minutes": "90", "csrf_token": csrf_token(tove)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Write a date and a time" in page and 'value="på fredag"' in page


def test_only_the_tovholder_convenes(demo, client_as):
    morten = client_as("morten")
    assert morten.get(f"/courses/{demo.course_id}/convene").status_code == 403
    response = morten.post(f"/courses/{demo.course_id}/convene/acute", data={"acute-planned_at": "2030-01-01T10:00", "csrf_token": csrf_token(morten)})
    assert response.status_code == 403


# --- the pre-meeting --------------------------------------------------------------------------------


def test_the_pre_meeting_records_topics_note_and_exactly_whom_the_citizen_wants(demo):
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    course_id = meeting.course_id
    at = utcnow() - timedelta(days=1)
    chosen = [member_named(course_id, "Jonas Holm"), member_named(course_id, "Sara Nielsen")]
    convening.record_pre_meeting(meeting, at, " Praktikken, og at sove. ", "Hun vil gerne have Sara med.", chosen)
    assert meeting.pre_meeting_at == at
    assert meeting.citizen_topics == "Praktikken, og at sove."
    assert meeting.pre_meeting_note == "Hun vil gerne have Sara med."
    assert _invited(meeting.id) == {"Maja", "Jonas Holm", "Sara Nielsen"}
    assert all(a.status == AttendanceStatus.INVITED for a in convening.invitees(meeting.id))


def test_someone_from_another_network_cannot_be_invited(demo):
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    yasmin = member_named(demo.other_course_id, "Yasmin Saleh")
    with pytest.raises(Refusal):
        convening.record_pre_meeting(meeting, None, "", "", [yasmin])


def test_inviting_more_than_the_citizen_can_manage_warns_but_never_blocks(demo, en_as):
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    everyone = [m for m in network_rules.current_members(meeting.course_id) if m.kind in (MemberKind.PRIVATE, MemberKind.PROFESSIONAL)]
    tove = en_as("tove")
    response = tove.post(
        f"/meetings/{meeting.id}/pre-meeting",
        data={"citizen_topics": "Hestene", "note": "", "max_participants": "4", "invitees": [str(m.id) for m in everyone], "csrf_token": csrf_token(tove)},
    )
    assert response.status_code == 302
    check = convening.participant_check(meeting)
    assert check.count == len(everyone) == 7 and check.limit == 4 and check.too_many
    assert _invited(meeting.id) == {"Maja", *(m.name for m in everyone)}
    page = visible(tove.get(f"/meetings/{meeting.id}/pre-meeting").get_data(as_text=True))
    assert 'id="participant-warning"' in page
    assert "7 people are invited besides Maja, who has said 4 is what they can manage." in page
    # Fewer invited: the warning goes.
    tove.post(
        f"/meetings/{meeting.id}/pre-meeting",
        data={"citizen_topics": "Hestene", "max_participants": "4", "invitees": [str(everyone[0].id)], "csrf_token": csrf_token(tove)},
    )
    assert not convening.participant_check(meeting).too_many
    assert 'id="participant-warning"' not in tove.get(f"/meetings/{meeting.id}/pre-meeting").get_data(as_text=True)


def test_a_bad_number_keeps_the_citizens_words_on_screen(demo, en_as):
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    jonas = member_named(meeting.course_id, "Jonas Holm")
    tove = en_as("tove")
    response = tove.post(
        f"/meetings/{meeting.id}/pre-meeting",
        data={"citizen_topics": "At jeg er træt af at vente — \"hele tiden\"", "max_participants": "mange", "invitees": [str(jonas.id)], "csrf_token": csrf_token(tove)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write a number between 1 and 50, or leave it empty." in page
    assert "At jeg er træt af at vente — &#34;hele tiden&#34;" in page or "At jeg er træt af at vente — &quot;hele tiden&quot;" in page
    assert re.search(rf'value="{jonas.id}" checked', page)
    db.session.refresh(meeting)
    assert "træt" not in meeting.citizen_topics


def test_a_held_meeting_gets_no_pre_meeting(demo):
    held = db.session.get(Meeting, demo.meeting_ids[0])
    with pytest.raises(Refusal):
        convening.record_pre_meeting(held, None, "x", "", [])


def test_answers_already_given_are_kept_when_the_list_changes(demo):
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    ali = member_named(meeting.course_id, "Ali Hassan")
    row = db.session.scalars(db.select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.member_id == ali.id)).one()
    row.status = AttendanceStatus.SENT_WORD
    convening.record_pre_meeting(meeting, None, "", "", [member_named(meeting.course_id, "Jonas Holm")])
    assert _invited(meeting.id) == {"Maja", "Jonas Holm", "Ali Hassan"}


# --- invitations ---------------------------------------------------------------------------------------


def _unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_the_ics_invitation_follows_rfc_5545(demo):
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    meeting.location = "Bostøttens mødelokale, Vestergade 4; 2. sal\\bagindgang\nRing på"
    with force_locale("en"):
        data = build_invitation_ics(meeting, "en", now=utcnow(), domain="rundbord.example")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    lines = _unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines and lines[-2] == "END:VCALENDAR"
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    assert fields["UID"] == f"meeting-{meeting.id}-course-{meeting.course_id}@rundbord.example"
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert fields["DTSTART"] == meeting.planned_at.strftime("%Y%m%dT%H%M%SZ")
    assert fields["DTEND"] == (meeting.planned_at + timedelta(minutes=90)).strftime("%Y%m%dT%H%M%SZ")
    assert fields["LOCATION;LANGUAGE=en"] == "Bostøttens mødelokale\\, Vestergade 4\\; 2. sal\\\\bagindgang\\nRing på"
    assert fields["SUMMARY;LANGUAGE=en"] == "Network meeting with Maja"
    # Nothing from the meeting's content: no theme, no topics.
    assert "Praktik" not in data.decode("utf-8")


def test_folding_never_splits_a_character():
    line = "DESCRIPTION:" + "æøå" * 60
    folded = fold(line)
    for piece in folded.split(b"\r\n"):
        assert len(piece) <= 75
        piece.decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert folded.replace(b"\r\n ", b"").decode("utf-8") == line
    assert escape_text("a,b;c\\d\r\ne\x0bf") == "a\\,b\\;c\\\\d\\ne" + "f"


def test_the_ics_route_sends_a_calendar_file(demo, client_as):
    response = client_as("tove").get(f"/meetings/{demo.upcoming_meeting_id}/invitation.ics?lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert b"SUMMARY;LANGUAGE=en:" in response.data
    assert client_as("tove").get(f"/meetings/{demo.upcoming_meeting_id}/invitation.ics?lang=xx").status_code == 404


def test_the_invitation_letter_is_in_the_invitees_language(demo, client_as):
    course = db.session.get(Course, demo.course_id)
    tom = network_rules.add_member(course, kind=MemberKind.PRIVATE, name="Tom Evans", relation="neighbour", language=Language.EN)
    hanne = member_named(demo.course_id, "Hanne Holm")
    db.session.commit()
    tove = client_as("tove")  # Tove reads Danish
    english = visible(tove.get(f"/meetings/{demo.upcoming_meeting_id}/invitation/{tom.id}").get_data(as_text=True))
    assert '<html lang="en">' in english
    assert "Dear Tom Evans," in english and "Maja would like you to take part in a network meeting." in english
    assert "If you cannot come, please tell Tove Lund." in english
    assert "Bostøttens mødelokale, Vestergade 4" in english
    meeting = db.session.get(Meeting, demo.upcoming_meeting_id)
    with force_locale("en"):
        from kernel.clock import when

        assert when(meeting.planned_at) in english
    danish = tove.get(f"/meetings/{demo.upcoming_meeting_id}/invitation/{hanne.id}").get_data(as_text=True)
    assert '<html lang="da">' in danish
    with force_locale("da"):
        from kernel.clock import when

        assert when(meeting.planned_at) in danish


def test_no_letter_for_someone_outside_the_network(demo, client_as):
    yasmin = member_named(demo.other_course_id, "Yasmin Saleh")
    assert client_as("tove").get(f"/meetings/{demo.upcoming_meeting_id}/invitation/{yasmin.id}").status_code == 404


def test_the_pre_meeting_page_offers_letters_and_calendar_files(demo, en_as):
    page = en_as("tove").get(f"/meetings/{demo.upcoming_meeting_id}/pre-meeting").get_data(as_text=True)
    hanne = member_named(demo.course_id, "Hanne Holm")
    assert f"/meetings/{demo.upcoming_meeting_id}/invitation/{hanne.id}" in page
    assert f"/meetings/{demo.upcoming_meeting_id}/invitation.ics?lang=da" in page
