"""The tovholder's views between meetings: dashboard, follow-up, network map, consent, goals, convening."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from extensions import db
from exports.ics import build_invitation_ics
from meetings import followup
from meetings.blueprint import bp
from meetings.followup import FollowUpError
from meetings.forms import MemberForm
from meetings.models import (
    Agreement,
    Closeness,
    ConsentScope,
    Course,
    GoalKind,
    Language,
    Meeting,
    MemberKind,
    NetworkMember,
)
from meetings.clock import utcnow
from meetings.network_map import render_network_svg
from meetings.outreach import lists as outreach_lists
from roles import audit
from roles.access import login_only, requires
from roles.permissions import Action

# --- forms -------------------------------------------------------------------------


class _DateField(DateField):
    """A date field where an empty box means "no date" (the required check speaks), not "invalid"."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class _WhenField(DateTimeLocalField):
    """A local date and time (Europe/Copenhagen), as the browser's datetime-local box sends it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        kwargs.setdefault("invalid_value_message", _l("Write a date and a time, e.g. 2026-03-24 10:00."))
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class FollowUpForm(FlaskForm):
    contacted_on = _DateField(
        _l("Date of the contact"),
        validators=[InputRequired(message=_l("Write the date of the contact."))],
        invalid_value_message=_l("Write a date, e.g. 2026-03-24."),
        default=lambda: followup.local_today(),
    )
    text = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(message=_l("Write what the contact was about.")), Length(max=4000)],
    )


class ConsentForm(FlaskForm):
    scope = SelectField(_l("What may be shared"), choices=[SelectChoice(s.value, s.title) for s in ConsentScope])
    # "always" or "only_when"; checked by followup.circumstances_from_choice, which also reads a missing choice.
    applies = RadioField(
        _l("When may it be shared?"),
        choices=[SelectChoice(followup.ALWAYS, _l("Always")), SelectChoice(followup.ONLY_WHEN, _l("Only in a certain situation"))],
        validate_choice=False,
    )
    circumstances = StringField(_l("Which situation"), validators=[Optional(), Length(max=500)])


class WithdrawForm(FlaskForm):
    scope = SelectField(choices=[SelectChoice(s.value, s.title) for s in ConsentScope])


class GoalForm(FlaskForm):
    goal_id = HiddenField()
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, k.title) for k in GoalKind], default=GoalKind.GOAL.value)
    text = TextAreaField(
        _l("In the citizen's own words"),
        validators=[DataRequired(message=_l("Write the goal, hope or dream in the citizen's own words.")), Length(max=2000)],
    )


class RemoveGoalForm(FlaskForm):
    goal_id = HiddenField()


class RegularMeetingForm(FlaskForm):
    planned_at = _WhenField(_l("When"), validators=[InputRequired(message=_l("Choose a date and a time."))])
    location = StringField(_l("Where"), validators=[Optional(), Length(max=200)])
    theme = StringField(_l("Theme (optional)"), validators=[Optional(), Length(max=500)])
    planned_minutes = IntegerField(
        _l("How long (minutes)"),
        default=followup.DEFAULT_MEETING_MINUTES,
        validators=[
            DataRequired(message=_l("Write how many minutes the meeting lasts.")),
            NumberRange(min=15, max=480, message=_l("Write a number of minutes between 15 and 480.")),
        ],
        invalid_value_message=_l("Write a number of minutes between 15 and 480."),
    )


class AcuteMeetingForm(FlaskForm):
    planned_at = _WhenField(_l("When (proposal: within 24 hours)"), validators=[InputRequired(message=_l("Choose a date and a time."))])
    location = StringField(_l("Where"), validators=[Optional(), Length(max=200)])


class PreMeetingForm(FlaskForm):
    pre_meeting_at = _WhenField(_l("When was the pre-meeting"), validators=[Optional()])
    citizen_topics = TextAreaField(_l("What the citizen wants to talk about, in their words"), validators=[Optional(), Length(max=4000)])
    note = TextAreaField(_l("Note from the pre-meeting"), validators=[Optional(), Length(max=4000)])
    max_participants = IntegerField(
        _l("How many people can the citizen manage in one meeting, besides themselves?"),
        validators=[Optional(), NumberRange(min=1, max=50, message=_l("Write a number between 1 and 50, or leave it empty."))],
        invalid_value_message=_l("Write a number between 1 and 50, or leave it empty."),
    )
    invitees = SelectMultipleField(_l("Whom the citizen wants invited"), coerce=int, validate_choice=True)


class EndCourseForm(FlaskForm):
    note = TextAreaField(
        _l("A short note about why the course ends"),
        validators=[DataRequired(message=_l("Write a short note about why the course ends.")), Length(max=2000)],
    )


class ResumeCourseForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the course is taken up again"),
        validators=[DataRequired(message=_l("Write why the course is taken up again.")), Length(max=2000)],
    )


def _form_error(form: FlaskForm, error: FollowUpError, fallback: str) -> None:
    """Put a service's refusal next to the field it is about (or the form's main field)."""
    target = getattr(form, error.field or fallback, None) or getattr(form, fallback)
    target.errors = [*target.errors, error.message]


def _wants_partial() -> bool:
    """An htmx request that is not boosted and not a history restore gets the partial."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _vary(response):
    response.headers.add("Vary", "HX-Request")
    return response


# --- the dashboard -------------------------------------------------------------------


@bp.route("/")
@login_only
def dashboard():
    """Show the user's start page: courses, coming meetings, open agreements by who is responsible, what needs follow-up."""
    board = followup.dashboard_for(current_user)
    outbox = outreach_lists.outbox([c.course.id for c in board.courses if c.may(Action.FOLLOW_UP)], board.now, with_sent=False)
    return render_template("meetings/dashboard.html", board=board, outbox=outbox)


# --- the follow-up log ----------------------------------------------------------------


def _agreement_page(agreement_id: int, form: FollowUpForm, status: int = 200):
    log = followup.agreement_log(agreement_id)
    if log is None:
        abort(404)
    outreach = outreach_lists.agreement_messages(agreement_id, utcnow())
    return render_template("followup/agreement.html", log=log, form=form, today=followup.local_today(), outreach=outreach), status


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
            followup.record_follow_up(agreement, form.text.data, form.contacted_on.data, current_user)
        except FollowUpError as error:
            _form_error(form, error, "text")
        else:
            db.session.commit()
            flash(_("The contact is written in the follow-up log."), "success")
            return redirect(url_for("meetings.agreement_follow_up", agreement_id=agreement_id, _anchor="log"))
    return _agreement_page(agreement_id, form, 400)


# --- the network map --------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/network")
@requires(Action.VIEW_COURSE)
def network_map(course_id: int):
    """Show the citizen's network as a map, with a plain list beside it."""
    course = db.get_or_404(Course, course_id)
    members = followup.current_members(course_id)
    svg = render_network_svg(course.citizen.preferred_name, members)
    return render_template("followup/network.html", course=course, members=members, svg=svg, editable=followup.editable)


def _member_form_for(member: NetworkMember) -> MemberForm:
    form = MemberForm(
        data={
            "name": member.name,
            "kind": member.kind.value,
            "relation": member.relation,
            "organisation": member.organisation or "",
            "mandate": member.mandate or "",
            "contact": member.contact or "",
            "closeness": member.closeness.value,
            "language": member.language.value,
        }
    )
    return form


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires(Action.EDIT_NETWORK)
def edit_member(member_id: int):
    """Change how a person in the network is described: relation, organisation, mandate, contact, closeness."""
    member = db.get_or_404(NetworkMember, member_id)
    if not followup.editable(member):
        abort(404)
    form = MemberForm() if request.method == "POST" else _member_form_for(member)
    if form.validate_on_submit():
        try:
            followup.update_member(
                member,
                name=form.name.data,
                kind=MemberKind(form.kind.data),
                relation=form.relation.data,
                organisation=form.organisation.data,
                mandate=form.mandate.data,
                contact=form.contact.data,
                closeness=Closeness(form.closeness.data),
                language=Language(form.language.data),
            )
        except FollowUpError as error:
            _form_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The changes to %(name)s are saved.", name=member.name), "success")
            return redirect(url_for("meetings.network_map", course_id=member.course_id, _anchor=f"member-{member.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/member_edit.html", member=member, course=member.course, form=form), status


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def remove_member(member_id: int):
    """Take a person out of the network (they stay in the history of earlier meetings)."""
    member = db.get_or_404(NetworkMember, member_id)
    if not followup.editable(member):
        abort(404)
    followup.remove_member(member)
    db.session.commit()
    flash(_("%(name)s is no longer in the network.", name=member.name), "success")
    return redirect(url_for("meetings.network_map", course_id=member.course_id))


# --- consent -------------------------------------------------------------------------------


def _consent_page(course_id: int, failed: tuple[int, str, ConsentForm] | None = None, status: int = 200):
    register = followup.consent_register(course_id)
    summary_sharing = followup.sharing(course_id, ConsentScope.SUMMARY)
    context = {"register": register, "failed": failed, "summary_sharing": summary_sharing}
    if _wants_partial() and request.method == "GET":
        return _vary(make_response(render_template("followup/_consent_register.html", **context), status))
    return _vary(make_response(render_template("followup/consent.html", **context), status))


@bp.route("/courses/<int:course_id>/consent")
@requires(Action.VIEW_COURSE)
def consent_register(course_id: int):
    """Show what the citizen agrees may be shared with whom, and under which circumstances."""
    db.get_or_404(Course, course_id)
    return _consent_page(course_id)


@bp.route("/members/<int:member_id>/consent", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def give_consent(member_id: int):
    """Record the citizen's consent to share something with this person."""
    member = db.get_or_404(NetworkMember, member_id)
    form = ConsentForm()
    if form.validate_on_submit():
        try:
            circumstances = followup.circumstances_from_choice(form.applies.data, form.circumstances.data)
            followup.give_consent(member, ConsentScope(form.scope.data), circumstances, current_user)
        except FollowUpError as error:
            _form_error(form, error, "circumstances")
            if not followup.editable(member):
                # This person has no row in the register to show the message next to.
                flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The consent for %(name)s is recorded.", name=member.name), "success")
            return redirect(url_for("meetings.consent_register", course_id=member.course_id, _anchor=f"consent-{member.id}"))
    return _consent_page(member.course_id, failed=(member.id, form.scope.data, form), status=400)


@bp.route("/members/<int:member_id>/consent/withdraw", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def withdraw_consent(member_id: int):
    """Withdraw the citizen's consent for this person at once: one step."""
    member = db.get_or_404(NetworkMember, member_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    followup.withdraw_consents(member, ConsentScope(form.scope.data))
    db.session.commit()
    if _wants_partial():
        register = followup.consent_register(member.course_id)
        return render_template("followup/_consent_member.html", register=register, member=member, failed=None, withdrawn=True)
    flash(_("The consent for %(name)s is withdrawn.", name=member.name), "success")
    return redirect(url_for("meetings.consent_register", course_id=member.course_id, _anchor=f"consent-{member.id}"))


# --- goals, hopes and dreams -----------------------------------------------------------------


def _goals_page(course_id: int, new_form: GoalForm | None = None, failed: GoalForm | None = None, status: int = 200):
    course = followup.course_with_goals(course_id)
    if course is None:
        abort(404)
    return render_template("followup/goals.html", course=course, new_form=new_form or GoalForm(), failed=failed, kinds=list(GoalKind)), status


@bp.route("/courses/<int:course_id>/goals")
@requires(Action.VIEW_COURSE)
def goals(course_id: int):
    """Show the citizen's own goals, hopes and dreams (never required)."""
    return _goals_page(course_id)


@bp.route("/courses/<int:course_id>/goals", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def save_goal(course_id: int):
    """Add a goal, hope or dream, or change one (the goal id comes from the form and must be this course's)."""
    course = db.get_or_404(Course, course_id)
    form = GoalForm()
    goal = None
    if form.goal_id.data:
        try:
            goal = followup.goal_in_course(course_id, int(form.goal_id.data))
        except ValueError:
            goal = None
        if goal is None:
            abort(404)
    if form.validate_on_submit():
        try:
            if goal is None:
                followup.add_goal(course, GoalKind(form.kind.data), form.text.data)
            else:
                followup.edit_goal(goal, GoalKind(form.kind.data), form.text.data)
        except FollowUpError as error:
            _form_error(form, error, "text")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("meetings.goals", course_id=course_id))
    if goal is None:
        return _goals_page(course_id, new_form=form, status=400)
    return _goals_page(course_id, failed=form, status=400)


@bp.route("/courses/<int:course_id>/goals/remove", methods=["POST"])
@requires(Action.RECORD_AGREEMENTS)
def remove_goal(course_id: int):
    """Remove a goal, hope or dream of this course."""
    form = RemoveGoalForm()
    try:
        goal = followup.goal_in_course(course_id, int(form.goal_id.data or 0))
    except ValueError:
        goal = None
    if goal is None or not form.validate_on_submit():
        abort(404)
    followup.remove_goal(goal)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("meetings.goals", course_id=course_id))


# --- convening ----------------------------------------------------------------------------------


def _convene_page(course_id: int, regular: RegularMeetingForm | None = None, acute: AcuteMeetingForm | None = None, status: int = 200):
    course = followup.course_with_citizen(course_id)
    if course is None:
        abort(404)
    if acute is None:
        acute = AcuteMeetingForm(prefix="acute")
        acute.planned_at.data = followup.to_local(followup.propose_acute_time())
    regular = regular or RegularMeetingForm(prefix="regular")
    meetings = followup.meetings_of(course_id)
    return (
        render_template(
            "followup/convene.html",
            course=course,
            regular=regular,
            acute=acute,
            meetings=meetings,
            late=followup.later_than_rapid_response,
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
            meeting = followup.plan_regular_meeting(
                course,
                followup.to_utc(form.planned_at.data),
                location=form.location.data or "",
                theme=form.theme.data or "",
                planned_minutes=form.planned_minutes.data,
            )
        except FollowUpError as error:
            _form_error(form, error, "planned_at")
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
            meeting = followup.plan_acute_meeting(course, planned_at=followup.to_utc(form.planned_at.data), location=form.location.data or "")
        except FollowUpError as error:
            _form_error(form, error, "planned_at")
        else:
            db.session.commit()
            flash(_("The acute meeting is planned. Ask the citizen whom they want invited."), "success")
            if followup.later_than_rapid_response(meeting):
                flash(_("This is more than 24 hours after the request. A rapid response helps most; is an earlier time possible?"), "info")
            return redirect(url_for("meetings.pre_meeting", meeting_id=meeting.id))
    return _convene_page(course_id, acute=form, status=400)


def _invitee_choices(course_id: int) -> tuple[list[NetworkMember], list[tuple[int, str]]]:
    members = [m for m in followup.current_members(course_id) if m.kind != MemberKind.CITIZEN]
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
                followup.record_pre_meeting(
                    meeting,
                    followup.to_utc(form.pre_meeting_at.data) if form.pre_meeting_at.data else None,
                    form.citizen_topics.data or "",
                    form.note.data or "",
                    chosen,
                    max_participants=form.max_participants.data,
                    set_max=True,
                )
            except FollowUpError as error:
                _form_error(form, error, "citizen_topics")
            else:
                db.session.commit()
                flash(_("The pre-meeting is saved."), "success")
                return redirect(url_for("meetings.pre_meeting", meeting_id=meeting_id))
        status = 400
    else:
        invited = followup.invitees(meeting_id)
        form = PreMeetingForm(
            data={
                "pre_meeting_at": followup.to_local(meeting.pre_meeting_at) if meeting.pre_meeting_at else None,
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
            invited=followup.invitees(meeting_id),
            check=followup.participant_check(meeting),
            late=followup.later_than_rapid_response(meeting),
            closed=meeting.closed_at is not None,
        ),
        status,
    )


@bp.route("/meetings/<int:meeting_id>/invitation.ics")
@requires(Action.CONVENE)
def invitation_ics(meeting_id: int):
    """Send the meeting's calendar invitation (.ics), in Danish or English."""
    meeting = db.get_or_404(Meeting, meeting_id)
    lang = request.args.get("lang") or meeting.course.citizen.language.value
    if lang not in ("da", "en"):
        abort(404)
    body = build_invitation_ics(meeting, lang, domain=request.host.split(":")[0] or "rundbord.invalid")
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="rundbord-meeting-{meeting.id}.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/meetings/<int:meeting_id>/invitation/<int:member_id>")
@requires(Action.CONVENE)
def invitation_letter(meeting_id: int, member_id: int):
    """Show a printable invitation letter for one invitee, in their language."""
    meeting = db.get_or_404(Meeting, meeting_id)
    member = db.session.get(NetworkMember, member_id)
    # The access check resolved the course from the meeting; the member must be of the same course.
    if member is None or member.course_id != meeting.course_id:
        abort(404)
    contacts = followup.tovholders(meeting.course_id)
    with force_locale(member.language.value):
        page = render_template("followup/invitation_letter.html", meeting=meeting, member=member, course=meeting.course, contacts=contacts)
    return page


# --- ending a course ---------------------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/end", methods=["GET", "POST"])
@requires(Action.FOLLOW_UP)
def end_course(course_id: int):
    """End a course with a short note; it leaves the dashboards but stays readable."""
    course = db.get_or_404(Course, course_id)
    form = EndCourseForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                followup.end_course(course, form.note.data)
            except FollowUpError as error:
                _form_error(form, error, "note")
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
            history = followup.resume_course(course, form.reason.data)
        except FollowUpError as error:
            _form_error(form, error, "reason")
        else:
            db.session.commit()
            audit.record_in_course(
                "course.resumed", course, purpose="follow-up", object_type="course", object_id=course.id, detail=history
            )
            flash(_("The course is taken up again. It is back on the dashboards."), "success")
            return redirect(url_for("meetings.course", course_id=course_id))
    return render_template("followup/end_course.html", course=course, form=EndCourseForm(formdata=None), resume_form=form), 400

