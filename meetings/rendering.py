"""One view, two answers: the whole page, or just the fragment an htmx request asked for."""

from __future__ import annotations

from flask import make_response, render_template, request


def is_partial_request() -> bool:
    """Return whether htmx asked for a fragment (not a boosted link, not a history restore)."""
    h = request.headers
    return h.get("HX-Request") == "true" and h.get("HX-Boosted") != "true" and h.get("HX-History-Restore-Request") != "true"


def page_or_partial(page: str, partial: str, status: int = 200, **context):
    """Render the fragment for htmx, else the page; say so in Vary so caches keep them apart."""
    template = partial if is_partial_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
