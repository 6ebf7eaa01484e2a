"""Views for starting a course, the network team and the citizen's proxy: parse input, call a rule, render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from extensions import db
from kernel.bidi import bdi_message, isolate
from kernel.clock import local_today
from meetings.course.overview import course_with_citizen
from meetings.models import Course, Language, NetworkMember
from meetings.team import proxy, rules
from meetings.team.forms import AppointForm, AssignForm, EndProxyForm, HandOverForm, ProxyForm, RemoveForm, StartCourseForm, id_or_none
from meetings.team.rules import TeamError
from roles.access import current_roles, requires, requires_staff, roles_in_course
from roles.models import Role, User
from roles.permissions import Action, StaffAction

bp = Blueprint("team", __name__)


def _me() -> User:
    return current_user._get_current_object()  # the real User, not the proxy


def _staff_choices(staff: list[User], placeholder) -> list[tuple[str, str]]:
    return [("", str(placeholder))] + [(str(u.id), f"{isolate(u.display_name)} ({isolate(u.unit)})" if u.unit else isolate(u.display_name)) for u in staff]


def _user_or_none(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _after_change(course_id: int):
    """Go back to the team page, or to the start page when the change took away one's last role here."""
    if not roles_in_course(current_user.id, course_id):
        return redirect(url_for("meetings.dashboard"))
    return redirect(url_for("team.team", course_id=course_id))


# --- starting a course ----------------------------------------------------------------------


@bp.route("/courses/new", methods=["GET", "POST"])
@requires_staff(StaffAction.START_COURSE)
def start_course():
    """Start a course for a new citizen; the one who starts it becomes its tovholder."""
    form = StartCourseForm()
    if form.validate_on_submit():
        try:
            course = rules.start_course(
                _me(), preferred_name=form.preferred_name.data, full_name=form.full_name.data, language=Language(form.language.data),
                contact=form.contact.data, title=form.title.data,
            )
        except TeamError as error:
            db.session.rollback()
            error.show_on(form, "preferred_name")
        else:
            flash(bdi_message(_("The course for %(name)s has started, and you are its tovholder."), name=course.citizen.preferred_name), "success")
            return redirect(url_for("meetings.course", course_id=course.id))
    return render_template("team/start.html", form=form), (400 if form.errors else 200)


# --- the team page ---------------------------------------------------------------------------


def _team_page(course_id: int, status: int = 200, problem: str | None = None, **forms):
    course = course_with_citizen(course_id)
    if course is None:
        abort(404)
    staff = rules.staff_to_choose()
    assign_form = forms.get("assign") or AssignForm(formdata=None, prefix="assign")
    handover_form = forms.get("handover") or HandOverForm(formdata=None, prefix="handover")
    assign_form.user_id.choices = _staff_choices(staff, _l("Choose a colleague"))
    handover_form.user_id.choices = _staff_choices([u for u in staff if u.id != current_user.id], _l("Choose a colleague"))
    candidates = proxy.candidates(course_id)
    proxy_form = forms.get("proxy") or ProxyForm(formdata=None, prefix="proxy")
    proxy_form.member_id.choices = [("", str(_l("Choose a person")))] + [
        (str(m.id), f"{isolate(m.name)} ({isolate(m.relation)})" if m.relation else isolate(m.name)) for m in candidates
    ]
    return (
        render_template(
            "team/team.html",
            course=course,
            team=rules.team_of(course_id),
            i_am_tovholder=Role.TOVHOLDER in current_roles(),
            assign_form=assign_form,
            handover_form=handover_form,
            proxy_now=proxy.current_proxy(course_id),
            proxy_history=proxy.proxy_history(course_id),
            proxy_form=proxy_form,
            end_form=forms.get("end") or EndProxyForm(formdata=None, prefix="end"),
            problem=problem,
        ),
        status,
    )


@bp.route("/courses/<int:course_id>/team")
@requires(Action.VIEW_COURSE)
def team(course_id: int):
    """Show the course's network team, their roles (inactive ones marked) and the citizen's proxy."""
    return _team_page(course_id)


@bp.route("/courses/<int:course_id>/team/roles", methods=["POST"])
@requires(Action.MANAGE_TEAM)
def assign_role(course_id: int):
    """Give a colleague a role in the network team: meeting leader, reflectant or (another) tovholder."""
    course = db.get_or_404(Course, course_id)
    form = AssignForm(prefix="assign")
    form.user_id.choices = []
    if form.validate_on_submit():
        user = _user_or_none(form.user_id.data)
        try:
            if user is None:
                raise TeamError(_l("Choose a colleague."), field="user_id")
            rules.assign(course, user, Role(form.role.data), _me())
        except TeamError as error:
            db.session.rollback()
            error.show_on(form, "user_id")
        else:
            flash(_("%(name)s is now %(role)s.", name=user.display_name, role=str(Role(form.role.data).title).lower()), "success")
            return redirect(url_for("team.team", course_id=course_id))
    return _team_page(course_id, 400, assign=form)


@bp.route("/courses/<int:course_id>/team/roles/remove", methods=["POST"])
@requires(Action.MANAGE_TEAM)
def remove_role(course_id: int):
    """Take a role away from a team member; the last active tovholder's role is never taken."""
    course = db.get_or_404(Course, course_id)
    form = RemoveForm()
    user = _user_or_none(id_or_none(form.user_id.data))
    if not form.validate_on_submit() or user is None or form.role.data not in {r.value for r in Role}:
        return _team_page(course_id, 400, problem=_("Nothing was changed; reload the page and try again."))
    try:
        rules.remove(course, user, Role(form.role.data), _me())
    except TeamError as error:
        db.session.rollback()
        return _team_page(course_id, 400, problem=error.message)
    flash(_("%(name)s is no longer %(role)s.", name=user.display_name, role=str(Role(form.role.data).title).lower()), "success")
    return _after_change(course_id)


@bp.route("/courses/<int:course_id>/team/handover", methods=["POST"])
@requires(Action.MANAGE_TEAM)
def hand_over(course_id: int):
    """Hand one's tovholder role to a colleague (when leaving the course)."""
    course = db.get_or_404(Course, course_id)
    form = HandOverForm(prefix="handover")
    form.user_id.choices = []
    if form.validate_on_submit():
        to = _user_or_none(form.user_id.data)
        try:
            if to is None:
                raise TeamError(_l("Choose the colleague who takes over."), field="user_id")
            rules.hand_over(course, _me(), to)
        except TeamError as error:
            db.session.rollback()
            error.show_on(form, "user_id")
        else:
            flash(bdi_message(_("%(name)s is now tovholder for %(citizen)s."), name=to.display_name, citizen=course.citizen.preferred_name), "success")
            return _after_change(course_id)
    return _team_page(course_id, 400, handover=form)


# --- the citizen's proxy -------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/proxy", methods=["POST"])
@requires(Action.RECORD_PROXY)
def choose_proxy(course_id: int):
    """Record whom the citizen chose as proxy, from which day."""
    course = db.get_or_404(Course, course_id)
    form = ProxyForm(prefix="proxy")
    form.member_id.choices = []
    if form.validate_on_submit():
        member = db.session.get(NetworkMember, form.member_id.data) if form.member_id.data else None
        try:
            proxy.choose_proxy(course, member, form.started_on.data or local_today(), _me(), local_today())
        except TeamError as error:
            db.session.rollback()
            error.show_on(form, "member_id")
        else:
            flash(bdi_message(_("%(name)s is recorded as the citizen's proxy."), name=member.name), "success")
            return redirect(url_for("team.team", course_id=course_id, _anchor="proxy"))
    return _team_page(course_id, 400, proxy=form)


@bp.route("/courses/<int:course_id>/proxy/end", methods=["POST"])
@requires(Action.RECORD_PROXY)
def end_proxy(course_id: int):
    """Record that the citizen's proxy arrangement ended."""
    course = db.get_or_404(Course, course_id)
    form = EndProxyForm(prefix="end")
    if form.validate_on_submit():
        try:
            ended = proxy.end_proxy(course, form.ended_on.data or local_today(), _me(), local_today())
        except TeamError as error:
            db.session.rollback()
            error.show_on(form, "ended_on")
        else:
            flash(bdi_message(_("%(name)s is no longer the citizen's proxy."), name=ended.member.name), "success")
            return redirect(url_for("team.team", course_id=course_id, _anchor="proxy"))
    return _team_page(course_id, 400, end=form)


# --- an administrator gives a course without an active tovholder a new one -------------------------


@bp.route("/admin/courses/<int:course_id>/tovholder", methods=["POST"])
@requires_staff(StaffAction.ADMINISTER_STAFF)
def appoint_tovholder(course_id: int):
    """Appoint a tovholder for a course whose tovholders are all deactivated (the administrator sees no citizen)."""
    course = db.get_or_404(Course, course_id)
    form = AppointForm()
    form.user_id.choices = []
    user = _user_or_none(form.user_id.data) if form.validate_on_submit() else None
    try:
        if user is None:
            raise TeamError(_l("Choose the colleague who becomes tovholder."))
        rules.appoint_tovholder(course, user, _me())
    except TeamError as error:
        db.session.rollback()
        flash(_("Course no. %(number)s: %(problem)s", number=course_id, problem=error.message), "error")
        return redirect(url_for("admin.index", _anchor="without-tovholder"))
    flash(_("%(name)s is now tovholder of course no. %(number)s.", name=user.display_name, number=course_id), "success")
    return redirect(url_for("admin.index", _anchor="without-tovholder"))
