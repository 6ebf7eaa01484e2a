"""Command-line tools: `flask --app app demo`, `create-admin`, `translate`, `purge-audit` (and the areas' own: `send-reminders`, `export-summary`)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from flask import Flask
from flask_babel import force_locale

import demo
from exports import cli as export_cli
from exports.messages import cli as messages_cli
from kernel.deploy import deploy_findings
from roles import audit
from roles.admin import cli as admin_cli

ROOT = Path(__file__).resolve().parent


def register(app: Flask) -> None:
    """Attach Rundbord's commands to the app's CLI."""
    export_cli.register(app)
    admin_cli.register(app)
    messages_cli.register(app)

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only create the demo when the database has no users.")
    def demo_command(if_empty: bool) -> None:
        """(Re)create the fictional demo course and print its logins."""
        if if_empty and not demo.is_empty():
            click.echo("Database already has data; demo not recreated. Demo logins (if it is the demo):")
            _print_logins([(u, demo.DEMO_PASSWORD, "") for u, _n, _r in demo.DEMO_STAFF])
            return
        demo.wipe()
        with force_locale("da"):
            logins = demo.create_demo()
        click.echo("Demo course created.")
        _print_logins(logins)

    @app.cli.command("purge-audit")
    @click.option("--days", type=int, default=None, help="Keep this many days (default: AUDIT_RETENTION_DAYS).")
    def purge_audit_command(days: int | None) -> None:
        """Delete audit entries older than the retention period (run daily)."""
        keep = days if days is not None else app.config["AUDIT_RETENTION_DAYS"]
        removed = audit.purge_older_than(keep)
        click.echo(f"Removed {removed} audit entries older than {keep} days.")

    @app.cli.command("check-deploy")
    @click.option("--workers", type=int, default=None, help="How many app processes will run (default: WEB_CONCURRENCY or 1).")
    def check_deploy_command(workers: int | None) -> None:
        """Report everything unsafe about this configuration for production; exit 1 if anything is."""
        count = workers if workers is not None else int(os.environ.get("WEB_CONCURRENCY", "1"))
        findings = deploy_findings(app, count)
        for f in findings:
            click.echo(f"UNSAFE: {f.what}\n  fix: {f.fix}")
        if findings:
            raise SystemExit(1)
        click.echo("No problems found for production.")

    @app.cli.group("translate")
    def translate() -> None:
        """Extract, update and compile the da/en message catalogues."""

    @translate.command("extract")
    def extract() -> None:
        """Extract messages to messages.pot and update the catalogues."""
        pot = str(ROOT / "translations" / "messages.pot")
        sources = [str(ROOT / p) for p in ("kernel", "meetings", "roles", "exports", "templates", "app.py", "cli.py", "demo.py")]
        options = ["-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_pgettext:1c,2", "--no-location", "--sort-output"]
        CommandLineInterface().run(["pybabel", "extract", *options, "-o", pot, *sources])
        CommandLineInterface().run(["pybabel", "update", "-i", pot, "-d", str(ROOT / "translations"), "--no-fuzzy-matching"])

    @translate.command("compile")
    def compile_() -> None:
        """Compile the catalogues to .mo files."""
        compile_catalogues()


def compile_catalogues() -> None:
    """Compile translations/*/LC_MESSAGES/{messages,wtforms}.po, failing on errors (wtforms: WTForms' own messages)."""
    CommandLineInterface().run(["pybabel", "compile", "-d", str(ROOT / "translations"), "-D", "messages wtforms", "--statistics"])


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    # scripts/run serves on $PORT; say the address it really uses.
    click.echo(f"Log in at http://127.0.0.1:{os.environ.get('PORT') or '5000'} with:")
    for username, password, role in logins:
        click.echo(f"  {username:8} / {password}  {role}")
