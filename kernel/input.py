"""The input boundary: text arrives in one form, and text that cannot be kept is refused, never cut.

- Line endings: browsers send a textarea's line breaks as CRLF in a plain form post and as LF
  through script; `Request` turns CRLF and CR into LF once, for every form field and every
  string in a JSON body, before any view or form sees them.
- NUL, which PostgreSQL cannot store, is refused with a message.
- Length: `MaxChars` refuses text over a limit with how much is too much, and the page is
  told the limit as `data-maxlength` instead of `maxlength` (a browser cuts a paste at
  `maxlength` without a word; static/app.js counts instead).
"""

from __future__ import annotations

from typing import Any

from flask import Request as FlaskRequest
from flask import abort, request
from flask_babel import format_number, ngettext
from werkzeug.datastructures import ImmutableMultiDict
from wtforms.validators import ValidationError


def normalise_newlines(text: str) -> str:
    """Return `text` with every CRLF and lone CR turned into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_newlines(value)
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value


class Request(FlaskRequest):
    """Flask's request, with line endings made LF in form fields and JSON strings."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any("\r" in v for values in form.listvalues() for v in values):
            self.__dict__["form"] = ImmutableMultiDict(
                [(key, normalise_newlines(v)) for key, values in form.lists() for v in values]
            )

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        return _normalised(super().get_json(force=force, silent=silent, cache=cache))


def refuse_nul_characters() -> None:
    """Answer 400 when a submitted field contains NUL, which PostgreSQL cannot store.

    The JSON notes endpoint checks this itself and answers with a message the device shows.
    """
    if request.method != "POST" or request.is_json:
        return
    for values in request.form.listvalues():
        if any("\x00" in v for v in values):
            abort(400, description="nul")


def too_long_message(over: int | str, limit: int | str) -> str:
    """Say how many characters are too many, in the page's language ("312 characters too long …").

    Given "{count}" and "{max}" instead of numbers, it makes the pattern static/app.js fills in.
    """
    return ngettext(
        "%(count)s character too long — shorten the text before it can be saved (at most %(max)s characters).",
        "%(count)s characters too long — shorten the text before it can be saved (at most %(max)s characters).",
        over if isinstance(over, int) else 2,
        count=format_number(over) if isinstance(over, int) else over,
        max=format_number(limit) if isinstance(limit, int) else limit,
    )


class MaxChars:
    """Refuse text longer than `limit` characters, saying by how much; the page gets `data-maxlength`.

    Use this instead of WTForms' `Length(max=…)`, whose `maxlength` attribute makes a browser
    cut a paste silently.
    """

    def __init__(self, limit: int):
        self.limit = limit
        # Read by templates/_field.html; deliberately not "maxlength", which widgets would render.
        self.field_flags = {"char_limit": limit}

    def __call__(self, form, field) -> None:
        over = len(field.data or "") - self.limit
        if over > 0:
            raise ValidationError(too_long_message(over, self.limit))
