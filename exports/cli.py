"""Export commands for batch use (`flask --app app export-summary …`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app, render_template

from exports.summary import Summary, build_summary, file_name
from exports.summary_docx import build_summary_docx
from extensions import db
from meetings.models import Meeting

STATIC = Path(__file__).resolve().parent.parent / "static"

#: A page of its own for the summary as a file: no navigation, the print stylesheet inline.
STANDALONE_LAYOUT = """<!doctype html>
<html lang="{{ summary.lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}{% endblock %}</title>
  <style>{{ inline_css|safe }}</style>
</head>
<body class="summary-document">
  <main id="main">{% block content %}{% endblock %}</main>
</body>
</html>
"""


def render_summary_html(summary: Summary) -> str:
    """Return the summary as one self-contained HTML file (needs an app context)."""
    layout = current_app.jinja_env.from_string(STANDALONE_LAYOUT)
    css = (STATIC / "summary-print.css").read_text(encoding="utf-8")
    with current_app.test_request_context("/"):
        return render_template("exports/summary.html", summary=summary, layout=layout, standalone=True, inline_css=css)


def register(app: Flask) -> None:
    """Attach the export commands to the app's CLI."""

    @app.cli.command("export-summary")
    @click.argument("meeting_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(["docx", "html"]), default="docx", show_default=True, help="File type.")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        default=None,
        help="File to write (default: the citizen's name and the date, in this folder).",
    )
    @click.option("--lang", type=click.Choice(["da", "en"]), default=None, help="Language (default: the citizen's).")
    def export_summary(meeting_id: int, fmt: str, out: Path | None, lang: str | None) -> None:
        """Write the citizen's summary of a closed meeting as DOCX or HTML."""
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None:
            raise click.ClickException(f"There is no meeting with id {meeting_id}.")
        if meeting.closed_at is None:
            raise click.ClickException(
                f"Meeting {meeting_id} is not closed yet. A summary is made after the meeting is closed."
            )
        summary = build_summary(meeting_id, lang)
        if fmt == "docx":
            data = build_summary_docx(summary)
        else:
            data = render_summary_html(summary).encode("utf-8")
        if out is None:
            out = Path(file_name(summary.citizen_name, summary.meeting_date, fmt))
        try:
            out.write_bytes(data)
        except OSError as error:
            raise click.ClickException(f"Could not write {out}: {error.strerror}.") from error
        click.echo(f"Wrote the summary of meeting {meeting_id} ({summary.lang}) to {out}.")
