"""The meeting screen over HTTP: htmx fragments, notes that are never lost, closing rules."""

from __future__ import annotations

import json
import time

import pytest

from extensions import db
from meetings.models import Agreement, AgreementStatus, Meeting, NetworkMember, Note, Phase
from tests.conftest import csrf_token, visible

HX = {"HX-Request": "true"}


@pytest.fixture
def leader(client_as):
    return client_as("morten")


@pytest.fixture
def reflectant(client_as):
    return client_as("rikke")


def post(client, url, data=None, htmx=True, **kw):
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client)
    return client.post(url, data=data, headers=HX if htmx else {}, **kw)


def save(client, meeting_id, **fields):
    body = {"uid": "u1", "text": "Jeg vil gerne sove.", "kind": "own_words", "device": "tablet-a", "seq": 1, "base_version": 0}
    body.update(fields)
    return client.post(
        f"/meetings/{meeting_id}/notes",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(client)},
    )


def member_id(demo, name: str) -> int:
    return db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.course_id, NetworkMember.name == name))


def test_every_fragment_is_a_fragment_not_a_page(demo, leader):
    mid = demo.upcoming_meeting_id
    response = post(leader, f"/meetings/{mid}/phase", {"phase": "opening"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<html" not in page and 'id="leader"' in page
    assert "HX-Request" in response.headers["Vary"]
    # Without htmx the same action redirects back to the page (a reload shows the same state).
    plain = post(leader, f"/meetings/{mid}/phase", {"phase": "dialogue"}, htmx=False)
    assert plain.status_code == 302
    full = leader.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "<html" in full and 'aria-current="step"' in full
    assert db.session.get(Meeting, mid).phase == Phase.DIALOGUE


def test_the_leader_sees_the_prompt_in_danish(demo, leader):
    post(leader, f"/meetings/{demo.upcoming_meeting_id}/phase", {"phase": "opening"})
    page = leader.get(f"/meetings/{demo.upcoming_meeting_id}").get_data(as_text=True)
    assert "Byd alle velkommen" in page


def test_a_reflectant_cannot_change_the_phase_but_can_write(demo, reflectant):
    mid = demo.upcoming_meeting_id
    assert post(reflectant, f"/meetings/{mid}/phase", {"phase": "dialogue"}).status_code == 403
    assert save(reflectant, mid).status_code == 200
    assert reflectant.get(f"/meetings/{mid}/leader", headers=HX).status_code == 200


def test_a_note_is_saved_once_however_often_it_is_sent(demo, reflectant):
    mid = demo.upcoming_meeting_id
    first = save(reflectant, mid)
    again = save(reflectant, mid)
    assert first.json["outcome"] == "created" and again.json["outcome"] == "stale"
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.meeting_id == mid)) == 1
    assert "Jeg vil gerne sove." in first.json["html"]


def test_text_comes_back_exactly_as_written_and_never_as_markup(demo, reflectant):
    mid = demo.upcoming_meeting_id
    odd = '<img src=x onerror=alert(1)> “Æ ø å” 😊\n  to linjer\u202e'
    save(reflectant, mid, text=odd)
    page = reflectant.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; “Æ ø å” 😊\n  to linjer\u202e" in page
    assert db.session.scalar(db.select(Note.text).where(Note.meeting_id == mid)) == odd


def test_two_devices_get_a_conflict_with_both_texts(demo, reflectant, leader):
    mid = demo.upcoming_meeting_id
    save(reflectant, mid, text="Hun sagde ja.")
    save(leader, mid, text="Hun sagde ja, men tøvede.", device="tablet-b", seq=5, base_version=1)
    conflict = save(reflectant, mid, text="Hun sagde nej.", seq=2, base_version=1)
    assert conflict.status_code == 409
    assert conflict.json["outcome"] == "conflict" and conflict.json["text"] == "Hun sagde ja, men tøvede."
    assert db.session.scalar(db.select(Note.text).where(Note.meeting_id == mid)) == "Hun sagde ja, men tøvede."


def test_a_save_three_hours_after_the_page_was_opened_still_succeeds(demo, reflectant):
    mid = demo.upcoming_meeting_id
    token = csrf_token(reflectant)
    with reflectant.session_transaction() as session:
        session["login_at"] -= 3 * 3600
        # The reflectant typed a minute ago: the session is in use, not idle.
        session["seen"] = int(time.time()) - 60
    response = reflectant.post(
        f"/meetings/{mid}/notes",
        data=json.dumps({"uid": "late", "text": "Tre timer senere.", "device": "d", "seq": 1}),
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert response.status_code == 200


def test_a_bad_note_gets_a_clear_message_and_nothing_is_stored(demo, reflectant):
    mid = demo.upcoming_meeting_id
    other = db.session.scalar(db.select(NetworkMember.id).where(NetworkMember.course_id == demo.other_course_id))
    response = save(reflectant, mid, speaker_id=other)
    assert response.status_code == 400 and "netværk" in response.json["message"]
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.meeting_id == mid)) == 0


def test_a_note_can_be_deleted_and_undone(demo, reflectant):
    mid = demo.upcoming_meeting_id
    note_id = save(reflectant, mid).json["id"]
    deleted = post(reflectant, f"/notes/{note_id}/delete")
    assert "Fortryd" in deleted.get_data(as_text=True)
    assert "Jeg vil gerne sove." not in reflectant.get(f"/meetings/{mid}").get_data(as_text=True)
    post(reflectant, f"/notes/{note_id}/restore")
    assert "Jeg vil gerne sove." in reflectant.get(f"/meetings/{mid}").get_data(as_text=True)


def test_other_devices_follow_the_notes_list_and_get_304_while_nothing_changed(demo, reflectant, leader):
    mid = demo.upcoming_meeting_id
    url = f"/meetings/{mid}/notes/current"

    def poll(tag=None):
        headers = dict(HX, **({"If-None-Match": f'"{tag}"'} if tag else {}))
        response = leader.get(url, headers=headers)
        return response, response.headers.get("ETag", "").strip('"')

    first, tag = poll()
    assert first.status_code == 200 and 'id="note-list"' in first.get_data(as_text=True) and "<html" not in first.get_data(as_text=True)
    # The page carries the same tag, so its first poll is a 304 when nothing happened.
    assert f'data-sync-tag="{tag}"' in leader.get(f"/meetings/{mid}").get_data(as_text=True)
    assert poll(tag)[0].status_code == 304

    note_id = save(reflectant, mid).json["id"]
    written, tag2 = poll(tag)
    assert written.status_code == 200 and "Jeg vil gerne sove." in written.get_data(as_text=True) and tag2 != tag
    assert poll(tag2)[0].status_code == 304
    # Every kind of change moves the tag: out of the summary, deleted, undone, edited.
    changes = [
        lambda: post(reflectant, f"/notes/{note_id}/summary", {"include": "0"}),
        lambda: post(reflectant, f"/notes/{note_id}/delete"),
        lambda: post(reflectant, f"/notes/{note_id}/restore"),
        lambda: save(reflectant, mid, text="Jeg vil gerne sove længe.", seq=2, base_version=1),
    ]
    for change in changes:
        assert change().status_code == 200
        changed, new_tag = poll(tag2)
        assert changed.status_code == 200 and new_tag != tag2
        tag2 = new_tag
    assert "Jeg vil gerne sove længe." in changed.get_data(as_text=True)


def test_a_closed_meetings_notes_list_does_not_poll(demo, client_as):
    page = client_as("tove").get(f"/meetings/{demo.meeting_ids[0]}").get_data(as_text=True)
    assert 'id="note-list"' in page and "data-sync-url" not in page


def test_the_leader_sets_the_plan_and_a_refused_number_stays_as_typed(demo, leader):
    mid = demo.upcoming_meeting_id
    post(leader, f"/meetings/{mid}/phase", {"phase": "dialogue"})
    refused = post(leader, f"/meetings/{mid}/plan", {"minutes": "120", "phase_minutes": "fyrre"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "minutter for denne fase" in page
    assert 'value="120"' in page and 'value="fyrre"' in page
    assert db.session.get(Meeting, mid).planned_minutes == 90
    too_long = post(leader, f"/meetings/{mid}/plan", {"minutes": "60", "phase_minutes": "70"})
    assert too_long.status_code == 400 and 'value="70"' in too_long.get_data(as_text=True)
    taken = post(leader, f"/meetings/{mid}/plan", {"minutes": "120", "phase_minutes": "50"})
    assert taken.status_code == 200 and "af 50 min" in taken.get_data(as_text=True)
    db.session.expire_all()
    meeting = db.session.get(Meeting, mid)
    assert (meeting.planned_minutes, meeting.phase_minutes) == (120, {"dialogue": 50})
    # An empty box gives the phase its usual share again (40 % of 120).
    usual = post(leader, f"/meetings/{mid}/plan", {"minutes": "120", "phase_minutes": ""})
    assert usual.status_code == 200 and "af 48 min" in usual.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, mid).phase_minutes is None


def test_a_note_can_be_kept_out_of_the_summary(demo, reflectant):
    note_id = save(reflectant, demo.upcoming_meeting_id).json["id"]
    page = post(reflectant, f"/notes/{note_id}/summary", {"include": "0"}).get_data(as_text=True)
    assert "Ikke til referatet" in page
    assert db.session.get(Note, note_id).include_in_summary is False


def test_attendance_voices_and_an_unannounced_guest(demo, leader):
    mid = demo.upcoming_meeting_id
    maja, hanne = member_id(demo, "Maja"), member_id(demo, "Hanne Holm")
    post(leader, f"/meetings/{mid}/phase", {"phase": "opening"})
    for m in (maja, hanne):
        post(leader, f"/meetings/{mid}/attendance", {"member_id": m, "status": "present"})
    bad = post(leader, f"/meetings/{mid}/unannounced", {"name": "", "relation": "nabo fra 3. sal"})
    assert bad.status_code == 400 and "nabo fra 3. sal" in bad.get_data(as_text=True)
    post(leader, f"/meetings/{mid}/unannounced", {"name": "Bo", "relation": "nabo", "kind": "private"})
    post(leader, f"/meetings/{mid}/phase", {"phase": "dialogue"})
    page = visible(post(leader, f"/meetings/{mid}/voices", {"member_id": hanne, "spoken": "1"}).get_data(as_text=True))
    assert "Ikke hørt endnu: Maja, Bo" in page


def test_since_last_time_review_keeps_the_comment_and_carries_unfinished_agreements(demo, leader):
    mid = demo.upcoming_meeting_id
    post(leader, f"/meetings/{mid}/phase", {"phase": "since_last"})
    page = leader.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "Maja bestiller tid hos egen læge om søvnen." in page
    agreement = db.session.scalar(db.select(Agreement).where(Agreement.text.like("Hanne ringer%")))
    # No outcome chosen: the comment stays on screen with a message.
    missing = post(leader, f"/meetings/{mid}/reviews/{agreement.id}", {"comment": "Vi nåede det ikke helt"})
    assert missing.status_code == 400 and "Vi nåede det ikke helt" in missing.get_data(as_text=True)
    post(leader, f"/meetings/{mid}/reviews/{agreement.id}", {"outcome": "partly", "comment": "Vi nåede det ikke helt"})
    assert db.session.get(Agreement, agreement.id).status == AgreementStatus.OPEN


def test_closing_names_the_agreement_without_a_responsible_person(demo, leader):
    mid = demo.upcoming_meeting_id
    post(leader, f"/meetings/{mid}/phase", {"phase": "closing"})
    empty = post(leader, f"/meetings/{mid}/agreements", {"text": ""})
    assert empty.status_code == 400 and "Skriv, hvad I aftalte." in empty.get_data(as_text=True)
    post(leader, f"/meetings/{mid}/agreements", {"text": "Nogen ringer til busselskabet."})
    refused = post(leader, f"/meetings/{mid}/close")
    assert refused.status_code == 400
    assert "Nogen ringer til busselskabet." in refused.get_data(as_text=True)
    assert db.session.get(Meeting, mid).closed_at is None
    agreement = db.session.scalar(db.select(Agreement).where(Agreement.origin_meeting_id == mid))
    post(leader, f"/agreements/{agreement.id}/responsible", {"responsible_id": member_id(demo, "Maja")})
    assert post(leader, f"/meetings/{mid}/close").status_code == 200
    assert db.session.get(Meeting, mid).closed_at is not None


def test_a_closed_meeting_refuses_notes_until_a_tovholder_reopens_it(demo, leader, client_as):
    mid = demo.upcoming_meeting_id
    post(leader, f"/meetings/{mid}/close")
    closed = save(leader, mid)
    assert closed.status_code == 409 and closed.json["outcome"] == "closed"
    assert post(leader, f"/meetings/{mid}/reopen", {"reason": "Glemte en aftale"}).status_code == 403
    tove = client_as("tove")
    no_reason = post(tove, f"/meetings/{mid}/reopen", {"reason": ""})
    assert no_reason.status_code == 400
    assert post(tove, f"/meetings/{mid}/reopen", {"reason": "Glemte en aftale"}).status_code == 200
    assert save(leader, mid).status_code == 200


def test_the_next_meeting_is_planned_at_the_close(demo, leader):
    mid = demo.upcoming_meeting_id
    maja = member_id(demo, "Maja")
    page = post(leader, f"/meetings/{mid}/next", {"day": "2027-01-14", "time": "10:00", "invitees": [maja]}).get_data(as_text=True)
    assert "14. januar 2027" in page and "10.00" in page
    nxt = db.session.scalar(db.select(Meeting).where(Meeting.course_id == demo.course_id).order_by(Meeting.planned_at.desc()))
    # 10:00 in Copenhagen in winter is 09:00 UTC.
    assert nxt.planned_at.hour == 9 and [a.member_id for a in nxt.attendance] == [maja]


def test_a_locked_database_answers_not_saved_yet_never_a_500(demo, reflectant, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from meetings.screen import notes as notes_module

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO note", {}, Exception("database is locked"))

    monkeypatch.setattr(notes_module, "save_note", locked)
    response = save(reflectant, demo.upcoming_meeting_id)
    assert response.status_code == 503
    assert response.json["outcome"] == "unavailable" and "prøver igen" in response.json["message"]
    assert response.headers["Retry-After"] == "2"
    monkeypatch.undo()
    assert save(reflectant, demo.upcoming_meeting_id).status_code == 200


def test_a_save_numbered_by_the_device_clock_is_accepted(demo, reflectant):
    """Devices number their saves by Date.now() in milliseconds: far past 32 bits."""
    mid = demo.upcoming_meeting_id
    assert save(reflectant, mid, seq=1_763_800_000_000).status_code == 200
    newer = save(reflectant, mid, seq=1_763_800_000_001, text="Jeg vil gerne sove om natten.")
    assert newer.json["outcome"] == "saved"
    assert save(reflectant, mid, seq=2**63, text="x").status_code == 400


def test_the_citizens_topics_go_along_when_the_leader_moves_on(demo, leader):
    mid = demo.upcoming_meeting_id
    post(leader, f"/meetings/{mid}/phase", {"phase": "opening"})
    moved = post(leader, f"/meetings/{mid}/phase", {"phase": "since_last", "citizen_topics": "Søvnen, og praktikken."})
    assert moved.status_code == 200
    db.session.expire_all()
    meeting = db.session.get(Meeting, mid)
    assert (meeting.phase.value, meeting.citizen_topics) == ("since_last", "Søvnen, og praktikken.")

    post(leader, f"/meetings/{mid}/phase", {"phase": "opening"})
    too_long = "ord " * 1300
    refused = post(leader, f"/meetings/{mid}/phase", {"phase": "since_last", "citizen_topics": too_long})
    assert refused.status_code == 400 and too_long.strip() in refused.get_data(as_text=True)
    db.session.expire_all()
    meeting = db.session.get(Meeting, mid)
    assert (meeting.phase.value, meeting.citizen_topics) == ("opening", "Søvnen, og praktikken.")


def test_an_agreement_written_by_mistake_leaves_its_row_and_a_followed_up_one_stays(demo, leader):
    from meetings.models import FollowUp

    mid = demo.upcoming_meeting_id
    post(leader, f"/meetings/{mid}/phase", {"phase": "closing"})
    for text in ("Skrevet ved en fejl.", "Ali ringer til kommunen."):
        post(leader, f"/meetings/{mid}/agreements", {"text": text, "responsible_id": member_id(demo, "Ali Hassan")})
    mistake, kept = (
        db.session.scalar(db.select(Agreement).where(Agreement.origin_meeting_id == mid, Agreement.text == text))
        for text in ("Skrevet ved en fejl.", "Ali ringer til kommunen.")
    )
    db.session.add(FollowUp(agreement_id=kept.id, text="Ringede; venter på svar."))
    db.session.commit()
    kept_id, mistake_id = kept.id, mistake.id

    removed = post(leader, f"/agreements/{mistake_id}/remove")
    assert removed.status_code == 200 and removed.get_data(as_text=True).strip() == ""  # the row goes
    refused = post(leader, f"/agreements/{kept_id}/remove")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and f'id="agreement-{kept_id}"' in page and "så den bliver" in page
    db.session.expire_all()
    assert db.session.get(Agreement, mistake_id) is None and db.session.get(Agreement, kept_id) is not None
