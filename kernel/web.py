"""The web helpers every area shares: page or fragment, and the security headers.

The input boundary (line endings, NUL, lengths) is kernel/input.py; error answers kernel/errors.py.

One view, two answers: the whole page, or just the fragment an htmx request asked for. This
is the only place that decides which, and the only place that says so in `Vary`.
"""

from __future__ import annotations

from flask import make_response, render_template, request
from flask.wrappers import Response


def is_htmx_request() -> bool:
    """Return whether htmx sent the request at all (boosted links and history restores too)."""
    return request.headers.get("HX-Request") == "true"


def is_partial_request() -> bool:
    """Return whether htmx asked for a fragment (not a boosted link, not a history restore)."""
    h = request.headers
    return is_htmx_request() and h.get("HX-Boosted") != "true" and h.get("HX-History-Restore-Request") != "true"


def vary_on_htmx(response: Response) -> Response:
    """Say in `Vary` that this URL answers htmx with a fragment, so caches keep the two apart."""
    response.vary.add("HX-Request")
    return response


def page_or_partial(page: str, partial: str, status: int = 200, *, partial_allowed: bool = True, **context) -> Response:
    """Render the fragment for htmx, else the page; say so in Vary.

    `partial_allowed=False`: this answer is always the page (e.g. a refused form that shows
    every field again), but the URL still branches, so Vary is set all the same.
    """
    template = partial if partial_allowed and is_partial_request() else page
    return vary_on_htmx(make_response(render_template(template, **context), status))


# --- security headers --------------------------------------------------------------------

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
    """Add the security headers every response carries; never let a page with citizen data be cached.

    This is the one place `Cache-Control` is set: views and downloads rely on it.
    """
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
