"""Views that send exports: the summary (page and DOCX), giving it, the citizen's data, erasure."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired

from exports import citizen_data
from exports.ics import build_invitation_ics
from exports.summary import (
    ascii_file_name,
    build_summary,
    file_name,
    local_date,
    summary_sharing,
)
from exports.summary_docx import build_summary_docx
from extensions import db
from kernel.bidi import bdi_message
from kernel.clock import utcnow
from kernel.forms import Form
from kernel.input import MaxChars
from kernel.refusal import Refusal
from meetings.consent import rules as consent_rules
from meetings.course import erasure
from meetings.course.forms import MemberForm
from meetings.course.overview import course_overview
from meetings.feedback.charts import inspire_chart
from meetings.followup.summaries import given_by_name, mark_summary_given
from meetings.models import Consent, Course, Meeting
from roles import audit
from roles.access import can, requires
from roles.permissions import Action

bp = Blueprint("exports", __name__)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class GiveSummaryForm(Form):
    reviewed = BooleanField(
        _l("I have read the summary through, and it is ready for the citizen."),
        validators=[DataRequired(message=_l("Read the summary through first, then tick here."))],
    )


class EraseForm(Form):
    confirm_name = StringField(
        _l("Write the citizen's name to confirm"),
        validators=[DataRequired(message=_l("Write the citizen's name to confirm.")), MaxChars(200)],
    )


# --- the citizen's summary -----------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/summary")
@requires(Action.VIEW_COURSE)
def summary(meeting_id: int):
    """Show the citizen's summary of a meeting, in the citizen's language, ready to print."""
    meeting = _meeting_with_citizen(meeting_id)
    return _summary_page(meeting, GiveSummaryForm())


def _meeting_with_citizen(meeting_id: int) -> Meeting:
    """Load the meeting with its course and citizen in one query (the summary needs all three)."""
    return db.first_or_404(
        db.select(Meeting).where(Meeting.id == meeting_id).options(db.joinedload(Meeting.course).joinedload(Course.citizen))
    )


def _recovery_chart(course_id: int, summary):
    """Return the INSPIRE chart (safe SVG) for the summary page, when the citizen wants it there."""
    if summary is None or not summary.recovery:
        return None
    chart = inspire_chart(course_id, summary.lang, history=list(summary.recovery_history))
    return chart.svg if chart is not None else None


def _summary_page(meeting: Meeting, give_form: GiveSummaryForm, status: int = 200) -> Response:
    summary = build_summary(meeting.id) if meeting.closed_at is not None else None
    return Response(
        render_template(
            "exports/summary.html",
            meeting=meeting,
            summary=summary,
            give_form=give_form,
            given_by=given_by_name(meeting),
            recipients=summary_sharing(meeting) if can(Action.GIVE_SUMMARY) else None,
            # The table under it says the same in words; the picture is for the eye.
            recovery_chart=_recovery_chart(meeting.course_id, summary),
            on_summary_page=True,
        ),
        status=status,
    )


@bp.route("/meetings/<int:meeting_id>/summary.docx")
@requires(Action.VIEW_COURSE)
def summary_docx(meeting_id: int):
    """Send the citizen's summary as a Word document named after the citizen and the day."""
    meeting = _meeting_with_citizen(meeting_id)
    if meeting.closed_at is None:
        flash(_("The summary can be made when the meeting is closed."), "error")
        return redirect(url_for("exports.summary", meeting_id=meeting_id))
    summary = build_summary(meeting_id)
    return download(build_summary_docx(summary), file_name(summary.citizen_name, summary.meeting_date, "docx"), DOCX_MIMETYPE)


@bp.route("/meetings/<int:meeting_id>/summary/given", methods=["POST"])
@requires(Action.GIVE_SUMMARY)
def mark_given(meeting_id: int):
    """Record that the tovholder read the summary through and gave it to the citizen."""
    meeting = db.get_or_404(Meeting, meeting_id)
    form = GiveSummaryForm()
    if meeting.closed_at is None:
        flash(_("The meeting is not closed yet, so the summary cannot be given."), "error")
        return _summary_page(meeting, form, 400)
    if not form.validate_on_submit():
        return _summary_page(meeting, form, 400)
    try:
        mark_summary_given(meeting, current_user.id, utcnow())
    except Refusal:  # reopened in the meantime
        db.session.rollback()
        flash(_("The meeting is not closed yet, so the summary cannot be given."), "error")
        return _summary_page(meeting, form, 400)
    db.session.commit()
    flash(_("The summary is marked as given to the citizen."), "success")
    return redirect(url_for("exports.summary", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/consents/<int:consent_id>/check", methods=["POST"])
@requires(Action.GIVE_SUMMARY)
def check_consent(meeting_id: int, consent_id: int):
    """Record that the person checked that a consent's circumstance applies, so this summary may go to them."""
    meeting = db.get_or_404(Meeting, meeting_id)
    consent = db.get_or_404(Consent, consent_id)
    try:
        new = consent_rules.check_circumstance(consent, meeting, current_user.id)
    except consent_rules.InvalidCheck as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return _to_recipients(meeting_id)
    try:
        db.session.commit()
    except IntegrityError:  # the same check from another screen at the same moment: it is there
        db.session.rollback()
        new = False
    if new:
        _audit_check("consent.checked", meeting, consent)
    flash(bdi_message(_("Checked: %(name)s may get this summary."), name=consent.member.name), "success")
    return _to_recipients(meeting_id)


@bp.route("/meetings/<int:meeting_id>/consents/<int:consent_id>/uncheck", methods=["POST"])
@requires(Action.GIVE_SUMMARY)
def uncheck_consent(meeting_id: int, consent_id: int):
    """Take back a check made by mistake: the person is no longer a recipient of this summary."""
    meeting = db.get_or_404(Meeting, meeting_id)
    consent = db.get_or_404(Consent, consent_id)
    try:
        undone = consent_rules.undo_check(consent, meeting)
    except consent_rules.InvalidCheck:
        abort(404)
    db.session.commit()
    if undone:
        _audit_check("consent.check_undone", meeting, consent)
    flash(bdi_message(_("Taken back: %(name)s does not get this summary unless someone checks again."), name=consent.member.name), "success")
    return _to_recipients(meeting_id)


def _to_recipients(meeting_id: int) -> Response:
    return redirect(url_for("exports.summary", meeting_id=meeting_id, _anchor="recipients"))


def _audit_check(action: str, meeting: Meeting, consent: Consent) -> None:
    audit.record_in_course(action, meeting.course, purpose="summary", object_type="consent", object_id=consent.id, detail=f"meeting {meeting.id}")


# --- invitations ----------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/invitation.ics")
@requires(Action.CONVENE)
def invitation_ics(meeting_id: int):
    """Send the meeting's calendar invitation (.ics), in Danish or English."""
    meeting = db.get_or_404(Meeting, meeting_id)
    lang = request.args.get("lang") or meeting.course.citizen.language.value
    if lang not in ("da", "en"):
        abort(404)
    body = build_invitation_ics(meeting, lang, domain=request.host.split(":")[0] or "rundbord.invalid")
    response = Response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="rundbord-meeting-{meeting.id}.ics"'
    return response


# --- the citizen's rights: access, portability, erasure ---------------------------------


@bp.route("/courses/<int:course_id>/citizen-data.zip")
@requires(Action.EXPORT_CITIZEN_DATA)
def citizen_data_zip(course_id: int):
    """Send everything Rundbord holds about the citizen's course: a readable DOCX and a JSON file, zipped."""
    course = db.get_or_404(Course, course_id)
    data = citizen_data.build_citizen_data_zip(course_id, utcnow())
    name = file_name(course.citizen.preferred_name + " Rundbord", local_date(utcnow()), "zip")
    return download(data, name, "application/zip")


@bp.route("/courses/<int:course_id>/erase", methods=["POST"])
@requires(Action.ERASE_COURSE)
def erase_course(course_id: int):
    """Erase the course, its citizen and all their personal data, after the citizen's name is typed."""
    course = db.get_or_404(Course, course_id)
    form = EraseForm()
    valid = form.validate_on_submit()
    if valid and not erasure.name_matches(course, form.confirm_name.data):
        form.confirm_name.errors = [
            bdi_message(_("That is not the name. Write %(name)s to erase the course."), name=course.citizen.preferred_name)
        ]
        valid = False
    if not valid:
        # Show the course page again, with the message next to the field and what was typed in it.
        overview = course_overview(course_id, utcnow())
        page = render_template("course/course.html", o=overview, member_form=MemberForm(formdata=None), erase_form=form)
        return Response(page, status=400)
    erasure.erase_course(course_id, user_id=current_user.id)
    flash(_("The course and all its personal data are erased."), "success")
    return redirect(url_for("meetings.dashboard"))


# --- files -------------------------------------------------------------------------------

def download(data: bytes, filename: str, mimetype: str) -> Response:
    """Return `data` as a download named `filename` (RFC 6266: an ASCII name and a UTF-8 filename*)."""
    response = Response(data, mimetype=mimetype)
    fallback = ascii_file_name(filename)
    disposition = f'attachment; filename="{fallback}"'
    if fallback != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response.headers["Content-Disposition"] = disposition
    return response
