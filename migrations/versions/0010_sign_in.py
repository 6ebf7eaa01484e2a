"""Sign-in: the second factor (TOTP, recovery codes, remembered devices), SSO identities, the sign-in policy, administrators.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04 15:24:06.193250

New tables, empty; nothing to fill in. No policy
row: the defaults (no second factor required, sign-in creates no accounts) hold until an
administrator changes them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('remembered_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_remembered_device_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remembered_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_remembered_device_token_hash'))
    )
    with op.batch_alter_table('remembered_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remembered_device_user_id'), ['user_id'], unique=False)

    op.create_table('second_factor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_encrypted', sa.String(length=255), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_second_factor_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_second_factor')),
    sa.UniqueConstraint('user_id', name=op.f('uq_second_factor_user_id'))
    )
    op.create_table('sign_in_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('require_second_factor', sa.Boolean(), nullable=False),
    sa.Column('sso_creates_accounts', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_sign_in_policy_changed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_policy'))
    )
    op.create_table('sso_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sso_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_sso_identity_issuer')),
    sa.UniqueConstraint('user_id', name=op.f('uq_sso_identity_user_id'))
    )



def downgrade():
    op.drop_table('sso_identity')
    op.drop_table('sign_in_policy')
    op.drop_table('second_factor')
    with op.batch_alter_table('remembered_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remembered_device_user_id'))

    op.drop_table('remembered_device')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
