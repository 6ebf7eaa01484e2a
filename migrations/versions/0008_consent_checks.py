"""A person's check that a consent's circumstance applies, for one meeting's summary.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 14:26:10.756080

A new table; nothing to fill in. Consents "only when …" stay out of every recipient list
until someone records such a check.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consent_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['user.id'], name=op.f('fk_consent_check_checked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consent_id'], ['consent.id'], name=op.f('fk_consent_check_consent_id_consent'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_consent_check_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_check')),
    sa.UniqueConstraint('consent_id', 'meeting_id', name=op.f('uq_consent_check_consent_id'))
    )
    with op.batch_alter_table('consent_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_check_consent_id'), ['consent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_check_meeting_id'), ['meeting_id'], unique=False)



def downgrade():
    with op.batch_alter_table('consent_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_check_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_consent_check_consent_id'))

    op.drop_table('consent_check')
