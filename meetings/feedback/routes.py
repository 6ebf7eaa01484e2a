"""Recovery and meeting feedback: Brief INSPIRE and session ratings (views and template helpers).

The questions are shown in the citizen's language (`Citizen.language`), whatever the
language of the staff member's screen: the tablet is handed to the citizen.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from extensions import db
from kernel.bidi import bdi_message
from kernel.web import is_partial_request, vary_on_htmx
from meetings.blueprint import bp
from meetings.feedback import charts, inspire, ratings
from meetings.feedback.forms import InspireForm, RatingForm
from meetings.models import Course, Meeting, MemberKind
from roles.access import can, requires
from roles.permissions import Action


def _citizen_language(course: Course) -> str:
    return course.citizen.language.value


def _render_questions(course: Course, form: InspireForm, meeting: Meeting | None) -> Markup:
    """Render the question block in the citizen's language."""
    language = _citizen_language(course)
    with force_locale(language):
        return Markup(  # nosec B704 -- the output of an autoescaping Jinja template
            render_template(
                "feedback/_questions.html",
                form=form,
                items=list(inspire.InspireItem),
                answers=[(str(v), words) for v, words in inspire.INSPIRE_ANSWERS],
                language=language,
                course=course,
                meeting=meeting,
            )
        )


def _render_rating_box(meeting: Meeting, form: RatingForm | None = None, saved: bool = False) -> str:
    """Render the closing phase's "how was this meeting for you?" box, in the citizen's language."""
    citizen = ratings.citizen_rating(meeting)
    language = _citizen_language(meeting.course)
    with force_locale(language):
        return render_template(
            "feedback/_rating_box.html",
            meeting=meeting,
            rating=citizen,
            form=form,
            saved=saved,
            scale=[(str(v), words) for v, words in ratings.RATING_LABELS.items()],
            language=language,
            may_record=can(Action.RECORD_FEEDBACK),
        )


@bp.app_template_global("inspire_rating_box")
def inspire_rating_box(meeting: Meeting) -> Markup:
    """Template helper: the citizen's rating box for a meeting (templates/inspire/_rating.html)."""
    return Markup(_render_rating_box(meeting))  # nosec B704 -- the output of an autoescaping Jinja template


@bp.app_template_global("inspire_number")
def inspire_number(value: float) -> str:
    """Template helper: a score written in the page's language."""
    return charts.number(value)


@bp.route("/courses/<int:course_id>/inspire")
@requires(Action.VIEW_COURSE)
def inspire_charts(course_id: int):
    """Show the course's Brief INSPIRE and session ratings over time, as charts and tables."""
    course = db.get_or_404(Course, course_id)
    return render_template(
        "feedback/charts.html",
        course=course,
        total=charts.inspire_total_chart(course_id),
        items=charts.inspire_item_charts(course_id),
        ratings=charts.ratings_chart(course_id),
    )


@bp.route("/courses/<int:course_id>/inspire/in-summary", methods=["POST"])
@requires(Action.RECORD_FEEDBACK)
def chart_in_summary(course_id: int):
    """Record whether the citizen wants their INSPIRE answers in the meeting summary."""
    course = db.get_or_404(Course, course_id)
    inspire.set_chart_in_summary(course, request.form.get("include") == "1")
    db.session.commit()
    if course.chart_in_summary:
        flash(_("The answers will be in the citizen's summary."), "success")
    else:
        flash(_("The answers will not be in the citizen's summary."), "success")
    return redirect(url_for("meetings.inspire_charts", course_id=course_id))


@bp.route("/courses/<int:course_id>/inspire/answer", methods=["GET", "POST"])
@bp.route("/meetings/<int:meeting_id>/inspire", methods=["GET", "POST"])
@requires(Action.RECORD_FEEDBACK)
def inspire_answer(course_id: int | None = None, meeting_id: int | None = None):
    """Let the citizen answer Brief INSPIRE on the tablet, in their language; every question may be skipped."""
    meeting = db.get_or_404(Meeting, meeting_id) if meeting_id is not None else None
    course = meeting.course if meeting is not None else db.get_or_404(Course, course_id)
    back = (
        url_for("meetings.meeting", meeting_id=meeting.id)
        if meeting is not None
        else url_for("meetings.course", course_id=course.id, _anchor="inspire")
    )
    form = InspireForm()
    if request.method == "POST" and request.form.get("skip_all"):
        # Skipping is always fine, and nothing is stored about it.
        flash(_("The questions were skipped. Nothing was saved."), "info")
        return redirect(back)
    if form.validate_on_submit():
        inspire.record_inspire(course, form.answers(), meeting=meeting)
        db.session.commit()
        flash(_("Thank you. The answers are saved."), "success")
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    questions = _render_questions(course, form, meeting)
    return render_template("feedback/answer.html", course=course, meeting=meeting, questions=questions, back=back), status


@bp.route("/meetings/<int:meeting_id>/rating", methods=["GET", "POST"])
@requires(Action.RECORD_FEEDBACK)
def session_rating(meeting_id: int):
    """Ask "how was this meeting for you?": the citizen first, then anyone else in the network."""
    meeting = db.get_or_404(Meeting, meeting_id)
    members = ratings.rating_members(meeting)
    citizen = next(m for m in members if m.kind == MemberKind.CITIZEN)
    partial = is_partial_request()
    form = RatingForm(members)
    if request.method == "GET":
        if partial:
            return vary_on_htmx(make_response(_render_rating_box(meeting)))
        chosen = form.members.get(request.args.get("member", type=int) or citizen.id, citizen)
        form.member_id.data = str(chosen.id)
        earlier = ratings.rating_of(meeting, chosen)
        if earlier is not None:
            form.score.data, form.comment.data = str(earlier.score), earlier.comment
        return vary_on_htmx(make_response(_rating_page(meeting, form)))
    if form.validate_on_submit():
        member = form.member(citizen)
        ratings.record_rating(meeting, member, int(form.score.data), form.comment.data or "")
        db.session.commit()
        if partial:
            return vary_on_htmx(make_response(_render_rating_box(meeting, saved=True)))
        flash(bdi_message(_("Thank you. %(name)s's answer is saved."), name=member.name), "success")
        return redirect(url_for("meetings.session_rating", meeting_id=meeting.id))
    if partial:
        return vary_on_htmx(make_response(_render_rating_box(meeting, form=form), 400))
    return vary_on_htmx(make_response(_rating_page(meeting, form), 400))


def _rating_page(meeting: Meeting, form: RatingForm) -> str:
    return render_template(
        "feedback/rating.html",
        meeting=meeting,
        form=form,
        ratings=ratings.meeting_ratings(meeting.id),
        scale=[(str(v), words) for v, words in ratings.RATING_LABELS.items()],
    )
