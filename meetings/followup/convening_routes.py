"""Convening: plan a regular or an acute meeting, record the pre-meeting, print the invitations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from extensions import db
from kernel.clock import to_local, to_utc
from kernel.refusal import Refusal
from meetings.blueprint import bp
from meetings.course import calendar, network, overview
from meetings.followup import convening
from meetings.followup.forms import AcuteMeetingForm, PreMeetingForm, RegularMeetingForm
from meetings.models import Course, Meeting, MemberKind, NetworkMember
from roles.access import requires
from roles.permissions import Action


def _convene_page(course_id: int, regular: RegularMeetingForm | None = None, acute: AcuteMeetingForm | None = None, status: int = 200):
    course = overview.course_with_citizen(course_id)
    if course is None:
        abort(404)
    if acute is None:
        acute = AcuteMeetingForm(prefix="acute")
        acute.planned_at.data = to_local(convening.propose_acute_time())
    regular = regular or RegularMeetingForm(prefix="regular")
    meetings = calendar.meetings_of(course_id)
    return (
        render_template(
            "followup/convene.html",
            course=course,
            regular=regular,
            acute=acute,
            meetings=meetings,
            late=convening.later_than_rapid_response,
        ),
        status,
    )


@bp.route("/courses/<int:course_id>/convene")
@requires(Action.CONVENE)
def convene(course_id: int):
    """Show how to convene the next meeting: a regular one, or an acute one within 24 hours."""
    return _convene_page(course_id)


@bp.route("/courses/<int:course_id>/convene/regular", methods=["POST"])
@requires(Action.CONVENE)
def plan_regular_meeting(course_id: int):
    """Plan a regular network meeting."""
    course = db.get_or_404(Course, course_id)
    form = RegularMeetingForm(prefix="regular")
    if form.validate_on_submit():
        try:
            meeting = convening.plan_regular_meeting(
                course,
                to_utc(form.planned_at.data),
                location=form.location.data or "",
                theme=form.theme.data or "",
                planned_minutes=form.planned_minutes.data,
            )
        except Refusal as error:
            error.show_on(form, "planned_at")
        else:
            db.session.commit()
            flash(_("The meeting is planned. Now record the pre-meeting with the citizen."), "success")
            return redirect(url_for("meetings.pre_meeting", meeting_id=meeting.id))
    return _convene_page(course_id, regular=form, status=400)


@bp.route("/courses/<int:course_id>/convene/acute", methods=["POST"])
@requires(Action.CONVENE)
def plan_acute_meeting(course_id: int):
    """Plan an acute meeting: the rapid response, proposed within 24 hours."""
    course = db.get_or_404(Course, course_id)
    form = AcuteMeetingForm(prefix="acute")
    if form.validate_on_submit():
        try:
            meeting = convening.plan_acute_meeting(course, planned_at=to_utc(form.planned_at.data), location=form.location.data or "")
        except Refusal as error:
            error.show_on(form, "planned_at")
        else:
            db.session.commit()
            flash(_("The acute meeting is planned. Ask the citizen whom they want invited."), "success")
            if convening.later_than_rapid_response(meeting):
                flash(_("This is more than 24 hours after the request. A rapid response helps most; is an earlier time possible?"), "info")
            return redirect(url_for("meetings.pre_meeting", meeting_id=meeting.id))
    return _convene_page(course_id, acute=form, status=400)


def _invitee_choices(course_id: int) -> tuple[list[NetworkMember], list[tuple[int, str]]]:
    members = [m for m in network.current_members(course_id) if m.kind != MemberKind.CITIZEN]
    return members, [(m.id, m.name) for m in members]


@bp.route("/meetings/<int:meeting_id>/pre-meeting", methods=["GET", "POST"])
@requires(Action.CONVENE)
def pre_meeting(meeting_id: int):
    """Record the pre-meeting with the citizen: what they want to talk about, and whom they want invited."""
    meeting = db.get_or_404(Meeting, meeting_id)
    course = meeting.course
    members, choices = _invitee_choices(course.id)
    if request.method == "POST":
        form = PreMeetingForm()
        form.invitees.choices = choices
        if form.validate_on_submit():
            chosen = [m for m in members if m.id in set(form.invitees.data or [])]
            try:
                convening.record_pre_meeting(
                    meeting,
                    to_utc(form.pre_meeting_at.data) if form.pre_meeting_at.data else None,
                    form.citizen_topics.data or "",
                    form.note.data or "",
                    chosen,
                    max_participants=form.max_participants.data,
                    set_max=True,
                )
            except Refusal as error:
                error.show_on(form, "citizen_topics")
            else:
                db.session.commit()
                flash(_("The pre-meeting is saved."), "success")
                return redirect(url_for("meetings.pre_meeting", meeting_id=meeting_id))
        status = 400
    else:
        invited = convening.invitees(meeting_id)
        form = PreMeetingForm(
            data={
                "pre_meeting_at": to_local(meeting.pre_meeting_at) if meeting.pre_meeting_at else None,
                "citizen_topics": meeting.citizen_topics,
                "note": meeting.pre_meeting_note,
                "max_participants": course.max_participants,
                "invitees": [a.member_id for a in invited],
            }
        )
        form.invitees.choices = choices
        status = 200
    return (
        render_template(
            "followup/pre_meeting.html",
            meeting=meeting,
            course=course,
            form=form,
            members=members,
            invited=convening.invitees(meeting_id),
            check=convening.participant_check(meeting),
            late=convening.later_than_rapid_response(meeting),
            closed=meeting.closed_at is not None,
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>/invitation/<int:member_id>")
@requires(Action.CONVENE)
def invitation_letter(meeting_id: int, member_id: int):
    """Show a printable invitation letter for one invitee, in their language."""
    meeting = db.get_or_404(Meeting, meeting_id)
    member = db.session.get(NetworkMember, member_id)
    # The access check resolved the course from the meeting; the member must be of the same course.
    if member is None or member.course_id != meeting.course_id:
        abort(404)
    contacts = convening.tovholders(meeting.course_id)
    with force_locale(member.language.value):
        page = render_template("followup/invitation_letter.html", meeting=meeting, member=member, course=meeting.course, contacts=contacts)
    return page
