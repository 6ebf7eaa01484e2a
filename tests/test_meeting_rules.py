"""The meeting's business rules as plain functions: phases, notes, agreements, review, closing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from kernel.clock import utcnow
from meetings.course.network import citizen_member
from meetings.models import (
    Agreement,
    AgreementStatus,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MemberKind,
    NoteKind,
    Phase,
    ReviewOutcome,
)
from meetings.screen import agreements, attendance, notes, phases
from tests.conftest import member_named


@pytest.fixture
def upcoming(demo) -> Meeting:
    return db.session.get(Meeting, demo.upcoming_meeting_id)


def draft(uid="n1", text="Jeg vil gerne sove.", device="tablet-a", seq=1, base=0, speaker=None, kind=NoteKind.OWN_WORDS):
    return notes.NoteDraft(client_uid=uid, text=text, speaker_id=speaker, kind=kind, device=device, seq=seq, base_version=base)


# --- phases ------------------------------------------------------------------


def test_the_phases_run_in_order_and_an_acute_meeting_skips_since_last_time(upcoming):
    assert phases.phases_for(upcoming) == list(Phase)
    upcoming.kind = MeetingKind.ACUTE
    assert Phase.SINCE_LAST not in phases.phases_for(upcoming)
    upcoming.phase = Phase.OPENING
    assert phases.neighbours(upcoming) == (None, Phase.DIALOGUE)


def test_the_leader_can_move_back_as_well_as_forward(upcoming):
    now = utcnow()
    phases.move_to_phase(upcoming, Phase.DIALOGUE, now)
    assert upcoming.opened_at == now and upcoming.phase == Phase.DIALOGUE
    phases.move_to_phase(upcoming, Phase.OPENING, now + timedelta(minutes=5))
    assert upcoming.phase == Phase.OPENING
    assert phases.neighbours(upcoming) == (None, Phase.SINCE_LAST)


def test_the_clock_counts_the_meeting_and_the_phase_against_the_plan(upcoming):
    start = utcnow()
    phases.start_meeting(upcoming, start)
    phases.move_to_phase(upcoming, Phase.DIALOGUE, start + timedelta(minutes=20))
    c = phases.clock(upcoming, start + timedelta(minutes=61))
    assert (c.elapsed, c.planned, c.in_phase, c.phase_planned) == (61, 90, 41, 36)
    assert c.phase_over_time and not c.over_time


def test_the_leader_plans_a_phase_and_the_others_keep_their_share(upcoming):
    start = utcnow()
    phases.move_to_phase(upcoming, Phase.DIALOGUE, start)
    assert phases.planned_for_phase(upcoming, Phase.DIALOGUE) == 36  # 40 % of 90
    # The form sends the phase's minutes as shown; unchanged, it keeps following the share.
    phases.set_planned_minutes(upcoming, 120, 36)
    assert upcoming.phase_minutes is None and phases.planned_for_phase(upcoming, Phase.DIALOGUE) == 48
    phases.set_planned_minutes(upcoming, 120, 60)
    assert phases.clock(upcoming, start + timedelta(minutes=50)).phase_planned == 60
    assert not phases.clock(upcoming, start + timedelta(minutes=50)).phase_over_time
    assert phases.planned_for_phase(upcoming, Phase.REFLECTION) == 18  # 15 % of 120
    phases.move_to_phase(upcoming, Phase.REFLECTION, start + timedelta(minutes=60))
    phases.set_planned_minutes(upcoming, 120, 25)
    assert upcoming.phase_minutes == {"dialogue": 60, "reflection": 25}
    # An empty box: back to the usual share, the other phase's plan kept.
    phases.set_planned_minutes(upcoming, 120, None)
    assert upcoming.phase_minutes == {"dialogue": 60} and phases.clock(upcoming, start + timedelta(minutes=61)).phase_planned == 18
    phases.set_planned_minutes(upcoming, 120, 25)
    for total, phase_minutes, field in ((10, None, "total"), (301, None, "total"), (120, 0, "phase"), (60, 61, "phase")):
        with pytest.raises(phases.InvalidPlan, match=field):
            phases.set_planned_minutes(upcoming, total, phase_minutes)
    assert upcoming.planned_minutes == 120 and upcoming.phase_minutes == {"dialogue": 60, "reflection": 25}


# --- notes ------------------------------------------------------------------


def test_a_retried_save_never_creates_a_second_note(upcoming):
    first = notes.save_note(upcoming, draft(), None, utcnow())
    again = notes.save_note(upcoming, draft(), None, utcnow())
    assert first.outcome == notes.SaveOutcome.CREATED
    assert again.outcome == notes.SaveOutcome.STALE and again.note.id == first.note.id
    assert len(notes.meeting_notes(upcoming.id)) == 1


def test_a_late_save_never_overwrites_a_newer_one(upcoming):
    notes.save_note(upcoming, draft(text="Jeg", seq=1), None, utcnow())
    notes.save_note(upcoming, draft(text="Jeg vil gerne sove om natten.", seq=3), None, utcnow())
    late = notes.save_note(upcoming, draft(text="Jeg vil", seq=2), None, utcnow())
    assert late.outcome == notes.SaveOutcome.STALE
    assert late.note.text == "Jeg vil gerne sove om natten."


def test_two_devices_editing_the_same_note_get_a_conflict_not_an_overwrite(upcoming):
    created = notes.save_note(upcoming, draft(text="Hun sagde ja."), None, utcnow()).note
    assert created.version == 1
    mine = notes.save_note(upcoming, draft(text="Hun sagde ja, men tøvede.", device="tablet-b", seq=1, base=1), None, utcnow())
    assert mine.outcome == notes.SaveOutcome.SAVED and mine.note.version == 2
    theirs = notes.save_note(upcoming, draft(text="Hun sagde nej.", device="tablet-a", seq=2, base=1), None, utcnow())
    assert theirs.outcome == notes.SaveOutcome.CONFLICT
    assert theirs.note.text == "Hun sagde ja, men tøvede."
    # Keeping their own text after seeing both: they save on top of the version they saw.
    resolved = notes.save_note(upcoming, draft(text="Hun sagde nej.", device="tablet-a", seq=3, base=2), None, utcnow())
    assert resolved.outcome == notes.SaveOutcome.SAVED and resolved.note.text == "Hun sagde nej."


def test_notes_are_stamped_with_the_phase_and_attributed(upcoming):
    maja = citizen_member(upcoming.course_id)
    phases.move_to_phase(upcoming, Phase.DIALOGUE, utcnow())
    note = notes.save_note(upcoming, draft(speaker=maja.id), None, utcnow()).note
    assert note.phase == Phase.DIALOGUE and note.speaker.name == "Maja"


def test_a_speaker_from_another_course_is_refused(demo, upcoming):
    stranger = member_named(demo.other_course_id, "Yasmin Saleh")
    with pytest.raises(notes.InvalidNote):
        notes.save_note(upcoming, draft(speaker=stranger.id), None, utcnow())


def test_a_deleted_note_can_be_restored(upcoming):
    note = notes.save_note(upcoming, draft(), None, utcnow()).note
    notes.delete_note(note, utcnow())
    assert notes.meeting_notes(upcoming.id) == []
    notes.restore_note(note)
    assert notes.meeting_notes(upcoming.id) == [note]


def test_text_is_kept_exactly_as_written(upcoming):
    odd = "Æble ø å — “citat” 😊\u200b\t<script>alert(1)</script>\r\n\x0b slut"
    note = notes.save_note(upcoming, draft(text=odd), None, utcnow()).note
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(note), note.id).text == odd


# --- review and carrying over -------------------------------------------------


def test_since_last_time_lists_every_open_agreement_oldest_first(demo, upcoming):
    items = agreements.to_review(upcoming)
    texts = [i.agreement.text for i in items]
    assert texts == [
        "Maja bestiller tid hos egen læge om søvnen.",
        "Lene undersøger praktikpladsen på rideskolen og ringer til Maja.",
        "Hanne ringer til lægen sammen med Maja.",
    ]
    # The first was reviewed as not done at meeting 2: that earlier review is shown with it.
    assert items[0].earlier[0].outcome == ReviewOutcome.NOT_DONE


def test_an_unfinished_agreement_carries_on_until_done_or_dropped(demo, upcoming):
    items = agreements.to_review(upcoming)
    partly, done, dropped = (i.agreement for i in items)
    agreements.review_agreement(partly, upcoming, ReviewOutcome.PARTLY, "Halvvejs.", None)
    agreements.review_agreement(done, upcoming, ReviewOutcome.DONE, "", None)
    agreements.review_agreement(dropped, upcoming, ReviewOutcome.DROPPED, "Ikke relevant mere.", None)
    assert (partly.status, done.status, dropped.status) == (AgreementStatus.OPEN, AgreementStatus.DONE, AgreementStatus.DROPPED)
    # Still listed at this meeting, with their outcomes.
    assert [i.review.outcome for i in agreements.to_review(upcoming)] == [ReviewOutcome.PARTLY, ReviewOutcome.DONE, ReviewOutcome.DROPPED]
    # At the meeting after, only the unfinished one comes back.
    later = Meeting(course_id=upcoming.course_id, planned_at=upcoming.planned_at + timedelta(days=30))
    db.session.add(later)
    db.session.flush()
    assert [i.agreement for i in agreements.to_review(later)] == [partly]


def test_reviewing_twice_at_the_same_meeting_replaces_the_answer(upcoming):
    item = agreements.to_review(upcoming)[0]
    agreements.review_agreement(item.agreement, upcoming, ReviewOutcome.DONE, "", None)
    agreements.review_agreement(item.agreement, upcoming, ReviewOutcome.NOT_DONE, "Fejl, ikke gjort.", None)
    again = agreements.to_review(upcoming)[0]
    assert again.review.outcome == ReviewOutcome.NOT_DONE and again.agreement.status == AgreementStatus.OPEN


# --- closing ------------------------------------------------------------------


def test_closing_requires_a_responsible_person(upcoming):
    maja = citizen_member(upcoming.course_id)
    agreements.record_agreement(upcoming, "Maja ringer til rideskolen.", maja.id)
    loose = agreements.record_agreement(upcoming, "Nogen undersøger bussen.", None)
    with pytest.raises(agreements.ClosingBlocked) as blocked:
        agreements.close_meeting(upcoming, utcnow())
    assert blocked.value.unowned == [loose]
    assert upcoming.closed_at is None
    agreements.update_agreement(loose, loose.text, maja.id, None, None)
    agreements.close_meeting(upcoming, utcnow())
    assert upcoming.closed_at is not None


def test_a_closed_meeting_locks_its_notes(upcoming):
    note = notes.save_note(upcoming, draft(), None, utcnow()).note
    agreements.close_meeting(upcoming, utcnow())
    with pytest.raises(phases.MeetingClosed):
        notes.save_note(upcoming, draft(text="ændret", seq=2), None, utcnow())
    with pytest.raises(phases.MeetingClosed):
        notes.delete_note(note, utcnow())
    agreements.reopen_meeting(upcoming)
    assert notes.save_note(upcoming, draft(text="ændret", seq=2), None, utcnow()).outcome == notes.SaveOutcome.SAVED


def test_the_next_meeting_is_planned_with_whom_the_citizen_wants(demo, upcoming):
    mor = member_named(upcoming.course_id, "Hanne Holm")
    maja = citizen_member(upcoming.course_id)
    when = upcoming.planned_at + timedelta(days=42)
    nxt = agreements.plan_next_meeting(upcoming, when, [maja.id, mor.id])
    assert agreements.next_meeting(upcoming) == nxt and nxt.planned_at == when
    assert {a.member_id for a in nxt.attendance} == {maja.id, mor.id}
    # Changing one's mind moves the same meeting rather than planning a second.
    again = agreements.plan_next_meeting(upcoming, when + timedelta(days=1), [maja.id])
    assert again.id == nxt.id and {a.member_id for a in again.attendance} == {maja.id}


# --- attendance and voices ------------------------------------------------------


def test_the_citizen_comes_first_and_the_leader_sees_who_has_not_been_heard(upcoming):
    hanne = member_named(upcoming.course_id, "Hanne Holm")
    ali = member_named(upcoming.course_id, "Ali Hassan")
    maja = citizen_member(upcoming.course_id)
    for m in (ali, hanne, maja):
        attendance.set_status(upcoming, m.id, AttendanceStatus.PRESENT)
    attendance.mark_spoken(upcoming, hanne.id, Phase.DIALOGUE, True)
    voices = attendance.voices(upcoming, Phase.DIALOGUE)
    # Maja first, then Hanne (her proxy), then Ali.
    assert [v.member.name for v in voices] == ["Maja", "Hanne Holm", "Ali Hassan"]
    assert [v.spoken for v in voices] == [False, True, False]
    # Response has its own round.
    assert not any(v.spoken for v in attendance.voices(upcoming, Phase.RESPONSE))


def test_someone_who_turns_up_unannounced_joins_the_network(upcoming):
    row = attendance.add_unannounced(upcoming, "Bo Jensen", "nabo", MemberKind.PRIVATE)
    assert row.unannounced and row.status == AttendanceStatus.PRESENT
    assert row.member.course_id == upcoming.course_id and row.member.kind == MemberKind.PRIVATE


def test_an_agreement_with_a_responsible_from_another_course_is_refused(demo, upcoming):
    stranger = member_named(demo.other_course_id, "Yasmin Saleh")
    with pytest.raises(agreements.InvalidAgreement):
        agreements.record_agreement(upcoming, "x", stranger.id)
    assert db.session.scalar(db.select(db.func.count(Agreement.id)).where(Agreement.origin_meeting_id == upcoming.id)) == 0


def test_an_agreement_with_a_history_is_never_removed(demo):
    """Even in a reopened meeting, an agreement that was reviewed keeps its reviews."""
    first = db.session.get(Meeting, demo.meeting_ids[0])
    reviewed = agreements.made_at(first.id)[0]
    agreements.reopen_meeting(first)
    with pytest.raises(agreements.InvalidAgreement):
        agreements.remove_agreement(reviewed)
    assert db.session.get(Agreement, reviewed.id) is not None


def test_erasing_a_course_takes_every_child_row_with_it(demo):
    from meetings.models import Course, Note

    course = db.session.get(Course, demo.course_id)
    db.session.delete(course)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Note.id)).where(Note.meeting_id.in_(demo.meeting_ids))) == 0
