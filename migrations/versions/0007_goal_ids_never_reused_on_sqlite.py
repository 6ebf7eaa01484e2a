"""SQLite never hands out a removed goal's id again (AUTOINCREMENT), as 0005 did for others.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 14:40:00.000000

Hand-written. The goals page names each goal by its id in a hidden field. Without
AUTOINCREMENT, removing the newest goal and writing another gives the new one the same id,
so a page left open since would change or remove the new goal. PostgreSQL's sequences never
reuse an id: there this revision does nothing. The table is rebuilt as in 0005 (foreign keys
off, one transaction, checked by migrations/env.py); the counter starts at the highest id.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ("goal",)


def upgrade():
    if op.get_context().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0007 rebuilds a table and needs SQLite's foreign keys off (see migrations/env.py)")
    counters = dict(bind.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all())
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
        op.execute(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')"
        )
        op.execute(
            f"UPDATE sqlite_sequence SET seq = max(seq, {int(counters.get(table, 0))}, (SELECT coalesce(max(id), 0) FROM {table})) "
            f"WHERE name = '{table}'"
        )


def downgrade():
    # Deliberately nothing, as in 0005: AUTOINCREMENT only changes which id a new row gets.
    pass
