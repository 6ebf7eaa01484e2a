"""Administration: staff details, grants, set-password links, tovholder handovers, proxy periods.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:28:17.449742

Reviewed after autogenerate. New tables: staff_grant (what an administrator grants: being
administrator, starting courses), set_password_link (only a hash of each link's token),
proxy_period (whom the citizen chose as proxy, from when, until when). New columns: user.email
and user.unit; role_assignment.handed_over_by_id / handed_over_at (the new tovholder's start
page tells of a handover).

None of the new tables goes in the ids-never-reused list (0005): no page, device, calendar
or audit entry names their ids. Links are found by their token's hash, grants by person and
kind, proxy periods by course; audit entries name the user or network member instead.

Existing data: each network member marked as proxy gets a proxy period from the start of
their course (ended on the day they left the network, if they did), so the team page shows
the proxy a database already had. No one is made administrator: after the upgrade,
`flask create-admin` makes the first one. On SQLite, user gets its columns by ALTER TABLE
ADD COLUMN (no rebuild, so it keeps AUTOINCREMENT); role_assignment is rebuilt for its
new foreign key (migrations/env.py: foreign keys off, one transaction, checked).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('set_password_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_set_password_link_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_set_password_link_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_set_password_link_token_hash'))
    )
    with op.batch_alter_table('set_password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_link_user_id'), ['user_id'], unique=False)

    op.create_table('staff_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('administrator', 'starts_courses', name='grant', native_enum=False, length=20), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_staff_grant_granted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_grant_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_grant')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_staff_grant_user_id'))
    )
    with op.batch_alter_table('staff_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_grant_user_id'), ['user_id'], unique=False)

    op.create_table('proxy_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_proxy_period_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ended_by_id'], ['user.id'], name=op.f('fk_proxy_period_ended_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['network_member.id'], name=op.f('fk_proxy_period_member_id_network_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_proxy_period_recorded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxy_period'))
    )
    with op.batch_alter_table('proxy_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_period_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxy_period_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_role_assignment_handed_over_by_id_user'), 'user', ['handed_over_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('unit', sa.String(length=200), nullable=True))

    # The proxies a database already has, as periods from the start of their course (naive UTC).
    if op.get_context().dialect.name == "sqlite":
        day_of, now = "date(m.removed_at)", "datetime('now')"
    else:
        day_of, now = "CAST(m.removed_at AS DATE)", "(now() AT TIME ZONE 'UTC')"
    op.execute(
        "INSERT INTO proxy_period (course_id, member_id, started_on, ended_on, created_at) "
        f"SELECT m.course_id, m.id, c.started_on, {day_of}, {now} "
        "FROM network_member m JOIN course c ON c.id = m.course_id WHERE m.is_proxy"
    )


def downgrade():
    # Dropping a column rebuilds user on SQLite: keep its AUTOINCREMENT (0005).
    with op.batch_alter_table('user', schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column('unit')
        batch_op.drop_column('email')

    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_assignment_handed_over_by_id_user'), type_='foreignkey')
        batch_op.drop_column('handed_over_at')
        batch_op.drop_column('handed_over_by_id')

    with op.batch_alter_table('proxy_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_period_member_id'))
        batch_op.drop_index(batch_op.f('ix_proxy_period_course_id'))

    op.drop_table('proxy_period')
    with op.batch_alter_table('staff_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_grant_user_id'))

    op.drop_table('staff_grant')
    with op.batch_alter_table('set_password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_link_user_id'))

    op.drop_table('set_password_link')
