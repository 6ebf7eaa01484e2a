"""Small web helpers every area uses: ids in URLs, JSON bodies, error answers, htmx, forms.

`web` sits below `roles`, `meetings` and `exports`: it imports none of them.
"""

from __future__ import annotations

from flask import Flask

from web import errors
from web.ids import IdConverter
from web.json_body import refuse_undeclared_json


def init_app(app: Flask) -> None:
    """Make every `<int:...>` an id, keep JSON bodies away from form views, answer errors; before any route."""
    # Replacing the built-in `int` keeps every route as it is written, and none can miss it.
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_undeclared_json)
    errors.register(app)
