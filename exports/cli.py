"""Export commands for batch use (`flask --app app export-summary …`)."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach the export commands to the app's CLI."""
