"""The second factor for password logins: TOTP (RFC 6238), recovery codes and remembered devices.

Invariants:
- The TOTP secret is stored encrypted (AES-GCM, key derived from SECRET_KEY, bound to the
  user's id): a copy of the database alone does not give anyone the codes.
- A code is accepted once: its 30-second step must be later than the last one accepted.
- A recovery code is kept only as an argon2id hash and works once.
- Failures slow the second factor down exactly as wrong passwords slow an account down,
  with a counter of its own (a right password must not reset it). Every attempt is audited.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup

from extensions import db
from kernel.clock import utcnow
from roles import audit
from roles.models import User
from roles.services import FREE_ATTEMPTS, MAX_LOCK
from roles.signin.models import RecoveryCode, RememberedDevice, SecondFactor

ISSUER_NAME = "Rundbord"
#: Codes from one step before or after now also count (a phone's clock a little off).
VALID_WINDOW = 1
RECOVERY_CODES = 10
# Recovery codes carry 50 random bits: OWASP's minimum argon2id profile is plenty, and ten
# verifications then take a fraction of a second instead of seconds.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by hand


class Check(Enum):
    OK = "ok"
    WRONG = "wrong"
    REUSED = "reused"
    LOCKED = "locked"


@dataclass(frozen=True)
class Outcome:
    check: Check
    locked_until: datetime | None = None
    #: Set when a recovery code was used: how many are left.
    recovery_left: int | None = None


# --- the secret, encrypted ---------------------------------------------------------------


def _key() -> bytes:
    """Derive the encryption key for second-factor secrets from SECRET_KEY."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rundbord second factor v1").derive(secret)


def encrypt_secret(user_id: int, secret: str) -> str:
    """Encrypt a TOTP secret for one user (the user id is authenticated with it: rows cannot be swapped)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, secret.encode(), str(user_id).encode())
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_secret(user_id: int, stored: str) -> str | None:
    """Return the TOTP secret, or None if it cannot be decrypted (SECRET_KEY changed, row moved)."""
    if not stored.startswith("v1:"):
        return None
    raw = base64.urlsafe_b64decode(stored[3:])
    try:
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], str(user_id).encode()).decode()
    except InvalidTag:
        return None


# --- enrolment ---------------------------------------------------------------------------


def factor_of(user: User) -> SecondFactor | None:
    """Return the user's authenticator, confirmed or not."""
    return db.session.scalar(db.select(SecondFactor).where(SecondFactor.user_id == user.id))


def is_enrolled(user: User) -> bool:
    """Return whether the user has a confirmed second factor."""
    factor = factor_of(user)
    return factor is not None and factor.confirmed_at is not None


def start_enrolment(user: User) -> str:
    """Return the secret to show while enrolling; the same one again until it is confirmed."""
    factor = factor_of(user)
    if factor is not None and factor.confirmed_at is None:
        secret = decrypt_secret(user.id, factor.secret_encrypted)
        if secret:
            return secret
    if factor is not None and factor.confirmed_at is not None:
        raise ValueError("already enrolled")
    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret_encrypted="")
        db.session.add(factor)
    factor.secret_encrypted = encrypt_secret(user.id, secret)
    db.session.commit()
    return secret


def provisioning_uri(user: User, secret: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER_NAME)


def qr_svg(uri: str, title: str) -> Markup:
    """Render the QR code as inline SVG on the server (the CSP allows no script and no foreign images)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr", omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # nosec B704 - segno's own SVG of our URI


def grouped(secret: str) -> str:
    """Return the secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; return the ten new recovery codes, or None."""
    factor = factor_of(user)
    if factor is None or factor.confirmed_at is not None:
        return None
    secret = decrypt_secret(user.id, factor.secret_encrypted)
    step = _matching_step(secret, code) if secret else None
    if step is None:
        audit.record("second_factor.enrol_failed", purpose="login", user_id=user.id)
        return None
    factor.confirmed_at = utcnow()
    factor.last_step = step
    factor.failed_attempts = 0
    factor.locked_until = None
    codes = _replace_recovery_codes(user)
    audit.record("second_factor.enrolled", purpose="login", user_id=user.id)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    """Make ten new recovery codes, forgetting the old ones; return them in clear, this once."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    codes = [f"{c[:5]}-{c[5:]}" for c in codes]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hasher.hash(c)) for c in codes)
    db.session.flush()
    return codes


def new_recovery_codes(user: User, code: str) -> list[str] | Outcome:
    """Replace the recovery codes, after a fresh code from the authenticator proves it is the person."""
    outcome = verify(user, code, allow_recovery=False)
    if outcome.check is not Check.OK:
        return outcome
    codes = _replace_recovery_codes(user)
    audit.record("second_factor.recovery_codes_renewed", purpose="login", user_id=user.id)
    return codes


def recovery_codes_left(user: User) -> int:
    """Return how many unused recovery codes the user has."""
    return db.session.scalar(
        db.select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


def remove(user: User) -> None:
    """Remove the user's second factor, recovery codes and remembered devices (not committed)."""
    for model in (SecondFactor, RecoveryCode, RememberedDevice):
        db.session.execute(db.delete(model).where(model.user_id == user.id))


# --- checking a code ---------------------------------------------------------------------


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """Return the time step whose code this is (within the window), or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now if now is not None else time.time())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _lock_for(failures: int) -> timedelta:
    """Hold the second factor back like a password: 30 s doubling after the free attempts, at most 15 minutes."""
    over = failures - FREE_ATTEMPTS
    return timedelta(0) if over < 0 else min(timedelta(seconds=30 * 2**over), MAX_LOCK)


def normalise(code: str) -> str:
    """Return the code without spaces and dashes people type from paper or an app."""
    return "".join(code.split()).replace("-", "").lower()


def verify(user: User, code: str, *, allow_recovery: bool = True, now: float | None = None) -> Outcome:
    """Check a code from the authenticator (or, if allowed, a recovery code); throttled and audited."""
    factor = factor_of(user)
    if factor is None or factor.confirmed_at is None:
        return Outcome(Check.WRONG)
    moment = utcnow()
    if factor.locked_until and factor.locked_until > moment:
        audit.record("second_factor.refused_locked", purpose="login", user_id=user.id)
        return Outcome(Check.LOCKED, locked_until=factor.locked_until)
    typed = normalise(code)
    if typed.isdigit() and len(typed) == 6:
        secret = decrypt_secret(user.id, factor.secret_encrypted)
        step = _matching_step(secret, typed, now) if secret else None
        if step is not None and step <= factor.last_step:
            audit.record("second_factor.reused", purpose="login", user_id=user.id)
            return _failed(factor, Check.REUSED)
        if step is not None:
            factor.last_step = step
            return _passed(factor, "second_factor.ok")
    elif allow_recovery and len(typed) == 10:
        left = _use_recovery_code(user, f"{typed[:5]}-{typed[5:]}")
        if left is not None:
            outcome = _passed(factor, "second_factor.recovery_used")
            return Outcome(outcome.check, recovery_left=left)
    audit.record("second_factor.failed", purpose="login", user_id=user.id)
    return _failed(factor, Check.WRONG)


def _passed(factor: SecondFactor, action: str) -> Outcome:
    factor.failed_attempts = 0
    factor.locked_until = None
    audit.record(action, purpose="login", user_id=factor.user_id)  # commits the step too
    return Outcome(Check.OK)


def _failed(factor: SecondFactor, check: Check) -> Outcome:
    factor.failed_attempts += 1
    lock = _lock_for(factor.failed_attempts)
    factor.locked_until = utcnow() + lock if lock else None
    db.session.commit()
    return Outcome(check, locked_until=factor.locked_until)


def _use_recovery_code(user: User, code: str) -> int | None:
    """Spend a matching unused recovery code; return how many are left, or None if none matched."""
    unused = db.session.scalars(
        db.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        try:
            _code_hasher.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        # Spend it only if nobody spent it in the same moment (two tabs, two servers).
        spent = db.session.execute(
            db.update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow())
        )
        if spent.rowcount != 1:
            return None
        return len(unused) - 1
    return None
