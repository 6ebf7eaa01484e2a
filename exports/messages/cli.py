"""`flask --app app send-reminders`: one round of messages; run it from a timer, like purge-audit."""

from __future__ import annotations

import click
from flask import Flask, current_app

from exports.messages.mailer import send_round
from kernel.clock import utcnow


def register(app: Flask) -> None:
    """Attach the messages command to the app's CLI."""

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue the reminders and weekly overviews due now and send every email that waits (safe to run again)."""
        if current_app.config["RUNDBORD_ENV"] == "production" and not current_app.config.get("PUBLIC_URL"):
            raise click.ClickException("Set RUNDBORD_PUBLIC_URL (e.g. https://rundbord.example.dk): the reply links in the messages point there.")
        report = send_round(utcnow())
        click.echo(
            f"New messages: {report.queued}. Sent: {report.sent}. Not sent, will be tried again: {report.failed}. "
            f"Refused by the mail server: {report.bounced}. Not sent after all: {report.cancelled}. Now letters: {report.letters}."
        )
        for problem in dict.fromkeys(report.problems):
            click.echo(f"  problem: {problem}", err=True)
        if report.server_down:
            # Nothing is lost: the messages wait and the next run tries again. A failing timer gets noticed.
            raise SystemExit(1)
