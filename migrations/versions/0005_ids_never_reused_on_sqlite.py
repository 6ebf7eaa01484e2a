"""SQLite never hands out an erased citizen's, course's, meeting's … id again (AUTOINCREMENT).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:55:00.000000

Hand-written and reviewed. Without AUTOINCREMENT, SQLite gives a new row the highest id + 1,
so after the row with the highest id is erased its id comes back, and the audit trail (which
keeps course and citizen ids as plain values) would count the erased person's entries as the
new one's. PostgreSQL's sequences never reuse an id: there this revision does nothing.

On SQLite each table is rebuilt by batch mode (copy, drop, rename) with AUTOINCREMENT. This
needs foreign keys off, or dropping the old table would cascade to every row referring to it:
migrations/env.py turns them off, runs the whole upgrade in one transaction and refuses to
commit if `PRAGMA foreign_key_check` finds a broken reference. The copy keeps every id,
column, index and foreign key (read back from the database).

The rebuild starts each table's counter at its highest id. A row erased before this revision
may have had a higher one, and the audit trail still holds it; so the counters of citizen,
course and meeting start above every id the audit trail names.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

#: The same tables as meetings.models.IDS_NEVER_REUSED marks (a test keeps the two lists equal).
TABLES = ("user", "citizen", "course", "network_member", "meeting", "note", "agreement")

#: Ids of erased rows that the audit trail still holds, per table (each query names them `id`).
AUDITED_IDS = {
    "citizen": "SELECT citizen_id AS id FROM audit_entry",
    "course": "SELECT course_id AS id FROM audit_entry "
    "UNION ALL SELECT object_id FROM audit_entry WHERE object_type = 'course'",
    "meeting": "SELECT object_id AS id FROM audit_entry WHERE object_type = 'meeting'",
}


def upgrade():
    if op.get_context().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    # env.py must have turned them off; with them on, the rebuild would delete data.
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0005 rebuilds tables and needs SQLite's foreign keys off (see migrations/env.py)")
    # Run again after a downgrade, the tables already have counters, maybe above their highest id.
    counters = {}
    if bind.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'").scalar():
        counters = dict(bind.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all())
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass
    for table in TABLES:
        # The copy started the counter at the highest id; an empty table has none yet.
        audited = AUDITED_IDS.get(table, "SELECT NULL AS id")
        op.execute(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')"
        )
        op.execute(
            sa.text(
                f"UPDATE sqlite_sequence SET seq = max(seq, :before, (SELECT coalesce(max(id), 0) FROM ({audited}))) "
                f"WHERE name = '{table}'"
            ).bindparams(before=counters.get(table, 0))
        )


def downgrade():
    # Deliberately nothing. AUTOINCREMENT only changes which id SQLite picks for a new row;
    # 0004's code and schema work the same with it, and taking it away would let erased
    # people's ids be handed out again. Upgrading again simply rebuilds the tables once more.
    pass
