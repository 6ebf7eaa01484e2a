"""The sign-in rules an administrator sets, and what a login needs next.

- `require_second_factor`: every password login needs a second factor; a person without one
  enrols at their next login before they get in.
- `sso_creates_accounts`: a person the identity provider vouches for but Rundbord does not
  know gets a staff account without any course role (otherwise they are refused).
- `reset_second_factor`: a lost authenticator is removed by an administrator; the person
  enrols again (at their next login if it is required).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from kernel.clock import utcnow
from roles import audit
from roles.models import User
from roles.signin import devices, totp
from roles.signin.models import SecondFactor, SignInPolicy

#: A password hash that no password matches: the account signs in only through the provider.
NO_PASSWORD = "!sso-only"


class NextStep(Enum):
    IN = "in"  # nothing more: start the session
    CODE = "code"  # type a code from the authenticator (or a recovery code)
    ENROL = "enrol"  # set up an authenticator first: the administrator requires one


def policy() -> SignInPolicy:
    """Return the sign-in policy (defaults when nobody has changed it)."""
    found = db.session.get(SignInPolicy, 1)
    return found if found is not None else SignInPolicy(id=1, require_second_factor=False, sso_creates_accounts=False)


def set_policy(*, require_second_factor: bool | None = None, sso_creates_accounts: bool | None = None, by: User | None = None) -> SignInPolicy:
    """Change the sign-in policy and audit the change; None leaves a setting as it is."""
    current = db.session.get(SignInPolicy, 1)
    if current is None:
        current = SignInPolicy(id=1, require_second_factor=False, sso_creates_accounts=False)
        db.session.add(current)
    if require_second_factor is not None:
        current.require_second_factor = require_second_factor
    if sso_creates_accounts is not None:
        current.sso_creates_accounts = sso_creates_accounts
    current.changed_at = utcnow()
    current.changed_by_id = by.id if by is not None else None
    audit.record(
        "sign_in.policy_changed",
        purpose="administration",
        user_id=by.id if by is not None else None,
        detail=f"require_second_factor={current.require_second_factor} sso_creates_accounts={current.sso_creates_accounts}",
    )
    return current


def password_login_allowed() -> bool:
    """Return whether local username-and-password login is switched on (RUNDBORD_PASSWORD_LOGIN)."""
    return bool(current_app.config["PASSWORD_LOGIN"])


def next_step_after_password(user: User, device_token: str | None) -> NextStep:
    """Decide what a person whose password was right must do before they are in."""
    if totp.is_enrolled(user):
        return NextStep.IN if devices.is_remembered(user, device_token) else NextStep.CODE
    if policy().require_second_factor:
        return NextStep.ENROL
    return NextStep.IN


def may_turn_off(user: User) -> bool:
    """Return whether the person may remove their own second factor (not while everyone must have one)."""
    return not policy().require_second_factor


def reset_second_factor(user: User, by: User | None = None) -> None:
    """Remove a person's lost second factor, recovery codes and remembered devices, and audit it."""
    totp.remove(user)
    audit.record(
        "second_factor.reset",
        purpose="administration",
        user_id=by.id if by is not None else None,
        object_type="user",
        object_id=user.id,
        detail=user.username,
    )


def turn_off(user: User) -> None:
    """Remove one's own second factor (the caller checked `may_turn_off` and a fresh code)."""
    totp.remove(user)
    audit.record("second_factor.turned_off", purpose="login", user_id=user.id)


@dataclass(frozen=True)
class StaffFactor:
    user: User
    enrolled: bool
    sso_only: bool


def staff_second_factors() -> list[StaffFactor]:
    """Return every active staff account with whether it has a second factor, by username."""
    rows = db.session.execute(
        db.select(User, SecondFactor.confirmed_at)
        .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.username)
    ).all()
    return [StaffFactor(user, confirmed is not None, user.password_hash == NO_PASSWORD) for user, confirmed in rows]


def user_by_username(username: str) -> User | None:
    """Return the staff account with this username (as stored: trimmed, lower case)."""
    return db.session.scalar(db.select(User).where(User.username == username.strip().lower()))


def user_by_id(user_id: int | None) -> User | None:
    """Return the staff account with this id, or None."""
    return db.session.get(User, user_id) if user_id else None


def deploy_findings(app: Flask) -> list[tuple[str, str]]:
    """Return (what, fix) for sign-in settings that are unsafe in production."""
    c = app.config
    found: list[tuple[str, str]] = []
    issuer = str(c.get("OIDC_ISSUER") or "")
    if issuer and not issuer.startswith("https://"):
        found.append(("The OpenID Connect issuer is not https.", "Set RUNDBORD_OIDC_ISSUER to the provider's https:// issuer URL."))
    if issuer and not (c.get("OIDC_CLIENT_ID") and c.get("OIDC_CLIENT_SECRET")):
        found.append(("OpenID Connect is set up without a client id or secret.", "Set RUNDBORD_OIDC_CLIENT_ID and RUNDBORD_OIDC_CLIENT_SECRET."))
    if not c.get("PASSWORD_LOGIN", True):
        if not issuer:
            found.append((
                "Password login is off and no OpenID Connect provider is set: nobody can log in.",
                "Set RUNDBORD_OIDC_ISSUER, or RUNDBORD_PASSWORD_LOGIN=true.",
            ))
        return found
    with app.app_context():
        try:
            required = policy().require_second_factor
        except SQLAlchemyError:  # the check must report, not crash, when the database is not reachable
            found.append((
                "Password login is on, and whether a second factor is required could not be read from the database.",
                "Run check-deploy where the database is reachable.",
            ))
            return found
    if not required:
        found.append((
            "Password login is on without a second factor required for everyone.",
            "Run `flask --app app sign-in policy --require-second-factor`, or switch password login off"
            " (RUNDBORD_PASSWORD_LOGIN=false) and sign in through OpenID Connect.",
        ))
    return found
