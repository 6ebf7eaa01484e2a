"""Configuration: defaults in code, then the environment, then a test dict."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "IDLE_TIMEOUT_MINUTES": 30,
    "SESSION_LIFETIME_HOURS": 12,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "rundbord_session",
    # A meeting lasts hours: a CSRF token lives as long as the session, not one hour.
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "da",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
    "LANGUAGES": ("da", "en"),
    "LOGIN_RATE_LIMIT": "10 per minute;60 per hour",
    # The set-password page needs no login: throttled per address, and its links expire.
    "SET_PASSWORD_RATE_LIMIT": "10 per minute;60 per hour",
    "SET_PASSWORD_LINK_HOURS": 72,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "RUNDBORD_ENV": "development",
    "AUDIT_RETENTION_DAYS": 183,
    # Sign-in (roles/signin): local passwords, the municipality's OpenID Provider, the second factor.
    "PASSWORD_LOGIN": True,
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_USERNAME_CLAIM": "preferred_username",
    "OIDC_SCOPES": "openid profile email",
    "OIDC_PROVIDER_NAME": "",
    "REMEMBER_DEVICE_DAYS": 30,
    # Messages to the people responsible for agreements (meetings/outreach, exports/messages).
    #: Where people open their reply links, e.g. https://rundbord.example.dk (the CLI has no request to ask).
    "PUBLIC_URL": "",
    "REMINDER_DAYS_BEFORE": 3,
    "OVERDUE_REMINDER_EVERY_DAYS": 7,
    "REPLY_LINK_DAYS": 45,
    "REPLY_LINK_MAX_USES": 5,
    "REPLY_RATE_LIMIT": "20 per minute;200 per hour",
    # Flask-Mailman would use its in-memory backend under TESTING; Rundbord always speaks SMTP.
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_TIMEOUT": 10,
    "MAIL_DEFAULT_SENDER": "Rundbord <rundbord@localhost>",
}

#: The SMTP settings read from the environment as they are named there (MAIL_SERVER=…), with their types.
MAIL_ENV = {
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_DEFAULT_SENDER": str,
    "MAIL_TIMEOUT": int,
}


class ConfigError(RuntimeError):
    """The app cannot start safely with this configuration."""


def mail_settings(environ) -> dict:
    """Return the MAIL_* settings present in the environment, typed ("true"/"1"/"yes" is on)."""
    found = {}
    for name, kind in MAIL_ENV.items():
        raw = environ.get(name)
        if raw is None or raw.strip() == "":
            continue
        raw = raw.strip()
        if kind is bool:
            found[name] = raw.lower() in ("1", "true", "yes", "on")
        elif kind is int:
            try:
                found[name] = int(raw)
            except ValueError as error:
                raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from error
        else:
            found[name] = raw
    return found


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, normalised for SQLAlchemy, or the instance SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "rundbord.db")
    # Hosting platforms hand out postgres:// URLs; psycopg 3 needs its own driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path: str, production: bool) -> str:
    """Return SECRET_KEY from the environment or the instance folder; make one in development."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if production:
        raise ConfigError(
            "No secret key: set SECRET_KEY or create "
            f"{key_file} (e.g. python -c 'import secrets; print(secrets.token_hex(32))' > {key_file})."
        )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Owner-only: the key signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
