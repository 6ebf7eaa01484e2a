"""The production self-check (`flask check-deploy`): what is unsafe about running this configuration."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class Finding:
    what: str
    fix: str


WEAK_SECRETS = {"", "dev", "secret", "changeme", "test", "test-secret-key-not-for-production", "x"}


#: `app.extensions[DEPLOY_CHECKS]`: the areas' own checks, each `check(app) -> [(what, fix), …]`.
DEPLOY_CHECKS = "rundbord.deploy_checks"


def deploy_findings(app: Flask, workers: int = 1) -> list[Finding]:
    """Return what is unsafe about running this configuration in production."""
    c = app.config
    found: list[Finding] = []
    if app.debug or c.get("DEBUG"):
        found.append(Finding("Debug mode is on.", "Unset FLASK_DEBUG / RUNDBORD_DEBUG."))
    if c.get("TESTING"):
        found.append(Finding("Testing mode is on.", "Do not set TESTING in production."))
    secret = str(c.get("SECRET_KEY") or "")
    if secret in WEAK_SECRETS or len(secret) < 32:
        found.append(Finding("The secret key is weak or a known default.", "Set SECRET_KEY to at least 32 random bytes (secrets.token_hex(32))."))
    if c.get("RUNDBORD_ENV") != "production":
        found.append(Finding("RUNDBORD_ENV is not 'production'.", "Set RUNDBORD_ENV=production."))
    if not c.get("SESSION_COOKIE_SECURE"):
        found.append(Finding("Session cookies are sent over plain HTTP too.", "Serve over HTTPS with RUNDBORD_ENV=production (Secure cookies)."))
    if not c.get("SESSION_COOKIE_HTTPONLY", True):
        found.append(Finding("Session cookies are readable by scripts.", "Keep SESSION_COOKIE_HTTPONLY on."))
    if c.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        found.append(Finding("Session cookies have no SameSite protection.", "Set SESSION_COOKIE_SAMESITE=Lax."))
    if c.get("PREFERRED_URL_SCHEME") != "https":
        found.append(Finding("URLs are not built as https.", "Set RUNDBORD_PREFERRED_URL_SCHEME=https behind your TLS proxy."))
    if str(c.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite") and workers > 1:
        found.append(Finding(f"SQLite with {workers} app processes.", "Use PostgreSQL (DATABASE_URL) when running several processes."))
    if str(c.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory") and workers > 1:
        found.append(Finding("The login rate limit is counted per process.", "Set RUNDBORD_RATELIMIT_STORAGE_URI to a shared store (e.g. redis://)."))
    if not c.get("WTF_CSRF_ENABLED", True):
        found.append(Finding("CSRF protection is off.", "Do not set WTF_CSRF_ENABLED=False."))
    # Areas add their own checks through the composition root (the kernel imports no area).
    for check in app.extensions.get(DEPLOY_CHECKS, ()):
        found.extend(Finding(what, fix) for what, fix in check(app))
    return found
