"""Response headers for special-category data, and the production self-check (`check-deploy`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask.wrappers import Response

#: No inline script and no eval anywhere (htmx runs with allowEval off); nothing framed,
#: nothing embedded, no <base> tricks. Styles only from our own files.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def set_security_headers(response: Response) -> Response:
    """Add the security headers every response carries; never let a page with citizen data be cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Same-origin requests keep their Referer, which Flask-WTF's strict check needs over HTTPS.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Every page but the static files may hold a citizen's data: not in any cache, not in history.
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


@dataclass(frozen=True)
class Finding:
    what: str
    fix: str


WEAK_SECRETS = {"", "dev", "secret", "changeme", "test", "test-secret-key-not-for-production", "x"}


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
    from roles.signin.rules import deploy_findings as sign_in_findings

    found.extend(Finding(what, fix) for what, fix in sign_in_findings(app))
    return found
