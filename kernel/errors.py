"""Error answers in the person's language: a page for a page, one line for htmx, JSON for JSON.

An htmx request never gets the whole error page: it would land inside the page, header and all,
in place of the form or its status line, and take what was typed with it. It gets
`errors/_error.html`, one line, and the headers send it to the page's problem box, never into the
form; static/app.js puts the line beside the form that was sent instead and leaves the form as it
was. An expired form also brings a fresh CSRF token, so sending again works.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from extensions import db
from kernel.json_body import BadJSON
from kernel.web import is_partial_request

#: Where an htmx error line lands if app.js does not place it by the form (base.html has it).
HTMX_LANDING = "#request-problem"

#: What a person reads inside the page or on the device: what they typed is still there, so no "go back".
INLINE = {
    400: _l("Not saved: something in the request was wrong. What you typed is still here; try again."),
    403: _l("Your role in this course does not allow this. Nothing was changed."),
    404: _l("Not found: it may have been deleted, or you no longer have access. Nothing was changed."),
    405: _l("That is not possible here. Nothing was changed."),
    415: _l("This address takes a form, not JSON. Nothing was changed."),
    429: _l("Too many attempts. Wait a minute and try again; nothing was changed."),
    500: _l("Something went wrong, and it was not your fault. Nothing was changed; try again in a moment."),
}
NUL = _l("Not saved: the text has an invisible control character (NUL), usually from something pasted. "
         "Retype the pasted part and send again; the rest of what you typed is still here.")
STAFF_INLINE = _l("Only an administrator, or someone an administrator has allowed, can do this. Nothing was changed.")
CSRF_INLINE = _l("Not saved: the page had expired. What you typed is still here; send it again.")
CSRF_JSON = _l("Not saved: the page had expired. The note is kept on this device; reload the page to send it.")
BUSY_INLINE = _l("Not saved yet: the database is busy. What you typed is still here; send it again in a moment.")
BUSY_JSON = _l("Not saved yet — the database is busy. Kept on this device; trying again.")


def register(app: Flask) -> None:
    """Answer every HTTP error, an expired form, a bad JSON body and a busy database."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(BadJSON, _bad_json)
    app.register_error_handler(OperationalError, _database_unavailable)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _answer(status: int, inline: str, *, outcome: str = "error", field: str | None = None, **page):
    """Render the answer for what asked: JSON, an htmx line, or the full error page (which has its own words)."""
    if _wants_json():
        response = jsonify({"outcome": outcome, "message": inline, **({"field": field} if field else {})})
    elif is_partial_request():
        response = make_response(render_template("errors/_error.html", status=status, message=inline, **page))
        response.headers["HX-Retarget"] = HTMX_LANDING
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = make_response(render_template("errors/error.html", status=status, **page))
    response.status_code = status
    response.vary.add("HX-Request")
    return response


def _http_error(error: HTTPException):
    """Answer an HTTP error (400, 403, 404, 405, 415, 429, 500 …) in the form that was asked for."""
    status = error.code or 500
    if status == 400 and error.description == "nul":
        return _answer(400, str(NUL), outcome="invalid", nul=True)
    if status == 403 and error.description == "staff":  # a grant from the administrator, not a course role
        return _answer(403, str(STAFF_INLINE), staff=True)
    return _answer(status, str(INLINE.get(status) or INLINE[500 if status >= 500 else 400]))


def _csrf_error(error: CSRFError):
    """The form's token is no longer the session's: nothing saved; a fresh token comes along for htmx."""
    return _answer(400, str(CSRF_JSON if _wants_json() else CSRF_INLINE), outcome="expired", csrf=True)


def _bad_json(error: BadJSON):
    """A JSON body that is not the object the view takes: say which field is wrong."""
    return _answer(400, str(error.description), outcome="invalid", field=error.field)


def _database_unavailable(error: OperationalError):
    """The database is locked or unreachable for a moment: nothing is lost, the device tries again."""
    db.session.rollback()
    response = _answer(503, str(BUSY_JSON if _wants_json() else BUSY_INLINE), outcome="unavailable")
    response.headers["Retry-After"] = "2"
    return response
