"""The composition root: `create_app` reads config, binds extensions, registers blueprints."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

import cli
import config

# Importing the areas registers their models, views and URL ids (exports → meetings → roles → kernel).
import exports
import exports.messages
import meetings
import meetings.outreach
import meetings.team
import roles
import roles.admin
import roles.signin
from extensions import babel, csrf, db, htmx, limiter, login_manager, mail, migrate
from kernel import bidi, boundary, clock, deploy
from kernel.input import too_long_message
from roles import access, services
from roles.signin import rules as signin_rules

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
TRANSLATIONS_DIR = str(Path(__file__).resolve().parent / "translations")


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    """Build a Rundbord app. `config_overrides` wins over the environment (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    _configure(app, config_overrides or {})
    _init_database(app)
    _init_auth(app)
    _init_i18n(app)
    htmx.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    boundary.init_app(app)  # before the blueprints: their `<int:...>` routes take its id converter
    _register_blueprints(app)
    # check-deploy also asks the sign-in rules (password login without a second factor, …).
    app.extensions[deploy.DEPLOY_CHECKS] = [signin_rules.deploy_findings]
    cli.register(app)
    return app


def _configure(app: Flask, overrides: dict[str, Any]) -> None:
    app.config.from_mapping(config.DEFAULTS)
    app.config.update(config.mail_settings(os.environ))
    app.config.from_prefixed_env("RUNDBORD")
    app.config.update(overrides)
    production = app.config["RUNDBORD_ENV"] == "production"
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.load_secret_key(app.instance_path, production)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", config.database_url(app.instance_path))
    # Secure cookies wherever the app is deployed for real (HTTPS); plain HTTP in development.
    app.config.setdefault("SESSION_COOKIE_SECURE", production)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)


def _init_database(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # Reads run outside a transaction; a write takes the lock at its BEGIN IMMEDIATE,
        # so busy_timeout applies instead of "database is locked" on upgrade.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])  # never mutate the shared default
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("isolation_level", "IMMEDIATE")
        connect_args.setdefault("timeout", 15)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)

    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    if dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:  # not in-memory
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    # Session identity is checked by our own session version, not by IP/user agent:
    # a tablet moving from Wi-Fi to mobile data must stay logged in.
    login_manager.session_protection = None
    login_manager.user_loader(services.load_user)
    app.before_request(access.enforce_session_limits)
    app.before_request(access.enforce_access)
    app.jinja_env.globals["can"] = access.can
    app.jinja_env.globals["too_long_message"] = too_long_message


def _select_locale() -> str:
    """The user's choice, then the browser's best match of da/en, then Danish."""
    if not has_request_context():
        return "da"
    chosen = session.get("locale")
    if chosen in ("da", "en"):
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in ("da", "en"):
        return current_user.locale
    return request.accept_languages.best_match(["da", "en"]) or "da"


def _init_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=TRANSLATIONS_DIR,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        format_datetime=format_datetime,
        format_date=format_date,
        when=clock.when,
        day=clock.day,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # {{ name|bdi }} in HTML text, {{ name|isolate }} where no markup can go (<title>, <option>).
    app.jinja_env.filters.update(bdi=bidi.bdi, isolate=bidi.isolate)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(roles.bp)
    app.register_blueprint(roles.signin.bp)
    app.register_blueprint(roles.admin.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(meetings.team.bp)
    app.register_blueprint(meetings.outreach.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(exports.messages.bp)

