"""Using a one-time set-password link: the page for it needs no login.

A link works once, for a limited time, and stops working when a newer link is made, the
person is deactivated, or an administrator takes it back (`rules.py` makes and revokes
links). The page is throttled per address (routes); every use and refusal is audited here,
never the token.
"""

from __future__ import annotations

import enum
from datetime import datetime

from extensions import db
from roles import audit
from roles.admin.models import SetPasswordLink
from roles.admin.rules import AdminError, check_password, now_utc, token_hash
from roles.models import User
from roles.services import hash_password


class LinkProblem(str, enum.Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    INACTIVE = "inactive"


class LinkRefused(AdminError):
    """A set-password link that cannot be used (any more)."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _find(token: str) -> SetPasswordLink | None:
    return db.session.scalar(db.select(SetPasswordLink).where(SetPasswordLink.token_hash == token_hash(token)))


def check_link(token: str, now: datetime | None = None) -> SetPasswordLink:
    """Return the link for this token if it can still be used; else raise LinkRefused saying why."""
    now = now or now_utc()
    link = _find(token)
    if link is None:
        raise LinkRefused(LinkProblem.UNKNOWN)
    if link.used_at is not None:
        raise LinkRefused(LinkProblem.USED)
    if link.revoked_at is not None:
        raise LinkRefused(LinkProblem.REVOKED)
    if link.expires_at <= now:
        raise LinkRefused(LinkProblem.EXPIRED)
    if not link.user.active:
        raise LinkRefused(LinkProblem.INACTIVE)
    return link


def set_password_by_link(token: str, new: str | None, repeat: str | None) -> User:
    """Set the password with a one-time link: it works once, ends every session, and lifts a lock."""
    link = check_link(token)
    check_password(new, repeat)
    now = now_utc()
    # Single use even when two requests race: only one UPDATE finds the link still open.
    claimed = db.session.execute(
        db.update(SetPasswordLink)
        .where(
            SetPasswordLink.id == link.id,
            SetPasswordLink.used_at.is_(None),
            SetPasswordLink.revoked_at.is_(None),
            SetPasswordLink.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise LinkRefused(LinkProblem.USED)
    user = link.user
    user.password_hash = hash_password(new)
    user.session_version += 1  # a session someone else had on this account ends
    user.failed_logins = 0
    user.locked_until = None
    audit.record("password_link.used", purpose="login", user_id=user.id, object_type="user", object_id=user.id)
    return user


def record_opened(link: SetPasswordLink) -> None:
    """Audit that a working link's page was opened."""
    audit.record("password_link.opened", purpose="login", user_id=link.user_id, object_type="user", object_id=link.user_id)


def record_refused(problem: LinkProblem, token: str) -> None:
    """Audit a refused link: why, and whose it was when known."""
    link = _find(token)
    audit.record("password_link.refused", purpose="login", user_id=link.user_id if link else None, detail=problem.value)
