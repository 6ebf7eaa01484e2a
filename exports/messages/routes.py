"""The tovholder's buttons for messages: see who gets what after a meeting and send it; try again; print letters."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import HiddenField

from exports.messages import compose, mailer
from exports.messages.blueprint import bp
from extensions import db
from kernel.clock import utcnow
from kernel.forms import Form
from meetings.models import Meeting
from meetings.outreach import outbox, rules
from meetings.outreach.models import Channel, OutgoingMessage
from roles.access import requires
from roles.permissions import Action


class MessageForm(Form):
    message_id = HiddenField()


def _flash_report(report: mailer.RoundReport) -> None:
    if report.sent:
        flash(_("Sent by email: %(count)s.", count=report.sent), "success")
    if report.failed or report.bounced:
        flash(_("Not delivered: %(count)s. See the list of messages to send; Rundbord tries again.", count=report.failed + report.bounced), "error")


# --- after a meeting ------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/messages")
@requires(Action.FOLLOW_UP)
def after_meeting(meeting_id: int):
    """Show who gets which agreements of this meeting, how, and who gets nothing and why, before anything is sent."""
    meeting = db.get_or_404(Meeting, meeting_id)
    plan = rules.close_plan(meeting) if meeting.closed_at is not None else None
    return render_template("messages/after_meeting.html", meeting=meeting, course=meeting.course, plan=plan)


@bp.route("/meetings/<int:meeting_id>/messages", methods=["POST"])
@requires(Action.FOLLOW_UP)
def send_after_meeting(meeting_id: int):
    """Send each person their own agreements by email, and put the letters in the list to print."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.closed_at is None or not Form().validate_on_submit():
        flash(_("The agreements can be sent when the meeting is closed."), "error")
        return redirect(url_for("messages.after_meeting", meeting_id=meeting_id))
    now = utcnow()
    made = rules.queue_after_meeting(meeting, current_user.id, now)
    letters = [m for m in made if m.channel == Channel.LETTER]
    for message in letters:
        mailer.record_in_audit(message, "message.queued_as_letter", current_user.id)
    report = mailer.deliver(now, only=[m.id for m in made if m.channel == Channel.EMAIL], user_id=current_user.id)
    if letters:
        flash(_("Letters to print: %(count)s. They are in the list of messages to send.", count=len(letters)), "info")
    _flash_report(report)
    if not made:
        flash(_("Nothing new to send."), "info")
    return redirect(url_for("messages.after_meeting", meeting_id=meeting_id))


# --- one message --------------------------------------------------------------------------------


def _message(course_id: int) -> OutgoingMessage:
    form = MessageForm()
    try:
        message = outbox.message_in_course(course_id, int(form.message_id.data or 0))
    except ValueError:
        message = None
    if message is None or not form.validate_on_submit():
        abort(404)
    return message


@bp.route("/courses/<int:course_id>/messages/retry", methods=["POST"])
@requires(Action.FOLLOW_UP)
def retry(course_id: int):
    """Try an undelivered email again now (after the address was corrected, say)."""
    message = _message(course_id)
    try:
        outbox.requeue(message)
    except outbox.NotAllowed:
        abort(404)
    db.session.commit()
    _flash_report(mailer.deliver(utcnow(), only=[message.id], user_id=current_user.id))
    return redirect(url_for("outreach.to_send", _anchor="undelivered"))


@bp.route("/courses/<int:course_id>/messages/as-letter", methods=["POST"])
@requires(Action.FOLLOW_UP)
def as_letter(course_id: int):
    """Print an undelivered email as a letter instead."""
    message = _message(course_id)
    try:
        outbox.as_letter(message)
    except outbox.NotAllowed:
        abort(404)
    db.session.commit()
    mailer.record_in_audit(message, "message.queued_as_letter", current_user.id)
    flash(_("It is now a letter to print."), "success")
    return redirect(url_for("outreach.to_send", _anchor="letters"))


@bp.route("/courses/<int:course_id>/messages/letter", methods=["POST"])
@requires(Action.FOLLOW_UP)
def print_letter(course_id: int):
    """Show a letter ready to print, in the person's language, with their own reply links; it counts as printed."""
    message = _message(course_id)
    if message.channel != Channel.LETTER:
        abort(404)
    now = utcnow()
    route = rules.route_now(message.member)
    if route.channel is None:  # consent withdrawn or person removed since it was made
        outbox.cancel(message, route.reason or "")
        db.session.commit()
        mailer.record_in_audit(message, "message.cancelled", current_user.id)
        flash(_("This letter may no longer be sent: %(reason)s", reason=route.reason), "error")
        return redirect(url_for("outreach.to_send"))
    built = compose.compose(message, now)
    outbox.mark_printed(message, now)
    db.session.commit()
    mailer.record_in_audit(message, "message.printed", current_user.id)
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("outreach.to_send")
    with force_locale(built.lang):
        return render_template("messages/letter.html", m=built, back=back)
