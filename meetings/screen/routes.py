"""The meeting screen's views: the phases, the plan, the topics, who came and who was heard."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import db
from kernel.clock import utcnow
from kernel.web import is_partial_request
from meetings.blueprint import bp
from meetings.models import AttendanceStatus, MemberKind, Phase
from meetings.screen import attendance, phases
from meetings.screen.answers import closed_answer, fragment, meeting_or_404, page
from meetings.screen.forms import TopicsForm, UnannouncedForm
from roles.access import can, requires
from roles.permissions import Action


@bp.route("/meetings/<int:meeting_id>")
@requires(Action.VIEW_COURSE)
def meeting(meeting_id: int):
    """Show the meeting screen: the leader's phases and the reflectant's notes."""
    meeting_or_404(meeting_id)
    return page(meeting_id)


@bp.route("/meetings/<int:meeting_id>/leader")
@requires(Action.VIEW_COURSE, polled=True)
def leader_panel(meeting_id: int):
    """Return the leader's panel, or for a reflectant the phase it is in (their screen follows along)."""
    meeting_or_404(meeting_id)
    return fragment(meeting_id, "screen/_leader.html" if can(Action.RUN_MEETING) else "screen/_phase_status.html")


@bp.route("/meetings/<int:meeting_id>/phase", methods=["POST"])
@requires(Action.RUN_MEETING)
def change_phase(meeting_id: int):
    """Start the meeting or move to another phase, forward or back."""
    meeting = meeting_or_404(meeting_id)
    try:
        phase = Phase(request.form.get("phase", ""))
    except ValueError:
        abort(400)
    # Leaving the opening, the topics box comes along (see _leader.html): saved here, or
    # refused with its message and the text still in the box.
    topics = TopicsForm() if "citizen_topics" in request.form else None
    if topics is not None and not topics.validate():
        return fragment(meeting_id, "screen/_leader.html", 400, topics_form=topics)
    try:
        phases.move_to_phase(meeting, phase, utcnow())
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    if topics is not None:
        meeting.citizen_topics = topics.citizen_topics.data or ""
    db.session.commit()
    return fragment(meeting_id, "screen/_leader.html")


@bp.route("/meetings/<int:meeting_id>/plan", methods=["POST"])
@requires(Action.RUN_MEETING)
def set_plan(meeting_id: int):
    """Set the planned length of the meeting and of the phase it is in."""
    meeting = meeting_or_404(meeting_id)
    typed = {"minutes": request.form.get("minutes", ""), "phase_minutes": request.form.get("phase_minutes", "")}
    problems = {
        "total": _("Write a number of minutes between 15 and 300."),
        "phase": _("Write the minutes for this phase: a whole number, at most the length of the meeting."),
    }
    try:
        total = int(typed["minutes"])
    except ValueError:
        return fragment(meeting_id, "screen/_leader.html", 400, problem=problems["total"], typed_plan=typed)
    try:
        phase_minutes = int(typed["phase_minutes"]) if typed["phase_minutes"].strip() else None
    except ValueError:
        return fragment(meeting_id, "screen/_leader.html", 400, problem=problems["phase"], typed_plan=typed)
    try:
        phases.set_planned_minutes(meeting, total, phase_minutes)
    except phases.InvalidPlan as refused:
        return fragment(meeting_id, "screen/_leader.html", 400, problem=refused.message, typed_plan=typed)
    db.session.commit()
    return fragment(meeting_id, "screen/_leader.html")


@bp.route("/meetings/<int:meeting_id>/topics", methods=["POST"])
@requires(Action.RUN_MEETING)
def save_topics(meeting_id: int):
    """Save what the citizen wants to talk about today (autosaved while typing)."""
    meeting = meeting_or_404(meeting_id)
    form = TopicsForm()
    if not form.validate_on_submit():
        if is_partial_request():
            # The autosave answers next to the box, never into it: the person may still be typing there.
            problems = [e for errors in form.errors.values() for e in errors]
            return render_template("screen/_saved.html", problems=problems), 400
        return fragment(meeting_id, "screen/_topics.html", 400, topics_form=form)
    if meeting.closed_at is not None:
        return closed_answer(meeting_id)
    meeting.citizen_topics = form.citizen_topics.data or ""
    db.session.commit()
    if is_partial_request():
        return render_template("screen/_saved.html")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@requires(Action.RUN_MEETING)
def set_attendance(meeting_id: int):
    """Record that a network member came, sent word or stayed away."""
    meeting = meeting_or_404(meeting_id)
    try:
        status = AttendanceStatus(request.form.get("status", ""))
        member_id = int(request.form.get("member_id", ""))
        attendance.set_status(meeting, member_id, status)
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    except ValueError:
        abort(400)
    db.session.commit()
    return fragment(meeting_id, "screen/_roster_marked.html", member_id=member_id)


@bp.route("/meetings/<int:meeting_id>/unannounced", methods=["POST"])
@requires(Action.RUN_MEETING)
def add_unannounced(meeting_id: int):
    """Add someone who turned up without an invitation."""
    meeting = meeting_or_404(meeting_id)
    form = UnannouncedForm()
    if not form.validate_on_submit():
        return fragment(meeting_id, "screen/_attendance.html", 400, unannounced_form=form)
    try:
        attendance.add_unannounced(meeting, form.name.data, form.relation.data or "", MemberKind(form.kind.data))
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    db.session.commit()
    return fragment(meeting_id, "screen/_attendance.html")


@bp.route("/meetings/<int:meeting_id>/voices", methods=["POST"])
@requires(Action.RUN_MEETING)
def mark_voice(meeting_id: int):
    """Tick or untick that a person has been heard in this phase."""
    meeting = meeting_or_404(meeting_id)
    try:
        member_id = int(request.form.get("member_id", ""))
        attendance.mark_spoken(meeting, member_id, meeting.phase, request.form.get("spoken") == "1")
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    except ValueError:
        abort(400)
    db.session.commit()
    return fragment(meeting_id, "screen/_voice_marked.html", member_id=member_id)
