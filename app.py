"""The composition root: `create_app` reads config, binds extensions, registers blueprints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, make_response, render_template, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import Engine

import cli
import config
from roles import security
from extensions import babel, csrf, db, htmx, limiter, login_manager, mail, migrate

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
    _register_blueprints(app)
    _register_errors(app)
    app.after_request(security.set_security_headers)
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
    # Both areas' models must be imported before the mappers are configured.
    import meetings.models  # noqa: F401
    import meetings.outreach.models  # noqa: F401
    import roles.models  # noqa: F401

    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    import sqlite3

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
    from roles import access, services

    login_manager.init_app(app)
    # Session identity is checked by our own session version, not by IP/user agent:
    # a tablet moving from Wi-Fi to mobile data must stay logged in.
    login_manager.session_protection = None
    login_manager.user_loader(services.load_user)
    from roles import input_guard

    app.before_request(access.enforce_session_limits)
    app.before_request(access.enforce_access)
    app.before_request(input_guard.refuse_nul_characters)
    app.jinja_env.globals["can"] = access.can


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
    from meetings import formatting

    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=TRANSLATIONS_DIR,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        format_datetime=format_datetime,
        format_date=format_date,
        when=formatting.when,
        day=formatting.day,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def _register_blueprints(app: Flask) -> None:
    import exports
    import exports.messages
    import meetings
    import meetings.outreach
    import roles

    app.register_blueprint(roles.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(meetings.outreach.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(exports.messages.bp)


def _database_unavailable(error):
    """The database is locked or unreachable for a moment: nothing is lost, the device tries again."""
    from flask import jsonify
    from flask_babel import gettext as _

    db.session.rollback()
    message = _("Not saved yet — the database is busy. Kept on this device; trying again.")
    if request.is_json or request.accept_mimetypes.best == "application/json":
        response = jsonify({"outcome": "unavailable", "message": message})
    else:
        response = make_response(render_template("errors/error.html", status=503, message=message))
    response.status_code = 503
    response.headers["Retry-After"] = "2"
    return response


def _register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def _page(status: int):
        def handler(error):
            nul = getattr(error, "description", None) == "nul"
            return render_template("errors/error.html", status=status, nul=nul), status

        return handler

    for status in (400, 403, 404, 405, 429, 500):
        app.register_error_handler(status, _page(status))
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(CSRFError, lambda e: (render_template("errors/error.html", status=400, csrf=True), 400))
