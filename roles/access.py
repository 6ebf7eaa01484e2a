"""Deny by default: every request is checked here, once, before any view runs.

A view declares what it needs with one of four decorators:
``@public`` (login page), ``@login_only`` (pages about the user themself),
``@requires(Action.X)`` (anything about a course) or ``@requires_staff(StaffAction.X)``
(what the administrator grants: administration, starting a course). A view with none of
them is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from extensions import db
from kernel.web import is_htmx_request
from roles import audit
from roles.models import Grant, Role, RoleAssignment, StaffGrant
from roles.permissions import PURPOSES, STAFF_PURPOSES, Action, StaffAction, allowed, staff_allowed

ACCESS_ATTR = "_rundbord_access"
POLLED_ATTR = "_rundbord_polled"
POLL_AUDIT_WINDOW = timedelta(minutes=10)
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


def requires(action: Action, *, polled: bool = False) -> Callable[[Callable], Callable]:
    """Mark a view as needing `action` in the course its URL points at.

    `polled`: the screen asks this every few seconds to follow along. Such a read is
    audited once per user, course and view in each POLL_AUDIT_WINDOW, not on every
    poll, so the audit log still shows who had the meeting open and when, without
    a meeting's polls burying everything else.
    """

    def mark(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTR, action)
        setattr(view, POLLED_ATTR, polled)
        return view

    return mark


def requires_staff(action: StaffAction) -> Callable[[Callable], Callable]:
    """Mark a view as needing a grant from the administrator (not a course role); refused with 403."""

    def mark(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTR, action)
        return view

    return mark


def grants_of(user_id: int) -> set[Grant]:
    """Return what the administrator has granted this user."""
    return set(db.session.scalars(db.select(StaffGrant.kind).where(StaffGrant.user_id == user_id)))


#: URL argument → how to find the course of the object it names. Checked in this order.
#: The areas above register their own ids (meetings/access.py); roles knows none of them.
COURSE_OF: dict[str, Callable[[int], int | None]] = {}


#: The model of courses (it has `id` and `citizen_id`), registered by the area that owns
#: courses, so the role check reads the course's citizen in the same query.
_course_model: list[Any] = []


def courses_are(model) -> None:
    """Register the course model (the meetings area calls this once, at import)."""
    _course_model[:] = [model]


def course_of(arg: str) -> Callable[[Callable[[int], int | None]], Callable[[int], int | None]]:
    """Register how a URL argument (e.g. "note_id") leads to its course id."""

    def register(finder: Callable[[int], int | None]) -> Callable[[int], int | None]:
        COURSE_OF[arg] = finder
        return finder

    return register


def via(model, attr: str = "course_id") -> Callable[[int], int | None]:
    """Return a finder that loads `model` by id and reads its course id (for `course_of`)."""

    def find(object_id: int) -> int | None:
        obj = db.session.get(model, object_id)
        # Hold on to it: the identity map is weak, and the view is about to ask for it again.
        g.setdefault("access_objects", []).append(obj)
        return getattr(obj, attr) if obj is not None else None

    return find


# A course id needs no lookup: the role query below finds nothing for a course that does not exist.
course_of("course_id")(lambda course_id: course_id)


def _course_id_from_view_args(args: dict[str, Any]) -> int | None:
    """Find which course a URL is about from the ids in it; None if the object does not exist."""
    # The identity map then serves the view's own db.session.get() without a second query.
    for key, finder in COURSE_OF.items():
        if key in args:
            return finder(args[key])
    raise LookupError(f"no course id in URL arguments {sorted(args)}; register one with @course_of")


def roles_in_course(user_id: int, course_id: int) -> set[Role]:
    """Return the roles a user holds in a course (empty: no access at all)."""
    rows = db.session.scalars(
        db.select(RoleAssignment.role).where(RoleAssignment.user_id == user_id, RoleAssignment.course_id == course_id)
    )
    return set(rows)


def _wants_json() -> bool:
    """Return whether the request is a device's JSON save or asks for JSON back."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _login_redirect():
    """Send an anonymous user to the login page; a JSON or htmx request gets 401, never a redirect.

    A redirect followed by `fetch` ends in the login page's 200, which a device could take
    for "saved": the note would be dropped. 401 says plainly that nothing was saved.
    """
    target = url_for("roles.login", next=request.full_path if request.method == "GET" else None)
    if is_htmx_request():
        # Back to the page the person was on (not the fragment or form it asked for);
        # only its path: the login page accepts nothing but a path on this site.
        # static/app.js follows HX-Redirect only for a page's own reads (polls): after a
        # save it keeps the page and what was typed, and offers this link instead.
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        if page.path.startswith("/") and not page.path.startswith("//"):
            target = url_for("roles.login", next=page.path + (f"?{page.query}" if page.query else ""))
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = target
        return response
    if _wants_json():
        message = _("You are logged out. What you typed is kept on this device; log in again to save it.")
        return jsonify({"outcome": "login", "message": message, "login": target}), 401
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
    # A screen polling by itself is not a person using it: an unattended tablet still
    # logs out (and its polling page goes to the login page, taking the notes off screen).
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, POLLED_ATTR, False):
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
    if isinstance(need, StaffAction):
        return _enforce_staff(need, endpoint)
    course_id = _course_id_from_view_args(request.view_args or {})
    if course_id is None:
        abort(404)
    course = _course_model[0]
    rows = db.session.execute(
        db.select(RoleAssignment.role, course.citizen_id)
        .join(course, course.id == RoleAssignment.course_id)
        .where(RoleAssignment.user_id == current_user.id, RoleAssignment.course_id == course_id)
    ).all()
    roles = {role for role, _citizen in rows}
    if not roles:
        # Someone with no role in the course may not even learn that it exists.
        abort(404)
    if not allowed(roles, need):
        abort(403)
    g.course_id = course_id
    g.roles = roles
    if getattr(view, POLLED_ATTR, False) and audit.recorded_since(current_user.id, course_id, endpoint, POLL_AUDIT_WINDOW):
        return None
    audit.record(
        action=endpoint,
        purpose=PURPOSES[need],
        user_id=current_user.id,
        course_id=course_id,
        citizen_id=rows[0][1],
    )
    return None


def _enforce_staff(need: StaffAction, endpoint: str) -> None:
    """Refuse a staff view without its grant; audit the request (no course, no citizen)."""
    grants = grants_of(current_user.id)
    if not staff_allowed(grants, need):
        abort(403, description="staff")  # the error page says who can grant it
    g.grants = grants
    audit.record(action=endpoint, purpose=STAFF_PURPOSES[need], user_id=current_user.id)
    return None


def current_roles() -> set[Role]:
    """Return the current user's roles in the course of this request."""
    return getattr(g, "roles", set())


def can(action: Action) -> bool:
    """Return whether the current user may perform `action` in this request's course (for templates)."""
    return allowed(current_roles(), action)
