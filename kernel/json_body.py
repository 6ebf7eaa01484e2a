"""JSON request bodies: only a view that declares it reads one, and always as an object of typed fields.

Flask-WTF reads a JSON body as form data when a form view gets one: a list is a 500, a `null`
becomes the text "None", and the NUL check of form fields (kernel/input.py) never sees it.
So a JSON body reaches only views marked `@json_endpoint`, and those read it with `json_object()`
and the field readers here, which refuse a wrong type with a message instead of converting it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import abort, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from kernel.ids import MAX_ID

JSON_ATTR = "_rundbord_json"
#: What a BigInteger column holds on every database.
MAX_WHOLE_NUMBER = 2**63 - 1
_WHOLE = re.compile(r"-?[0-9]{1,19}")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadJSON(BadRequest):
    """The body is not what the view takes; `description` says why, in the page's language."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(description=message)
        self.field = field


def json_endpoint(view: Callable) -> Callable:
    """Mark a view as taking a JSON body (it reads it with `json_object()`)."""
    setattr(view, JSON_ATTR, True)
    return view


def refuse_undeclared_json() -> None:
    """Answer 415 when a JSON body is sent to a view that takes forms."""
    if request.method not in _BODY_METHODS or not request.is_json:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and not getattr(view, JSON_ATTR, False):
        abort(415)


def json_object() -> dict[str, Any]:
    """Return the request body as a JSON object; raise BadJSON if it is anything else."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadJSON(_("The request must be a JSON object."))
    return data


def text_field(data: Mapping[str, Any], name: str, default: str = "") -> str:
    """Return a text field as sent; a number, list or null is refused, never turned into text."""
    value = data.get(name, default)
    if not isinstance(value, str):
        raise BadJSON(_("The field “%(field)s” must be text.", field=name), name)
    return value


def whole_number(data: Mapping[str, Any], name: str, default: int = 0, *, low: int = 0, high: int = MAX_WHOLE_NUMBER) -> int:
    """Return a whole number (a JSON number or its digits as text) from low to high."""
    value = data.get(name, default)
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise BadJSON(_("The field “%(field)s” must be a whole number from %(low)s to %(high)s.", field=name, low=low, high=high), name)
    return number


def optional_id(data: Mapping[str, Any], name: str) -> int | None:
    """Return an id, or None when the field is missing, empty or null."""
    if data.get(name) in (None, ""):
        return None
    return whole_number(data, name, low=0, high=MAX_ID)
