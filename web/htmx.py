"""Whether a request is htmx asking for a fragment (not a boosted link, not a history restore)."""

from __future__ import annotations

from flask import request


def is_partial_request() -> bool:
    """Return whether htmx asked for a fragment (not a boosted link, not a history restore)."""
    h = request.headers
    return h.get("HX-Request") == "true" and h.get("HX-Boosted") != "true" and h.get("HX-History-Restore-Request") != "true"
