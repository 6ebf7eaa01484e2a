"""Starting a session, and the half-logged-in step between a right password and the second factor.

The half-logged-in state is one entry in the signed session cookie: who, which session
version, since when, and where to go after. It is not a login: Flask-Login knows nobody,
so every page but the second-factor step itself is refused as for anyone anonymous. It
lasts PENDING_SECONDS and ends when the person's sessions are ended (the version changes).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import session, url_for
from flask_login import login_user

from extensions import db
from roles.models import User

PENDING_KEY = "signin_pending"
PENDING_SECONDS = 5 * 60
#: In the session of someone who came in through the identity provider (for logout).
SSO_KEY = "sso"


def safe_next(target: str | None) -> str:
    """Return a same-site path to go on to after login, never another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("meetings.dashboard")


def start_session(user: User, *, sso: dict | None = None) -> None:
    """Log the person in with a fresh session; nothing from before the login carries over."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session["login_at"] = now
    session["seen"] = now
    if user.locale:
        session["locale"] = user.locale
    if sso:
        session[SSO_KEY] = sso


@dataclass(frozen=True)
class Pending:
    user: User
    next: str
    enrol: bool


def begin_pending(user: User, next_path: str, *, enrol: bool) -> None:
    """Remember that this person's password was right; they are not logged in yet."""
    session.clear()
    session[PENDING_KEY] = {"uid": user.id, "v": user.session_version, "at": int(time.time()), "next": next_path, "enrol": enrol}


def pending() -> Pending | None:
    """Return the half-logged-in person of this session, or None (none, expired, or their sessions ended)."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, int(data.get("uid", 0)))
    if user is None or not user.active or user.session_version != data.get("v"):
        session.pop(PENDING_KEY, None)
        return None
    return Pending(user=user, next=safe_next(data.get("next")), enrol=bool(data.get("enrol")))
