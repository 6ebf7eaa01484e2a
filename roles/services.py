"""People: passwords, logging in, roles per course."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from extensions import db
from kernel.clock import utcnow
from roles import audit
from roles.models import Role, RoleAssignment, User

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()

#: Failed attempts allowed before an account is slowed down.
FREE_ATTEMPTS = 5
#: The longest an account is ever held back: an attacker can delay a user, never lock them out.
MAX_LOCK = timedelta(minutes=15)

# Verified against when the username is unknown, so the answer takes as long either way.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def create_user(username: str, display_name: str, password: str, locale: str | None = None) -> User:
    """Create a staff user who can log in."""
    user = User(username=username.strip().lower(), display_name=display_name, password_hash=hash_password(password), locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    #: Set when the account is held back after repeated failures.
    locked_until: datetime | None = None


def _lock_for(failures: int) -> timedelta:
    """Return how long to hold an account back after this many failures in a row."""
    over = failures - FREE_ATTEMPTS
    if over < 0:
        return timedelta(0)
    return min(timedelta(seconds=30 * 2**over), MAX_LOCK)


def authenticate(username: str, password: str) -> LoginResult:
    """Check a username and password, slowing an account down after repeated failures."""
    now = utcnow()
    user = db.session.scalar(db.select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        audit.record("login.failed", purpose="login", detail=username[:200])
        return LoginResult(None)
    if user.locked_until and user.locked_until > now:
        audit.record("login.refused_locked", purpose="login", user_id=user.id)
        return LoginResult(None, locked_until=user.locked_until)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        lock = _lock_for(user.failed_logins)
        user.locked_until = now + lock if lock else None
        audit.record("login.failed", purpose="login", user_id=user.id)
        return LoginResult(None, locked_until=user.locked_until)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record("login.ok", purpose="login", user_id=user.id)
    return LoginResult(user)


def password_matches(user: User, password: str) -> bool:
    """Return whether the password is the user's current one."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def load_user(user_id_and_version: str) -> User | None:
    """Return the user for a session id "id:version", or None if that session was ended."""
    try:
        raw_id, raw_version = user_id_and_version.split(":", 1)
        user = db.session.get(User, int(raw_id))
        version = int(raw_version)
    except ValueError:
        return None
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def end_all_sessions(user: User) -> None:
    """End every session of this user, on every device."""
    user.session_version += 1
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of the user."""
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


def set_locale(user: User, locale: str) -> None:
    """Remember the user's interface language."""
    user.locale = locale
    db.session.commit()


def assign_role(user: User, course_id: int, role: Role) -> RoleAssignment:
    """Give a user a role in a course (joining its network team is `meetings.course.rules.join_team`)."""
    assignment = RoleAssignment(user=user, course_id=course_id, role=role)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    """Return the users with these ids (authors, recorders) in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(wanted)))}
