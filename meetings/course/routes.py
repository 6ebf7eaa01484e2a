"""The course page, the network (list, map, editing) and the citizen's goals: parse input, call a rule, render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import db
from kernel.bidi import bdi_message
from kernel.clock import utcnow
from kernel.refusal import Refusal
from meetings.blueprint import bp
from meetings.course import goals as goal_rules
from meetings.course import network as network_rules
from meetings.course.forms import GoalForm, MemberForm, RemoveGoalForm
from meetings.course.network_map import render_network_svg
from meetings.course.overview import course_overview
from meetings.models import Course, GoalKind, NetworkMember
from roles import audit
from roles.access import requires
from roles.permissions import Action


@bp.route("/courses/<int:course_id>")
@requires(Action.VIEW_COURSE)
def course(course_id: int):
    """Show a course: the citizen, their network, meetings and open agreements."""
    overview = course_overview(course_id, utcnow())
    return render_template("course/course.html", o=overview, member_form=MemberForm())


@bp.route("/courses/<int:course_id>/members", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def add_member(course_id: int):
    """Add a person to the citizen's network."""
    course = db.get_or_404(Course, course_id)
    form = MemberForm()
    if not form.validate_on_submit():
        # Keep what was typed on screen with the message next to it.
        overview = course_overview(course_id, utcnow())
        return render_template("course/course.html", o=overview, member_form=form), 400
    network_rules.add_member(course, **form.values())
    db.session.commit()
    flash(bdi_message(_("%(name)s is added to the network."), name=form.name.data), "success")
    return redirect(url_for("meetings.course", course_id=course_id, _anchor="network"))


@bp.route("/courses/<int:course_id>/audit")
@requires(Action.VIEW_AUDIT)
def audit_log(course_id: int):
    """Show who looked at or changed the course's data, and why."""
    course = db.get_or_404(Course, course_id)
    entries = audit.entries_for_course(course_id)
    return render_template("course/audit.html", course=course, entries=entries)


# --- the network --------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/network")
@requires(Action.VIEW_COURSE)
def network_map(course_id: int):
    """Show the citizen's network as a map, with a plain list beside it."""
    course = db.get_or_404(Course, course_id)
    members = network_rules.current_members(course_id)
    svg = render_network_svg(course.citizen.preferred_name, members)
    return render_template("course/network.html", course=course, members=members, svg=svg, editable=network_rules.editable)


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@requires(Action.EDIT_NETWORK)
def edit_member(member_id: int):
    """Change how a person in the network is described: relation, organisation, mandate, contact, closeness."""
    member = db.get_or_404(NetworkMember, member_id)
    if not network_rules.editable(member):
        abort(404)
    form = MemberForm() if request.method == "POST" else MemberForm.for_member(member)
    if form.validate_on_submit():
        try:
            network_rules.update_member(member, **form.values())
        except Refusal as error:
            error.show_on(form, "name")
        else:
            db.session.commit()
            flash(bdi_message(_("The changes to %(name)s are saved."), name=member.name), "success")
            return redirect(url_for("meetings.network_map", course_id=member.course_id, _anchor=f"member-{member.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("course/member_edit.html", member=member, course=member.course, form=form), status


@bp.route("/members/<int:member_id>/remove", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def remove_member(member_id: int):
    """Take a person out of the network (they stay in the history of earlier meetings)."""
    member = db.get_or_404(NetworkMember, member_id)
    if not network_rules.editable(member):
        abort(404)
    network_rules.remove_member(member)
    db.session.commit()
    flash(bdi_message(_("%(name)s is no longer in the network."), name=member.name), "success")
    return redirect(url_for("meetings.network_map", course_id=member.course_id))


def _goals_page(course_id: int, new_form: GoalForm | None = None, failed: GoalForm | None = None, status: int = 200):
    course = goal_rules.course_with_goals(course_id)
    if course is None:
        abort(404)
    return render_template("course/goals.html", course=course, new_form=new_form or GoalForm(), failed=failed, kinds=list(GoalKind)), status


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
            goal = goal_rules.goal_in_course(course_id, int(form.goal_id.data))
        except ValueError:
            goal = None
        if goal is None:
            abort(404)
    if form.validate_on_submit():
        try:
            if goal is None:
                goal_rules.add_goal(course, GoalKind(form.kind.data), form.text.data)
            else:
                goal_rules.edit_goal(goal, GoalKind(form.kind.data), form.text.data)
        except Refusal as error:
            error.show_on(form, "text")
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
        goal = goal_rules.goal_in_course(course_id, int(form.goal_id.data or 0))
    except ValueError:
        goal = None
    if goal is None or not form.validate_on_submit():
        abort(404)
    goal_rules.remove_goal(goal)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("meetings.goals", course_id=course_id))
