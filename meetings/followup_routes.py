"""The tovholder's views between meetings: dashboard, follow-up, network map, consent, convening."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from meetings.blueprint import bp
from roles import services as role_services
from roles.access import login_only


@bp.route("/")
@login_only
def dashboard():
    """List the courses where the user holds a role."""
    courses = role_services.courses_for(current_user)
    return render_template("meetings/dashboard.html", courses=courses)
