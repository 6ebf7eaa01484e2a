"""Sign-in: the second factor, recovery codes, remembered devices, SSO identities and the policy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from kernel.clock import utcnow


class SecondFactor(db.Model):
    """A person's TOTP authenticator (RFC 6238). Unconfirmed until they typed one code from it."""

    __tablename__ = "second_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    #: The base32 secret, encrypted with a key derived from SECRET_KEY (see totp.py).
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The last 30-second time step accepted: a code is good once, never again.
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecoveryCode(db.Model):
    """One of ten one-time codes for when the authenticator is lost; only its argon2id hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class RememberedDevice(db.Model):
    """A browser where the person chose to skip the second factor for a while; the cookie's token is hashed."""

    __tablename__ = "remembered_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random token in the cookie (the token has 256 bits: no slow hash needed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class SsoIdentity(db.Model):
    """The provider's own id for a staff account, bound at the first SSO sign-in.

    The username claim (e.g. preferred_username) can be handed to someone else later;
    issuer + subject cannot, so once bound, only that subject signs in to this account.
    """

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class SignInPolicy(db.Model):
    """The administrator's choices for signing in; one row (id 1), made when first changed."""

    __tablename__ = "sign_in_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Every password login needs a second factor; a person without one enrols at their next login.
    require_second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A person the provider vouches for but Rundbord does not know gets an account (without any course role).
    sso_creates_accounts: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
