"""Remembered devices: a browser where the person chose to skip the second factor for a while.

The cookie holds a random 256-bit token; the database keeps only its SHA-256 (a token that
long needs no slow hash). Off by default: a shared tablet must never skip the second factor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from extensions import db
from kernel.clock import utcnow
from roles import audit
from roles.models import User
from roles.signin.models import RememberedDevice

DEVICE_COOKIE = "rundbord_device"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_device(user: User) -> tuple[str, int]:
    """Remember this browser for the user; return the cookie's token and its lifetime in seconds."""
    days = int(current_app.config["REMEMBER_DEVICE_DAYS"])
    token = secrets.token_urlsafe(32)
    db.session.add(RememberedDevice(user_id=user.id, token_hash=_hash_token(token), expires_at=utcnow() + timedelta(days=days)))
    audit.record("second_factor.device_remembered", purpose="login", user_id=user.id)
    return token, days * 86400


def is_remembered(user: User, token: str | None) -> bool:
    """Return whether this browser's cookie is a live remembered device of this user."""
    if not token:
        return False
    found = db.session.scalar(
        db.select(RememberedDevice.id).where(
            RememberedDevice.user_id == user.id,
            RememberedDevice.token_hash == _hash_token(token),
            RememberedDevice.expires_at > utcnow(),
        )
    )
    return found is not None


def remembered_devices(user: User) -> int:
    """Return how many live remembered devices the user has."""
    return db.session.scalar(
        db.select(db.func.count(RememberedDevice.id)).where(RememberedDevice.user_id == user.id, RememberedDevice.expires_at > utcnow())
    ) or 0


def forget_devices(user: User) -> None:
    """Forget every remembered device of the user: each asks for the second factor again."""
    db.session.execute(db.delete(RememberedDevice).where(RememberedDevice.user_id == user.id))
    audit.record("second_factor.devices_forgotten", purpose="login", user_id=user.id)
