"""Views for courses, networks and meetings: parse input, call a service, render."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from extensions import db
from meetings import services
from meetings.blueprint import bp
from meetings.clock import utcnow
from meetings.formatting import bdi_message
from meetings.forms import MemberForm
from meetings.models import Closeness, Course, Language, MemberKind
from roles import audit
from roles.access import requires
from roles.permissions import Action


@bp.route("/courses/<int:course_id>")
@requires(Action.VIEW_COURSE)
def course(course_id: int):
    """Show a course: the citizen, their network, meetings and open agreements."""
    overview = services.course_overview(course_id, utcnow())
    return render_template("meetings/course.html", o=overview, member_form=MemberForm())


@bp.route("/courses/<int:course_id>/members", methods=["POST"])
@requires(Action.EDIT_NETWORK)
def add_member(course_id: int):
    """Add a person to the citizen's network."""
    course = db.get_or_404(Course, course_id)
    form = MemberForm()
    if not form.validate_on_submit():
        # Keep what was typed on screen with the message next to it.
        overview = services.course_overview(course_id, utcnow())
        return render_template("meetings/course.html", o=overview, member_form=form), 400
    services.add_member(
        course,
        kind=MemberKind(form.kind.data),
        name=form.name.data,
        relation=form.relation.data or "",
        organisation=form.organisation.data,
        mandate=form.mandate.data,
        contact=form.contact.data,
        closeness=Closeness(form.closeness.data),
        language=Language(form.language.data),
    )
    db.session.commit()
    flash(bdi_message(_("%(name)s is added to the network."), name=form.name.data), "success")
    return redirect(url_for("meetings.course", course_id=course_id, _anchor="network"))


@bp.route("/courses/<int:course_id>/audit")
@requires(Action.VIEW_AUDIT)
def audit_log(course_id: int):
    """Show who looked at or changed the course's data, and why."""
    course = db.get_or_404(Course, course_id)
    entries = audit.entries_for_course(course_id)
    return render_template("meetings/audit.html", course=course, entries=entries)
