"""The meeting screen: phases, attendance, voices, notes, review, agreements, closing.

Every action answers an htmx request with the fragment it changed, and anything else with a
redirect to the meeting page, so a full reload always shows the same state.
"""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import get_timezone
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from extensions import db
from meetings import agreements, attendance, notes, phases, services
from meetings.blueprint import bp
from meetings.clock import local_to_utc, utcnow
from meetings.forms import AgreementForm, NextMeetingForm, ReopenForm, TopicsForm, UnannouncedForm
from meetings.models import Agreement, AttendanceStatus, Meeting, MemberKind, Note, NoteKind, Phase, ReviewOutcome
from meetings.rendering import is_partial_request, page_or_partial
from roles import audit
from roles.access import can, requires
from roles.input_guard import too_long_message
from roles.permissions import Action
from web.json_body import json_endpoint, json_object, optional_id, text_field, whole_number


@bp.context_processor
def _note_kinds() -> dict:
    return {"note_kinds": list(NoteKind), "note_max": notes.MAX_NOTE_LENGTH}


def _screen(meeting_id: int):
    return services.meeting_screen(meeting_id, utcnow())


def _fragment(meeting_id: int, partial: str, status: int = 200, **extra):
    """Answer htmx with one fragment of the meeting screen, anyone else with the page."""
    if not is_partial_request():
        if status >= 400:
            return _page(meeting_id, status, **extra)
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))
    return page_or_partial("meetings/meeting.html", partial, status, s=_screen(meeting_id), **_forms(meeting_id, extra))


def _forms(meeting_id: int, given: dict) -> dict:
    """Blank forms for the screen, except those given (with what the person typed and its errors)."""
    screen_forms = {
        "agreement_form": AgreementForm,
        "unannounced_form": UnannouncedForm,
        "next_form": NextMeetingForm,
        "reopen_form": ReopenForm,
        "topics_form": TopicsForm,
    }
    forms = {name: given.get(name) or cls(formdata=None) for name, cls in screen_forms.items()}
    if "topics_form" not in given:
        forms["topics_form"] = TopicsForm(formdata=None, citizen_topics=db.session.get(Meeting, meeting_id).citizen_topics)
    return {**given, **forms}


def _page(meeting_id: int, status: int = 200, **extra):
    return render_template("meetings/meeting.html", s=_screen(meeting_id), **_forms(meeting_id, extra)), status


def _meeting(meeting_id: int) -> Meeting:
    return db.get_or_404(Meeting, meeting_id)


def _closed_answer(meeting_id: int):
    """The meeting was closed meanwhile: say so (nothing typed is thrown away on the device)."""
    message = _("This meeting is closed. A tovholder can reopen it.")
    if is_partial_request():
        return render_template("meetings/_closed_notice.html", message=message), 409
    flash(message, "error")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>")
@requires(Action.VIEW_COURSE)
def meeting(meeting_id: int):
    """Show the meeting screen: the leader's phases and the reflectant's notes."""
    _meeting(meeting_id)
    return _page(meeting_id)


@bp.route("/meetings/<int:meeting_id>/leader")
@requires(Action.VIEW_COURSE, polled=True)
def leader_panel(meeting_id: int):
    """Return the leader's panel, or for a reflectant the phase it is in (their screen follows along)."""
    _meeting(meeting_id)
    return _fragment(meeting_id, "meetings/_leader.html" if can(Action.RUN_MEETING) else "meetings/_phase_status.html")


@bp.route("/meetings/<int:meeting_id>/phase", methods=["POST"])
@requires(Action.RUN_MEETING)
def change_phase(meeting_id: int):
    """Start the meeting or move to another phase, forward or back."""
    meeting = _meeting(meeting_id)
    try:
        phase = Phase(request.form.get("phase", ""))
    except ValueError:
        abort(400)
    # Leaving the opening, the topics box comes along (see _leader.html): saved here, or
    # refused with its message and the text still in the box.
    topics = TopicsForm() if "citizen_topics" in request.form else None
    if topics is not None and not topics.validate():
        return _fragment(meeting_id, "meetings/_leader.html", 400, topics_form=topics)
    try:
        phases.move_to_phase(meeting, phase, utcnow())
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    if topics is not None:
        meeting.citizen_topics = topics.citizen_topics.data or ""
    db.session.commit()
    return _fragment(meeting_id, "meetings/_leader.html")


@bp.route("/meetings/<int:meeting_id>/plan", methods=["POST"])
@requires(Action.RUN_MEETING)
def set_plan(meeting_id: int):
    """Set the planned length of the meeting and of the phase it is in."""
    meeting = _meeting(meeting_id)
    typed = {"minutes": request.form.get("minutes", ""), "phase_minutes": request.form.get("phase_minutes", "")}
    problems = {
        "total": _("Write a number of minutes between 15 and 300."),
        "phase": _("Write the minutes for this phase: a whole number, at most the length of the meeting."),
    }
    try:
        total = int(typed["minutes"])
    except ValueError:
        return _fragment(meeting_id, "meetings/_leader.html", 400, problem=problems["total"], typed_plan=typed)
    try:
        phase_minutes = int(typed["phase_minutes"]) if typed["phase_minutes"].strip() else None
    except ValueError:
        return _fragment(meeting_id, "meetings/_leader.html", 400, problem=problems["phase"], typed_plan=typed)
    try:
        phases.set_planned_minutes(meeting, total, phase_minutes)
    except phases.InvalidPlan as refused:
        return _fragment(meeting_id, "meetings/_leader.html", 400, problem=problems[str(refused)], typed_plan=typed)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_leader.html")


@bp.route("/meetings/<int:meeting_id>/topics", methods=["POST"])
@requires(Action.RUN_MEETING)
def save_topics(meeting_id: int):
    """Save what the citizen wants to talk about today (autosaved while typing)."""
    meeting = _meeting(meeting_id)
    form = TopicsForm()
    if not form.validate_on_submit():
        if is_partial_request():
            # The autosave answers next to the box, never into it: the person may still be typing there.
            problems = [e for errors in form.errors.values() for e in errors]
            return render_template("meetings/_saved.html", problems=problems), 400
        return _fragment(meeting_id, "meetings/_topics.html", 400, topics_form=form)
    if meeting.closed_at is not None:
        return _closed_answer(meeting_id)
    meeting.citizen_topics = form.citizen_topics.data or ""
    db.session.commit()
    if is_partial_request():
        return render_template("meetings/_saved.html")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@requires(Action.RUN_MEETING)
def set_attendance(meeting_id: int):
    """Record that a network member came, sent word or stayed away."""
    meeting = _meeting(meeting_id)
    try:
        status = AttendanceStatus(request.form.get("status", ""))
        member_id = int(request.form.get("member_id", ""))
        attendance.set_status(meeting, member_id, status)
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    except ValueError:
        abort(400)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_roster_marked.html", member_id=member_id)


@bp.route("/meetings/<int:meeting_id>/unannounced", methods=["POST"])
@requires(Action.RUN_MEETING)
def add_unannounced(meeting_id: int):
    """Add someone who turned up without an invitation."""
    meeting = _meeting(meeting_id)
    form = UnannouncedForm()
    if not form.validate_on_submit():
        return _fragment(meeting_id, "meetings/_attendance.html", 400, unannounced_form=form)
    try:
        attendance.add_unannounced(meeting, form.name.data, form.relation.data or "", MemberKind(form.kind.data))
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_attendance.html")


@bp.route("/meetings/<int:meeting_id>/voices", methods=["POST"])
@requires(Action.RUN_MEETING)
def mark_voice(meeting_id: int):
    """Tick or untick that a person has been heard in this phase."""
    meeting = _meeting(meeting_id)
    try:
        member_id = int(request.form.get("member_id", ""))
        attendance.mark_spoken(meeting, member_id, meeting.phase, request.form.get("spoken") == "1")
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    except ValueError:
        abort(400)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_voice_marked.html", member_id=member_id)


@bp.route("/meetings/<int:meeting_id>/reviews/<int:agreement_id>", methods=["POST"])
@requires(Action.REVIEW_AGREEMENTS)
def review(meeting_id: int, agreement_id: int):
    """Record how an earlier agreement went: done, partly, not done or dropped, with a comment."""
    meeting = _meeting(meeting_id)
    agreement = db.get_or_404(Agreement, agreement_id)
    try:
        outcome = ReviewOutcome(request.form.get("outcome", ""))
    except ValueError:
        return _fragment(
            meeting_id,
            "meetings/_review_answered.html",
            400,
            agreement_id=agreement_id,
            problems={agreement_id: _("Choose how it went.")},
            kept_comments={agreement_id: request.form.get("comment", "")},
        )
    try:
        agreements.review_agreement(agreement, meeting, outcome, request.form.get("comment", ""), current_user.id)
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    except agreements.InvalidAgreement:
        abort(404)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_review_answered.html", agreement_id=agreement_id)


@bp.route("/meetings/<int:meeting_id>/agreements", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def add_agreement(meeting_id: int):
    """Write down an agreement: what, who is responsible, and by when."""
    meeting = _meeting(meeting_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _fragment(meeting_id, "meetings/_agreements.html", 400, agreement_form=form)
    try:
        agreements.record_agreement(
            meeting, form.text.data, _int_or_none(form.responsible_id.data), form.due_on.data, _int_or_none(form.goal_id.data)
        )
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    except agreements.InvalidAgreement:
        form.responsible_id.errors = [_("Choose someone from the citizen's network.")]
        return _fragment(meeting_id, "meetings/_agreements.html", 400, agreement_form=form)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_agreements.html")


@bp.route("/agreements/<int:agreement_id>/responsible", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def set_responsible(agreement_id: int):
    """Name (or change) who is responsible for an agreement of an open meeting."""
    agreement = db.get_or_404(Agreement, agreement_id)
    try:
        agreements.update_agreement(
            agreement, agreement.text, _int_or_none(request.form.get("responsible_id")), agreement.due_on, agreement.goal_id
        )
    except phases.MeetingClosed:
        return _closed_answer(agreement.origin_meeting_id)
    except agreements.InvalidAgreement:
        abort(400)
    db.session.commit()
    return _fragment(agreement.origin_meeting_id, "meetings/_agreement_set.html", agreement_id=agreement.id)


@bp.route("/agreements/<int:agreement_id>/remove", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def remove_agreement(agreement_id: int):
    """Remove an agreement written by mistake (only while its meeting is open)."""
    agreement = db.get_or_404(Agreement, agreement_id)
    meeting_id = agreement.origin_meeting_id
    try:
        agreements.remove_agreement(agreement)
    except phases.MeetingClosed:
        return _closed_answer(meeting_id)
    except agreements.InvalidAgreement:
        problem = _("This agreement has been reviewed or followed up, so it stays. Review it as dropped instead.")
        return _fragment(meeting_id, "meetings/_agreement_set.html", 400, agreement_id=agreement_id, problems={agreement_id: problem})
    db.session.commit()
    # The row answers for itself, now with nothing in it: it leaves the table.
    return _fragment(meeting_id, "meetings/_agreement_set.html", agreement_id=agreement_id)


@bp.route("/meetings/<int:meeting_id>/next", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def plan_next(meeting_id: int):
    """Plan the next meeting: when, and whom the citizen wants to invite."""
    meeting = _meeting(meeting_id)
    form = NextMeetingForm()
    if not form.validate_on_submit():
        return _fragment(meeting_id, "meetings/_next_meeting.html", 400, next_form=form)
    planned_utc = local_to_utc(datetime.combine(form.day.data, form.time.data or time(10, 0)), str(get_timezone()))
    try:
        agreements.plan_next_meeting(meeting, planned_utc, form.invitees.data or [], form.location.data or "")
    except agreements.InvalidAgreement:
        abort(400)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_next_meeting.html")


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@requires(Action.RUN_MEETING)
def close(meeting_id: int):
    """Close the meeting; refused while an agreement has nobody responsible."""
    meeting = _meeting(meeting_id)
    try:
        agreements.close_meeting(meeting, utcnow())
    except agreements.ClosingBlocked as blocked:
        return _fragment(meeting_id, "meetings/_leader.html", 400, unowned=blocked.unowned)
    db.session.commit()
    return _fragment(meeting_id, "meetings/_leader.html")


@bp.route("/meetings/<int:meeting_id>/reopen", methods=["POST"])
@requires(Action.REOPEN_MEETING)
def reopen(meeting_id: int):
    """Reopen a closed meeting, with a reason that goes in the audit log."""
    meeting = _meeting(meeting_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return _fragment(meeting_id, "meetings/_leader.html", 400, reopen_form=form)
    agreements.reopen_meeting(meeting)
    db.session.commit()
    audit.record_in_course(
        "meeting.reopened", meeting.course, purpose="meeting", object_type="meeting", object_id=meeting.id, detail=form.reason.data
    )
    return _fragment(meeting_id, "meetings/_leader.html")


# --- notes ----------------------------------------------------------------------


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _note_json(note: Note, outcome: str, status: int = 200):
    html = render_template("meetings/_note.html", n=note, can_edit=True)
    body = {"outcome": outcome, "id": note.id, "uid": note.client_uid, "version": note.version, "text": note.text, "html": html}
    return jsonify(body), status


@bp.route("/meetings/<int:meeting_id>/notes/current")
@requires(Action.VIEW_COURSE, polled=True)
def current_notes(meeting_id: int):
    """The notes list, for the other devices in the meeting to follow; 304 while nothing changed."""
    _meeting(meeting_id)
    stamp = notes.notes_stamp(meeting_id)
    if stamp in request.if_none_match:
        response = make_response("", 304)
    else:
        response = make_response(_fragment(meeting_id, "meetings/_notes.html"))
    response.set_etag(stamp)
    return response


@bp.route("/meetings/<int:meeting_id>/notes", methods=["POST"])
@requires(Action.WRITE_NOTES)
@json_endpoint
def save_note(meeting_id: int):
    """Save a note from a device (JSON)."""
    meeting = _meeting(meeting_id)
    # A wrong type (a list for the body, null for the text) is refused with a message, never converted.
    data = json_object() if request.is_json else request.form
    if not data:
        abort(400)
    try:
        draft = notes.NoteDraft(
            client_uid=text_field(data, "uid"),
            text=text_field(data, "text"),
            speaker_id=optional_id(data, "speaker_id"),
            kind=NoteKind(text_field(data, "kind") or NoteKind.OWN_WORDS.value),
            device=text_field(data, "device"),
            seq=whole_number(data, "seq"),
            base_version=whole_number(data, "base_version"),
        )
    except ValueError:
        return jsonify({"outcome": "invalid", "message": _("The note could not be read. It is kept on this device.")}), 400
    try:
        result = notes.save_note(meeting, draft, current_user.id, utcnow())
        db.session.commit()
    except IntegrityError:
        # Two saves of a new note crossed: the other made it; this one now updates it.
        db.session.rollback()
        result = notes.save_note(_meeting(meeting_id), draft, current_user.id, utcnow())
        db.session.commit()
    except phases.MeetingClosed:
        return jsonify({"outcome": "closed", "message": _("This meeting is closed. A tovholder can reopen it.")}), 409
    except notes.InvalidNote as problem:
        messages = {
            "too_long": too_long_message(len(draft.text) - notes.MAX_NOTE_LENGTH, notes.MAX_NOTE_LENGTH),
            "speaker": _("Choose a speaker from the citizen's network."),
            "nul": _("The note contains an invisible control character (NUL) that cannot be saved. Remove it and save again."),
        }
        message = messages.get(str(problem), _("The note could not be saved. It is kept on this device."))
        return jsonify({"outcome": "invalid", "message": message}), 400
    if not request.is_json:
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))
    if result.outcome == notes.SaveOutcome.CONFLICT:
        return _note_json(result.note, "conflict", 409)
    return _note_json(result.note, result.outcome.value)


def _note_fragment(note: Note, deleted: bool = False):
    if not is_partial_request():
        return redirect(url_for("meetings.meeting", meeting_id=note.meeting_id))
    return page_or_partial("meetings/meeting.html", "meetings/_note.html", n=note, deleted=deleted, can_edit=True)


@bp.route("/notes/<int:note_id>/summary", methods=["POST"])
@requires(Action.WRITE_NOTES)
def note_summary(note_id: int):
    """Mark a note as for the summary or not."""
    note = db.get_or_404(Note, note_id)
    try:
        notes.set_in_summary(note, request.form.get("include") == "1")
    except phases.MeetingClosed:
        return _closed_answer(note.meeting_id)
    db.session.commit()
    return _note_fragment(note)


@bp.route("/notes/<int:note_id>/delete", methods=["POST"])
@requires(Action.WRITE_NOTES)
def delete_note(note_id: int):
    """Delete a note; the answer offers to undo."""
    note = db.get_or_404(Note, note_id)
    try:
        notes.delete_note(note, utcnow())
    except phases.MeetingClosed:
        return _closed_answer(note.meeting_id)
    db.session.commit()
    return _note_fragment(note, deleted=True)


@bp.route("/notes/<int:note_id>/restore", methods=["POST"])
@requires(Action.WRITE_NOTES)
def restore_note(note_id: int):
    """Undo deleting a note."""
    note = db.get_or_404(Note, note_id)
    try:
        notes.restore_note(note)
    except phases.MeetingClosed:
        return _closed_answer(note.meeting_id)
    db.session.commit()
    return _note_fragment(note)


@bp.route("/notes/<int:note_id>")
@requires(Action.VIEW_COURSE)
def show_note(note_id: int):
    """Return one note as shown in the list (e.g. after cancelling an edit)."""
    note = db.get_or_404(Note, note_id)
    return _note_fragment(note)


@bp.route("/notes/<int:note_id>/edit")
@requires(Action.WRITE_NOTES)
def edit_note(note_id: int):
    """Return the form to edit or re-attribute a note (saved through the device's outbox)."""
    note = db.get_or_404(Note, note_id)
    s = _screen(note.meeting_id)
    return page_or_partial("meetings/meeting.html", "meetings/_note_edit.html", n=note, s=s, **_forms(note.meeting_id, {}))
