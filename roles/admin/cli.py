"""`flask --app app create-admin USERNAME`: the first administrator of an empty Rundbord."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask_babel import force_locale
from sqlalchemy.exc import OperationalError, ProgrammingError

from extensions import db
from roles.admin import rules


def register(app: Flask) -> None:
    """Attach the administration commands to the app's CLI."""

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--name", "display_name", default=None, help="The person's name as shown in Rundbord (default: the username).")
    @click.option("--email", default=None, help="Work email (optional).")
    @click.option("--ask-password", is_flag=True, help="Type a password on the terminal instead of getting a one-time link.")
    @click.option(
        "--base-url",
        default=None,
        help="Where Rundbord is reached, for the link (default: RUNDBORD_BASE_URL, else http://127.0.0.1:$PORT).",
    )
    def create_admin_command(username: str, display_name: str | None, email: str | None, ask_password: bool, base_url: str | None) -> None:
        """Make the first administrator and print a one-time link to set the password (valid 72 hours)."""
        password = None
        if ask_password:
            password = click.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
        try:
            with force_locale("en"):
                try:
                    user, token = rules.create_first_admin(username, display_name=display_name, email=email, password=password)
                except rules.AdminError as error:
                    db.session.rollback()
                    raise click.ClickException(str(error.message)) from None
        except (OperationalError, ProgrammingError):
            db.session.rollback()
            raise click.ClickException("The database has no tables yet. Run `flask --app app db upgrade` first.") from None
        click.echo(f"Administrator {user.username} ({user.display_name}) created.")
        if token is None:
            click.echo(f"Log in with the username {user.username} and the password you typed.")
            return
        base = (base_url or app.config.get("BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}").rstrip("/")
        hours = app.config.get("SET_PASSWORD_LINK_HOURS", 72)
        click.echo(f"Open this link within {hours} hours to set the password (it works once):")
        click.echo(f"  {base}/set-password/{token}")
