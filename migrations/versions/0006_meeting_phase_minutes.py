"""The leader can plan single phases: meeting.phase_minutes ({"dialogue": 40}).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:50:00

A nullable JSON column: existing meetings keep following the usual shares of their
planned length, so nothing needs filling in.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase_minutes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('phase_minutes')
