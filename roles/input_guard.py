"""Refuse text that no database can store (NUL), with a message, before any view runs."""

from __future__ import annotations

from flask import abort, request


def refuse_nul_characters() -> None:
    """Answer 400 when a submitted field contains NUL, which PostgreSQL cannot store.

    The JSON notes endpoint checks this itself and answers with a message the device shows.
    """
    if request.method != "POST" or request.is_json:
        return
    for values in request.form.listvalues():
        if any("\x00" in v for v in values):
            abort(400, description="nul")
