"""The reflectant's notes: saved from the device's outbox, followed by the other devices, edited, deleted and restored."""

from __future__ import annotations

from flask import abort, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from extensions import db
from kernel.clock import utcnow
from kernel.json_body import json_endpoint, json_object, optional_id, text_field, whole_number
from kernel.web import is_partial_request, page_or_partial
from meetings.blueprint import bp
from meetings.models import Note, NoteKind
from meetings.screen import notes, phases
from meetings.screen.answers import closed_answer, forms_for, fragment, meeting_or_404, screen_for
from roles.access import requires
from roles.permissions import Action


def _note_json(note: Note, outcome: str, status: int = 200):
    html = render_template("screen/_note.html", n=note, can_edit=True)
    body = {"outcome": outcome, "id": note.id, "uid": note.client_uid, "version": note.version, "text": note.text, "html": html}
    return jsonify(body), status


@bp.route("/meetings/<int:meeting_id>/notes/current")
@requires(Action.VIEW_COURSE, polled=True)
def current_notes(meeting_id: int):
    """The notes list, for the other devices in the meeting to follow; 304 while nothing changed."""
    meeting_or_404(meeting_id)
    stamp = notes.notes_stamp(meeting_id)
    if stamp in request.if_none_match:
        response = make_response("", 304)
    else:
        response = make_response(fragment(meeting_id, "screen/_notes.html"))
    response.set_etag(stamp)
    return response


@bp.route("/meetings/<int:meeting_id>/notes", methods=["POST"])
@requires(Action.WRITE_NOTES)
@json_endpoint
def save_note(meeting_id: int):
    """Save a note from a device (JSON)."""
    meeting = meeting_or_404(meeting_id)
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
        result = notes.save_note(meeting_or_404(meeting_id), draft, current_user.id, utcnow())
        db.session.commit()
    except phases.MeetingClosed:
        return jsonify({"outcome": "closed", "message": _("This meeting is closed. A tovholder can reopen it.")}), 409
    except notes.InvalidNote as problem:
        return jsonify({"outcome": "invalid", "message": str(problem.message)}), 400
    if not request.is_json:
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))
    if result.outcome == notes.SaveOutcome.CONFLICT:
        return _note_json(result.note, "conflict", 409)
    return _note_json(result.note, result.outcome.value)


def _note_fragment(note: Note, deleted: bool = False):
    if not is_partial_request():
        return redirect(url_for("meetings.meeting", meeting_id=note.meeting_id))
    return page_or_partial("screen/meeting.html", "screen/_note.html", n=note, deleted=deleted, can_edit=True)


@bp.route("/notes/<int:note_id>/summary", methods=["POST"])
@requires(Action.WRITE_NOTES)
def note_summary(note_id: int):
    """Mark a note as for the summary or not."""
    note = db.get_or_404(Note, note_id)
    try:
        notes.set_in_summary(note, request.form.get("include") == "1")
    except phases.MeetingClosed:
        return closed_answer(note.meeting_id)
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
        return closed_answer(note.meeting_id)
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
        return closed_answer(note.meeting_id)
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
    s = screen_for(note.meeting_id)
    return page_or_partial("screen/meeting.html", "screen/_note_edit.html", n=note, s=s, **forms_for(note.meeting_id, {}))
