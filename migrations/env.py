"""Alembic environment for Flask-Migrate: the app's engine and the models' metadata."""

import logging
from contextlib import contextmanager

from alembic import context
from flask import current_app
from sqlalchemy import event

config = context.config
logger = logging.getLogger("alembic.env")
# Only configure logging when nobody has (the `flask db` CLI): fileConfig from alembic.ini
# would silence the app's own loggers, under pytest too.
if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.INFO, format="%(levelname)-5.5s [%(name)s] %(message)s")

target_db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    """Emit SQL for the migrations without connecting (`flask db upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations against the app's database."""

    def process_revision_directives(context, revision, directives):
        # Never write an empty revision when the models did not change.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with target_db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
            return
        with _sqlite_foreign_keys_off(connection):
            # One transaction for the whole run, DDL included: a failed upgrade changes nothing.
            context.configure(connection=connection, target_metadata=target_db.metadata, transactional_ddl=True, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
                _check_foreign_keys(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """Run the block with SQLite's foreign keys off, and begin transactions explicitly.

    Batch mode rebuilds a table by copying it, dropping the old one and renaming the copy.
    With foreign keys on, that DROP first deletes the old table's rows, and ON DELETE CASCADE
    takes every row that refers to them: rebuilding `course` would delete every meeting and
    note. The pragma does nothing inside a transaction, so it is set here, before one begins,
    and read back. The app's connections let Python's sqlite3 begin a transaction only before
    a write, so CREATE and DROP before the first INSERT would run outside one; here the driver
    begins nothing itself and every transaction starts with an explicit BEGIN IMMEDIATE.
    Both settings are put back before the connection returns to the pool.
    """
    raw = connection.connection.driver_connection
    isolation_level = raw.isolation_level
    foreign_keys = raw.execute("PRAGMA foreign_keys").fetchone()[0]
    raw.isolation_level = None

    def begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        if raw.execute("PRAGMA foreign_keys").fetchone()[0]:
            raise RuntimeError("SQLite foreign keys could not be turned off for the migration")
        event.listen(connection, "begin", begin_immediate)
        yield
    finally:
        if event.contains(connection, "begin", begin_immediate):
            event.remove(connection, "begin", begin_immediate)
        raw.isolation_level = isolation_level
        raw.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")


def _check_foreign_keys(connection):
    """Refuse to commit a migration that left a row pointing at nothing (rolls the run back)."""
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        shown = ", ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _fk in problems[:10])
        raise RuntimeError(f"not committed: the migration would leave a broken foreign key in {len(problems)} row(s): {shown}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
