"""Staff administration as plain functions: accounts, the first administrator, grants, set-password links.

Every change is audited, and `audit.record` commits the change together with its entry. An
administrator sees staff and counts, never a citizen's name or notes: nothing here reads a
course's data (roles never imports meetings). Using a link is in `links.py`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from extensions import db
from kernel.clock import utcnow
from kernel.refusal import Refusal
from roles import access, audit
from roles.admin.models import SetPasswordLink
from roles.models import Grant, StaffGrant, User
from roles.services import FREE_ATTEMPTS, hash_password

#: Stored instead of a hash until the person sets a password: no password verifies against it.
NO_PASSWORD = "!"
MIN_PASSWORD = 12
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PURPOSE = "administration"


class AdminError(Refusal):
    """A rule of administration was broken; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def now_utc() -> datetime:
    """Return naive UTC like every DateTime column."""
    return utcnow()


def _record(action: str, by: User | None, target: User, detail: str | None = None) -> None:
    audit.record(action, purpose=PURPOSE, user_id=by.id if by else None, object_type="user", object_id=target.id, detail=detail)


# --- checking what was typed -----------------------------------------------------------


def clean_username(raw: str | None) -> str:
    """Return the username as stored (trimmed, lower case), or refuse it with the reason."""
    username = (raw or "").strip().lower()
    if not username:
        raise AdminError(_l("Write a username."), field="username")
    if not USERNAME.fullmatch(username):
        raise AdminError(
            _l("A username has 2 to 80 characters: letters a–z, digits, dot, hyphen or underscore, and no spaces."), field="username"
        )
    return username


def _details(display_name: str | None, email: str | None, unit: str | None, *, email_required: bool = True) -> tuple[str, str | None, str | None]:
    name = (display_name or "").strip()
    if not name:
        raise AdminError(_l("Write the person's name."), field="display_name")
    if len(name) > 200:
        raise AdminError(_l("A name can have at most 200 characters."), field="display_name")
    unit = (unit or "").strip() or None
    mail = (email or "").strip()
    if not mail and not email_required:
        return name, None, unit
    if not mail:
        raise AdminError(_l("Write the person's work email."), field="email")
    if len(mail) > 254 or not EMAIL.fullmatch(mail):
        raise AdminError(_l("Write an email address like name@kommune.dk."), field="email")
    return name, mail, unit


def has_password(user: User) -> bool:
    """Whether the person has set a password (not only received a link)."""
    return user.password_hash != NO_PASSWORD


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Whether repeated wrong passwords hold the account back now."""
    return bool(user.locked_until and user.locked_until > (now or now_utc()))


def needs_unlock(user: User, now: datetime | None = None) -> bool:
    """Whether an administrator's unlock would help: held back now, or about to be at the next mistake."""
    return is_locked(user, now) or user.failed_logins >= FREE_ATTEMPTS


def check_password(new: str | None, repeat: str | None) -> None:
    """Refuse a new password that is too short or too long, or not typed the same twice."""
    if not new:
        raise AdminError(_l("Write a new password."), field="new")
    if len(new) < MIN_PASSWORD:
        raise AdminError(_l("The new password must have at least 12 characters."), field="new")
    if len(new) > 200:
        raise AdminError(_l("The new password can have at most 200 characters."), field="new")
    if new != repeat:
        raise AdminError(_l("The two new passwords are not the same."), field="repeat")


# --- administrators ---------------------------------------------------------------------


def _active_administrators(excluding: int | None = None) -> int:
    query = (
        db.select(db.func.count(User.id))
        .join(StaffGrant, StaffGrant.user_id == User.id)
        .where(StaffGrant.kind == Grant.ADMINISTRATOR, User.active.is_(True))
    )
    if excluding is not None:
        query = query.where(User.id != excluding)
    return db.session.scalar(query) or 0


def grants_of(user: User) -> set[Grant]:
    """Return what the administrator has granted this person."""
    return access.grants_of(user.id)


def set_grants(user: User, wanted: set[Grant], by: User) -> bool:
    """Give and take grants; the last active administrator keeps theirs. Return whether anything changed."""
    have = grants_of(user)
    added, removed = wanted - have, have - wanted
    if Grant.ADMINISTRATOR in removed and user.active and _active_administrators(excluding=user.id) == 0:
        raise AdminError(_l("%(name)s is the only active administrator. Make someone else administrator first.", name=user.display_name))
    if not added and not removed:
        return False
    for grant in added:
        db.session.add(StaffGrant(user_id=user.id, kind=grant, granted_by_id=by.id, granted_at=now_utc()))
    if removed:
        db.session.execute(db.delete(StaffGrant).where(StaffGrant.user_id == user.id, StaffGrant.kind.in_(list(removed))))
    detail = " ".join([*(f"+{g.value}" for g in sorted(added)), *(f"-{g.value}" for g in sorted(removed))])
    _record("staff.grants_changed", by, user, detail)
    return True


# --- set-password links -----------------------------------------------------------------


def link_lifetime() -> timedelta:
    """Return how long a set-password link works (72 hours unless configured)."""
    return timedelta(hours=current_app.config.get("SET_PASSWORD_LINK_HOURS", 72))


def token_hash(token: str) -> str:
    """Return what is stored for a link's token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_open_links(user: User) -> int:
    """Make every open link of the person stop working; return how many."""
    result = db.session.execute(
        db.update(SetPasswordLink)
        .where(SetPasswordLink.user_id == user.id, SetPasswordLink.used_at.is_(None), SetPasswordLink.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )
    return result.rowcount or 0


def _new_link(user: User, by: User | None) -> str:
    """Make a new link (the earlier ones stop working) and return its token; only its hash is kept."""
    revoke_open_links(user)
    token = secrets.token_urlsafe(32)
    now = now_utc()
    db.session.add(
        SetPasswordLink(
            user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + link_lifetime(), created_by_id=by.id if by else None
        )
    )
    db.session.flush()
    return token


def issue_link(user: User, by: User) -> str:
    """Give a staff member a new set-password link (also a password reset); earlier links stop working."""
    if not user.active:
        raise AdminError(_l("%(name)s is deactivated. Reactivate them first.", name=user.display_name))
    token = _new_link(user, by)
    _record("staff.link_issued", by, user)
    return token


def revoke_links(user: User, by: User) -> int:
    """Take back every open set-password link of a staff member; return how many."""
    count = revoke_open_links(user)
    _record("staff.link_revoked", by, user, str(count))
    return count


# --- accounts ---------------------------------------------------------------------------


def create_staff(
    by: User | None, *, display_name: str, username: str, email: str | None, unit: str | None = None, grants: set[Grant] = frozenset(),
    email_required: bool = True,
) -> tuple[User, str]:
    """Create a staff member without a password and return them with a one-time set-password link token."""
    username = clean_username(username)
    name, mail, unit = _details(display_name, email, unit, email_required=email_required)
    if db.session.scalar(db.select(User.id).where(User.username == username)) is not None:
        raise AdminError(_l("The username %(username)s is taken. Choose another.", username=username), field="username")
    user = User(username=username, display_name=name, email=mail, unit=unit, password_hash=NO_PASSWORD)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # someone took the username at the same moment
        db.session.rollback()
        raise AdminError(_l("The username %(username)s is taken. Choose another.", username=username), field="username") from None
    for grant in grants:
        db.session.add(StaffGrant(user_id=user.id, kind=grant, granted_by_id=by.id if by else None, granted_at=now_utc()))
    token = _new_link(user, by)
    _record("staff.created", by, user, " ".join(sorted(g.value for g in grants)) or None)
    return user, token


def update_details(user: User, by: User, *, display_name: str, email: str, unit: str | None) -> None:
    """Change a staff member's name, email and team/unit."""
    user.display_name, user.email, user.unit = _details(display_name, email, unit)
    _record("staff.details_changed", by, user)


def deactivate(user: User, by: User) -> None:
    """Stop a staff member: every session ends at once and open links stop working; their roles stay, shown as inactive."""
    if not user.active:
        raise AdminError(_l("%(name)s is already deactivated.", name=user.display_name))
    if Grant.ADMINISTRATOR in grants_of(user) and _active_administrators(excluding=user.id) == 0:
        if user.id == by.id:
            raise AdminError(_l("You are the only active administrator, so you cannot deactivate yourself. Make someone else administrator first."))
        raise AdminError(_l("%(name)s is the only active administrator. Make someone else administrator first.", name=user.display_name))
    user.active = False
    user.session_version += 1  # every cookie of theirs stops working, on every device
    revoke_open_links(user)
    _record("staff.deactivated", by, user)


def reactivate(user: User, by: User) -> None:
    """Let a deactivated staff member log in again (their earlier sessions stay ended)."""
    if user.active:
        raise AdminError(_l("%(name)s is already active.", name=user.display_name))
    user.active = True
    _record("staff.reactivated", by, user)


def unlock(user: User, by: User) -> None:
    """Lift the hold that wrong passwords put on the account."""
    user.failed_logins = 0
    user.locked_until = None
    _record("staff.unlocked", by, user)


def create_first_admin(username: str, display_name: str | None = None, email: str | None = None, password: str | None = None) -> tuple[User, str | None]:
    """Make the first administrator (`flask create-admin`): a set-password link, or the password typed on the terminal."""
    if _active_administrators() > 0:
        raise AdminError(_l("There is already an administrator. Ask them to create your account in Rundbord."))
    if password is not None:
        check_password(password, password)
    user, token = create_staff(
        None, display_name=display_name or username, username=username, email=email, grants={Grant.ADMINISTRATOR}, email_required=False
    )
    if password is None:
        return user, token
    revoke_open_links(user)
    user.password_hash = hash_password(password)
    _record("staff.password_set_on_terminal", None, user)
    return user, None


