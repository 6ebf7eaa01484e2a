"""The meeting screen's agreements: reviewing earlier ones, writing new ones, the next meeting, closing and reopening."""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from kernel.clock import to_utc, utcnow
from meetings.blueprint import bp
from meetings.models import Agreement, ReviewOutcome
from meetings.screen import agreements, phases
from meetings.screen.answers import closed_answer, fragment, int_or_none, meeting_or_404
from meetings.screen.forms import AgreementForm, NextMeetingForm, ReopenForm
from roles import audit
from roles.access import requires
from roles.permissions import Action


@bp.route("/meetings/<int:meeting_id>/reviews/<int:agreement_id>", methods=["POST"])
@requires(Action.REVIEW_AGREEMENTS)
def review(meeting_id: int, agreement_id: int):
    """Record how an earlier agreement went: done, partly, not done or dropped, with a comment."""
    meeting = meeting_or_404(meeting_id)
    agreement = db.get_or_404(Agreement, agreement_id)
    try:
        outcome = ReviewOutcome(request.form.get("outcome", ""))
    except ValueError:
        return fragment(
            meeting_id,
            "screen/_review_answered.html",
            400,
            agreement_id=agreement_id,
            problems={agreement_id: _("Choose how it went.")},
            kept_comments={agreement_id: request.form.get("comment", "")},
        )
    try:
        agreements.review_agreement(agreement, meeting, outcome, request.form.get("comment", ""), current_user.id)
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    except agreements.InvalidAgreement:
        abort(404)
    db.session.commit()
    return fragment(meeting_id, "screen/_review_answered.html", agreement_id=agreement_id)


@bp.route("/meetings/<int:meeting_id>/agreements", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def add_agreement(meeting_id: int):
    """Write down an agreement: what, who is responsible, and by when."""
    meeting = meeting_or_404(meeting_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return fragment(meeting_id, "screen/_agreements.html", 400, agreement_form=form)
    try:
        agreements.record_agreement(
            meeting, form.text.data, int_or_none(form.responsible_id.data), form.due_on.data, int_or_none(form.goal_id.data)
        )
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    except agreements.InvalidAgreement:
        form.responsible_id.errors = [_("Choose someone from the citizen's network.")]
        return fragment(meeting_id, "screen/_agreements.html", 400, agreement_form=form)
    db.session.commit()
    return fragment(meeting_id, "screen/_agreements.html")


@bp.route("/agreements/<int:agreement_id>/responsible", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def set_responsible(agreement_id: int):
    """Name (or change) who is responsible for an agreement of an open meeting."""
    agreement = db.get_or_404(Agreement, agreement_id)
    try:
        agreements.update_agreement(
            agreement, agreement.text, int_or_none(request.form.get("responsible_id")), agreement.due_on, agreement.goal_id
        )
    except phases.MeetingClosed:
        return closed_answer(agreement.origin_meeting_id)
    except agreements.InvalidAgreement:
        abort(400)
    db.session.commit()
    return fragment(agreement.origin_meeting_id, "screen/_agreement_set.html", agreement_id=agreement.id)


@bp.route("/agreements/<int:agreement_id>/remove", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def remove_agreement(agreement_id: int):
    """Remove an agreement written by mistake (only while its meeting is open)."""
    agreement = db.get_or_404(Agreement, agreement_id)
    meeting_id = agreement.origin_meeting_id
    try:
        agreements.remove_agreement(agreement)
    except phases.MeetingClosed:
        return closed_answer(meeting_id)
    except agreements.InvalidAgreement as refused:
        problem = refused.message
        return fragment(meeting_id, "screen/_agreement_set.html", 400, agreement_id=agreement_id, problems={agreement_id: problem})
    db.session.commit()
    # The row answers for itself, now with nothing in it: it leaves the table.
    return fragment(meeting_id, "screen/_agreement_set.html", agreement_id=agreement_id)


@bp.route("/meetings/<int:meeting_id>/next", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def plan_next(meeting_id: int):
    """Plan the next meeting: when, and whom the citizen wants to invite."""
    meeting = meeting_or_404(meeting_id)
    form = NextMeetingForm()
    if not form.validate_on_submit():
        return fragment(meeting_id, "screen/_next_meeting.html", 400, next_form=form)
    planned_utc = to_utc(datetime.combine(form.day.data, form.time.data or time(10, 0)))
    try:
        agreements.plan_next_meeting(meeting, planned_utc, form.invitees.data or [], form.location.data or "")
    except agreements.InvalidAgreement:
        abort(400)
    db.session.commit()
    return fragment(meeting_id, "screen/_next_meeting.html")


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@requires(Action.RUN_MEETING)
def close(meeting_id: int):
    """Close the meeting; refused while an agreement has nobody responsible."""
    meeting = meeting_or_404(meeting_id)
    try:
        agreements.close_meeting(meeting, utcnow())
    except agreements.ClosingBlocked as blocked:
        return fragment(meeting_id, "screen/_leader.html", 400, unowned=blocked.unowned)
    db.session.commit()
    return fragment(meeting_id, "screen/_leader.html")


@bp.route("/meetings/<int:meeting_id>/reopen", methods=["POST"])
@requires(Action.REOPEN_MEETING)
def reopen(meeting_id: int):
    """Reopen a closed meeting, with a reason that goes in the audit log."""
    meeting = meeting_or_404(meeting_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        return fragment(meeting_id, "screen/_leader.html", 400, reopen_form=form)
    agreements.reopen_meeting(meeting)
    db.session.commit()
    audit.record_in_course(
        "meeting.reopened", meeting.course, purpose="meeting", object_type="meeting", object_id=meeting.id, detail=form.reason.data
    )
    return fragment(meeting_id, "screen/_leader.html")
