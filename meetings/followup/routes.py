"""The tovholder's views between meetings: the dashboard, the follow-up log, ending a course and taking it up again."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from kernel.clock import local_today, utcnow
from kernel.refusal import Refusal
from meetings.blueprint import bp
from meetings.followup import ending
from meetings.followup import log as followup_log
from meetings.followup.dashboard import dashboard_for
from meetings.followup.forms import EndCourseForm, FollowUpForm, ResumeCourseForm
from meetings.models import Agreement, Course
from meetings.outreach import lists as outreach_lists
from meetings.team.start_page import start_page_for
from roles import audit
from roles.access import login_only, requires
from roles.permissions import Action


@bp.route("/")
@login_only
def dashboard():
    """Show the user's start page: courses, coming meetings, open agreements by who is responsible, what needs follow-up."""
    board = dashboard_for(current_user)
    start = start_page_for(current_user, has_courses=bool(board.courses or board.ended), follows_up=board.follows_up)
    outbox = outreach_lists.outbox([c.course.id for c in board.courses if c.may(Action.FOLLOW_UP)], board.now, with_sent=False)
    return render_template("followup/dashboard.html", board=board, start=start, outbox=outbox)


def _agreement_page(agreement_id: int, form: FollowUpForm, status: int = 200):
    log = followup_log.agreement_log(agreement_id)
    if log is None:
        abort(404)
    outreach = outreach_lists.agreement_messages(agreement_id, utcnow())
    return render_template("followup/agreement.html", log=log, form=form, today=local_today(), outreach=outreach), status


@bp.route("/agreements/<int:agreement_id>/follow-up")
@requires(Action.VIEW_COURSE)
def agreement_follow_up(agreement_id: int):
    """Show an agreement with its reviews and the tovholder's follow-up log."""
    return _agreement_page(agreement_id, FollowUpForm())


@bp.route("/agreements/<int:agreement_id>/follow-up", methods=["POST"])
@requires(Action.FOLLOW_UP)
def record_follow_up(agreement_id: int):
    """Write down a contact about the agreement (who, when, what)."""
    agreement = db.get_or_404(Agreement, agreement_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            followup_log.record_follow_up(agreement, form.text.data, form.contacted_on.data, current_user)
        except Refusal as error:
            error.show_on(form, "text")
        else:
            db.session.commit()
            flash(_("The contact is written in the follow-up log."), "success")
            return redirect(url_for("meetings.agreement_follow_up", agreement_id=agreement_id, _anchor="log"))
    return _agreement_page(agreement_id, form, 400)


@bp.route("/courses/<int:course_id>/end", methods=["GET", "POST"])
@requires(Action.FOLLOW_UP)
def end_course(course_id: int):
    """End a course with a short note; it leaves the dashboards but stays readable."""
    course = db.get_or_404(Course, course_id)
    form = EndCourseForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ending.end_course(course, form.note.data)
            except Refusal as error:
                error.show_on(form, "note")
            else:
                db.session.commit()
                flash(_("The course has ended. It stays readable here."), "success")
                return redirect(url_for("meetings.course", course_id=course_id))
        return render_template("followup/end_course.html", course=course, form=form, resume_form=ResumeCourseForm(formdata=None)), 400
    return render_template("followup/end_course.html", course=course, form=form, resume_form=ResumeCourseForm(formdata=None))


@bp.route("/courses/<int:course_id>/resume", methods=["POST"])
@requires(Action.FOLLOW_UP)
def resume_course(course_id: int):
    """Take an ended course up again; the end it undoes and the reason go in the audit log."""
    course = db.get_or_404(Course, course_id)
    form = ResumeCourseForm()
    if form.validate_on_submit():
        try:
            history = ending.resume_course(course, form.reason.data)
        except Refusal as error:
            error.show_on(form, "reason")
        else:
            db.session.commit()
            audit.record_in_course(
                "course.resumed", course, purpose="follow-up", object_type="course", object_id=course.id, detail=history
            )
            flash(_("The course is taken up again. It is back on the dashboards."), "success")
            return redirect(url_for("meetings.course", course_id=course_id))
    return render_template("followup/end_course.html", course=course, form=EndCourseForm(formdata=None), resume_form=form), 400
