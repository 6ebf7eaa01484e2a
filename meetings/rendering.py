"""One view, two answers: the whole page, or just the fragment an htmx request asked for."""

from __future__ import annotations

from flask import make_response, render_template

from web.htmx import is_partial_request

__all__ = ["is_partial_request", "page_or_partial"]


def page_or_partial(page: str, partial: str, status: int = 200, **context):
    """Render the fragment for htmx, else the page; say so in Vary so caches keep them apart."""
    template = partial if is_partial_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
