"""Recovery and meeting feedback: Brief INSPIRE and session ratings (views, forms, template helpers).

The questions are shown in the citizen's language (`Citizen.language`), whatever the
language of the staff member's screen: the tablet is handed to the citizen.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Optional, ValidationError

from extensions import db
from meetings import charts, inspire
from meetings.blueprint import bp
from meetings.formatting import bdi_message, isolate
from meetings.models import Course, Meeting, MemberKind, NetworkMember
from meetings.rendering import is_partial_request
from roles.access import can, requires
from roles.input_guard import MaxChars
from roles.permissions import Action
from web.forms import Form

SKIP = "skip"
ANSWER_VALUES = [str(value) for value, _words in inspire.INSPIRE_ANSWERS]
SCORE_VALUES = [str(v) for v in range(inspire.RATING_MIN, inspire.RATING_MAX + 1)]

# --- forms ---------------------------------------------------------------------


class InspireForm(Form):
    """Five optional questions; each is one of 0..4, "skip", or left out (= skipped)."""

    def answers(self) -> dict[inspire.InspireItem, int | None]:
        """Return the answers as the service takes them: 0..4, or None for a skipped question."""
        result: dict[inspire.InspireItem, int | None] = {}
        for item in inspire.InspireItem:
            raw = self[item.value].data
            result[item] = int(raw) if raw in ANSWER_VALUES else None
        return result


for _item in inspire.InspireItem:
    setattr(
        InspireForm,
        _item.value,
        RadioField(
            _item.question,
            choices=[*ANSWER_VALUES, SKIP],
            validate_choice=False,
            validators=[Optional(), AnyOf([*ANSWER_VALUES, SKIP], message=_l("Choose one of the answers, or skip the question."))],
        ),
    )
del _item


class RatingForm(Form):
    """How the meeting was for one member: 1..5 and an optional comment."""

    member_id = SelectField(_l("Who is answering?"), choices=[], validate_choice=False, validators=[Optional()])
    score = StringField(
        _l("How was this meeting for you?"),
        validators=[
            InputRequired(message=_l("Choose a number from 1 to 5.")),
            AnyOf(SCORE_VALUES, message=_l("Choose a number from 1 to 5.")),
        ],
    )
    comment = TextAreaField(
        _l("Anything you want to add? (you may leave it empty)"),
        validators=[Optional(), MaxChars(inspire.COMMENT_MAX)],
    )
    #: Set by the small box in the meeting's closing phase.
    box = HiddenField()

    def __init__(self, members: list[NetworkMember], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.id: m for m in members}
        self.member_id.choices = [(str(m.id), isolate(m.name)) for m in members]  # an <option> takes no <bdi>

    def validate_member_id(self, field) -> None:
        """Accept only someone who may rate this meeting."""
        if field.data and (not field.data.isdigit() or int(field.data) not in self.members):
            raise ValidationError(_("Choose who is answering."))

    def member(self, default: NetworkMember) -> NetworkMember:
        """Return the chosen member, or `default` (the citizen) when none was chosen."""
        if self.member_id.data and self.member_id.data.isdigit():
            return self.members.get(int(self.member_id.data), default)
        return default


# --- helpers ---------------------------------------------------------------------


def _citizen_language(course: Course) -> str:
    return course.citizen.language.value


def _render_questions(course: Course, form: InspireForm, meeting: Meeting | None) -> Markup:
    """Render the question block in the citizen's language."""
    language = _citizen_language(course)
    with force_locale(language):
        return Markup(  # nosec B704 -- the output of an autoescaping Jinja template
            render_template(
                "inspire/_questions.html",
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
    citizen = inspire.citizen_rating(meeting)
    language = _citizen_language(meeting.course)
    with force_locale(language):
        return render_template(
            "inspire/_rating_box.html",
            meeting=meeting,
            rating=citizen,
            form=form,
            saved=saved,
            scale=[(str(v), words) for v, words in inspire.RATING_LABELS.items()],
            language=language,
            may_record=can(Action.RECORD_FEEDBACK),
        )


@bp.app_template_global("inspire_rating_box")
def inspire_rating_box(meeting: Meeting) -> Markup:
    """Template helper: the citizen's rating box for a meeting (templates/inspire/_rating.html)."""
    return Markup(_render_rating_box(meeting))  # nosec B704 -- the output of an autoescaping Jinja template


@bp.app_template_global("inspire_panel")
def inspire_panel(course_id: int) -> dict:
    """Template helper: what the course page's INSPIRE panel shows."""
    history = inspire.inspire_history(course_id)
    return {
        "latest": history[-1] if history else None,
        "questions": len(inspire.InspireItem),
        "total": charts.inspire_total_chart(course_id, small=True, chart_id="panel-inspire-total", history=history),
        "ratings": charts.ratings_chart(course_id, small=True, chart_id="panel-ratings"),
    }


@bp.app_template_global("inspire_number")
def inspire_number(value: float) -> str:
    """Template helper: a score written in the page's language."""
    return charts.number(value)


def _vary(response):
    response.vary.add("HX-Request")
    return response


# --- views -----------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/inspire")
@requires(Action.VIEW_COURSE)
def inspire_charts(course_id: int):
    """Show the course's Brief INSPIRE and session ratings over time, as charts and tables."""
    course = db.get_or_404(Course, course_id)
    return render_template(
        "inspire/charts.html",
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
    return render_template("inspire/answer.html", course=course, meeting=meeting, questions=questions, back=back), status


@bp.route("/meetings/<int:meeting_id>/rating", methods=["GET", "POST"])
@requires(Action.RECORD_FEEDBACK)
def session_rating(meeting_id: int):
    """Ask "how was this meeting for you?": the citizen first, then anyone else in the network."""
    meeting = db.get_or_404(Meeting, meeting_id)
    members = inspire.rating_members(meeting)
    citizen = next(m for m in members if m.kind == MemberKind.CITIZEN)
    partial = is_partial_request()
    form = RatingForm(members)
    if request.method == "GET":
        if partial:
            return _vary(make_response(_render_rating_box(meeting)))
        chosen = form.members.get(request.args.get("member", type=int) or citizen.id, citizen)
        form.member_id.data = str(chosen.id)
        earlier = inspire.rating_of(meeting, chosen)
        if earlier is not None:
            form.score.data, form.comment.data = str(earlier.score), earlier.comment
        return _vary(make_response(_rating_page(meeting, form)))
    if form.validate_on_submit():
        member = form.member(citizen)
        inspire.record_rating(meeting, member, int(form.score.data), form.comment.data or "")
        db.session.commit()
        if partial:
            return _vary(make_response(_render_rating_box(meeting, saved=True)))
        flash(bdi_message(_("Thank you. %(name)s's answer is saved."), name=member.name), "success")
        return redirect(url_for("meetings.session_rating", meeting_id=meeting.id))
    if partial:
        return _vary(make_response(_render_rating_box(meeting, form=form), 400))
    return _vary(make_response(_rating_page(meeting, form), 400))


def _rating_page(meeting: Meeting, form: RatingForm) -> str:
    return render_template(
        "inspire/rating.html",
        meeting=meeting,
        form=form,
        ratings=inspire.meeting_ratings(meeting.id),
        scale=[(str(v), words) for v, words in inspire.RATING_LABELS.items()],
    )

