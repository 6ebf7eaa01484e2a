"""Deny by default: every request is checked here, once, before any view runs.

A view declares what it needs with one of three decorators:
``@public`` (login page), ``@login_only`` (pages about the user themself) or
``@requires(Action.X)`` (anything about a course). A view with none of them is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from extensions import db
from meetings.models import Agreement, Course, Meeting, NetworkMember, Note
from roles.models import Role, RoleAssignment
from roles.permissions import PURPOSES, Action, allowed
from roles import audit

ACCESS_ATTR = "_rundbord_access"
PUBLIC = "public"
LOGIN_ONLY = "login_only"
#: Endpoints Flask itself adds. Everything else must declare its access.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def login_only(view: Callable) -> Callable:
    """Mark a view as needing a logged-in user but no course role."""
    setattr(view, ACCESS_ATTR, LOGIN_ONLY)
    return view


def requires(action: Action) -> Callable[[Callable], Callable]:
    """Mark a view as needing `action` in the course its URL points at."""

    def mark(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTR, action)
        return view

    return mark


def _course_id_from_view_args(args: dict[str, Any]) -> int | None:
    """Find which course a URL is about from the ids in it; None if the object does not exist."""
    # One cheap lookup per kind of id; the identity map serves the view's own get() after.
    if "course_id" in args:
        course = db.session.get(Course, args["course_id"])
        return course.id if course else None
    for key, model in (("meeting_id", Meeting), ("note_id", Note), ("agreement_id", Agreement), ("member_id", NetworkMember)):
        if key in args:
            obj = db.session.get(model, args[key])
            if obj is None:
                return None
            return obj.meeting.course_id if isinstance(obj, Note) else obj.course_id
    raise LookupError(f"no course id in URL arguments {sorted(args)}")


def roles_in_course(user_id: int, course_id: int) -> set[Role]:
    """Return the roles a user holds in a course (empty: no access at all)."""
    rows = db.session.scalars(
        db.select(RoleAssignment.role).where(RoleAssignment.user_id == user_id, RoleAssignment.course_id == course_id)
    )
    return set(rows)


def _login_redirect():
    """Send an anonymous user to the login page (htmx: replace the whole page)."""
    target = url_for("roles.login", next=request.full_path if request.method == "GET" else None)
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def enforce_session_limits():
    """Log the user out after the idle time or the absolute session lifetime."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    lifetime = current_app.config["SESSION_LIFETIME_HOURS"] * 3600
    last_seen = session.get("seen", now)
    started = session.get("login_at", now)
    if now - last_seen > idle or now - started > lifetime:
        logout_user()
        session.clear()
        flash(_("You were logged out because the screen was not used for a while."), "info")
        return _login_redirect()
    session["seen"] = now
    return None


def enforce_access():
    """Check the current request against its view's declared access; refuse anything undeclared."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: Flask answers 404/405 itself
        return None
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions[endpoint]
    need = getattr(view, ACCESS_ATTR, None)
    if need is None:
        current_app.logger.error("Endpoint %s declares no access rule; refused.", endpoint)
        abort(403)
    if need == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return _login_redirect()
    if need == LOGIN_ONLY:
        return None
    course_id = _course_id_from_view_args(request.view_args or {})
    if course_id is None:
        abort(404)
    roles = roles_in_course(current_user.id, course_id)
    if not roles:
        # Someone with no role in the course may not even learn that it exists.
        abort(404)
    if not allowed(roles, need):
        abort(403)
    g.course_id = course_id
    g.roles = roles
    course = db.session.get(Course, course_id)
    audit.record(
        action=endpoint,
        purpose=PURPOSES[need],
        user_id=current_user.id,
        course_id=course_id,
        citizen_id=course.citizen_id if course else None,
    )
    return None


def current_roles() -> set[Role]:
    """Return the current user's roles in the course of this request."""
    return getattr(g, "roles", set())


def can(action: Action) -> bool:
    """Return whether the current user may perform `action` in this request's course (for templates)."""
    return allowed(current_roles(), action)
