"""The request boundary: set up once by the composition root, before any blueprint."""

from __future__ import annotations

from flask import Flask

from kernel import errors, input, web
from kernel.ids import IdConverter
from kernel.json_body import refuse_undeclared_json


def init_app(app: Flask) -> None:
    """Set up the request boundary every area relies on; call it before any blueprint is registered.

    Every `<int:...>` in a URL is an id (a number past 64 bits is 404, never a 500); line endings
    become LF once for every form field and JSON string; NUL and JSON sent to a form view are
    refused; errors answer a page with a page, htmx with one line, JSON with JSON; every response
    carries the security headers.
    """
    # Replacing the built-in `int` keeps every route as it is written, and none can miss it.
    app.url_map.converters["int"] = IdConverter
    app.request_class = input.Request
    app.before_request(input.refuse_nul_characters)
    app.before_request(refuse_undeclared_json)
    errors.register(app)
    app.after_request(web.set_security_headers)
