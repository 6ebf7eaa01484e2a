"""Messages to the people responsible for agreements: how each wants them, what was sent, reply links, replies.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04 15:24:09.172896

New tables only; nothing to fill in. Generated, then reviewed. outgoing_message, reply_link and
agreement_reply are created with AUTOINCREMENT on SQLite (their ids are in the audit trail and
in pages left open), so they join the tables migrations 0005 and 0007 keep from reusing an id;
a new table needs no rebuild for that. (down_revision is re-chained when branches are merged.)
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

#: Tables created with AUTOINCREMENT (meetings.models.IDS_NEVER_REUSED; tests/test_stable_ids.py keeps the lists equal).
TABLES = ("outgoing_message", "reply_link", "agreement_reply")


def upgrade():
    op.create_table('staff_email',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_email_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_email'))
    )
    op.create_table('contact_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('channel', sa.Enum('letter', 'email', name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['network_member.id'], name=op.f('fk_contact_preference_member_id_network_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_preference')),
    sa.UniqueConstraint('member_id', name=op.f('uq_contact_preference_member_id'))
    )
    op.create_table('outgoing_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('agreements', 'before_due', 'overdue', 'digest', name='messagekind', native_enum=False, length=20), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('letter', 'email', name='channel', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'failed', 'bounced', 'letter', 'printed', 'cancelled', name='messagestatus', native_enum=False, length=20), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('about_date', sa.Date(), nullable=True),
    sa.Column('message_id_header', sa.String(length=250), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_outgoing_message_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_outgoing_message_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_outgoing_message_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['network_member.id'], name=op.f('fk_outgoing_message_member_id_network_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outgoing_message_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_message_dedupe_key')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('outgoing_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_message_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_message_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_message_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_message_user_id'), ['user_id'], unique=False)

    op.create_table('message_agreement',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_message_agreement_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['outgoing_message.id'], name=op.f('fk_message_agreement_message_id_outgoing_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'agreement_id', name=op.f('pk_message_agreement'))
    )
    with op.batch_alter_table('message_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_agreement_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('reply_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_reply_link_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['network_member.id'], name=op.f('fk_reply_link_member_id_network_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['outgoing_message.id'], name=op.f('fk_reply_link_message_id_outgoing_message'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_reply_link_revoked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_reply_link_token_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('reply_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_link_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_link_message_id'), ['message_id'], unique=False)

    op.create_table('agreement_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Enum('done', 'more_time', 'comment', name='replyanswer', native_enum=False, length=20), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_reply_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'], name=op.f('fk_agreement_reply_follow_up_id_follow_up'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['link_id'], ['reply_link.id'], name=op.f('fk_agreement_reply_link_id_reply_link'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['network_member.id'], name=op.f('fk_agreement_reply_member_id_network_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_reply')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('agreement_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_reply_agreement_id'), ['agreement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('agreement_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_reply_agreement_id'))

    op.drop_table('agreement_reply')
    with op.batch_alter_table('reply_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_link_message_id'))
        batch_op.drop_index(batch_op.f('ix_reply_link_agreement_id'))

    op.drop_table('reply_link')
    with op.batch_alter_table('message_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_agreement_agreement_id'))

    op.drop_table('message_agreement')
    with op.batch_alter_table('outgoing_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_message_status'))
        batch_op.drop_index(batch_op.f('ix_outgoing_message_member_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_message_course_id'))

    op.drop_table('outgoing_message')
    op.drop_table('contact_preference')
    op.drop_table('staff_email')
