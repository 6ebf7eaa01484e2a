"""Meeting screen (voices, unannounced guests, pre-meeting), follow-up log, session ratings, Brief INSPIRE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:55:25.325448

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed: new NOT NULL columns on existing tables get a server default, so rows already there stay valid.
    op.create_table('inspire_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.Column('connectedness', sa.Integer(), nullable=True),
    sa.Column('hope', sa.Integer(), nullable=True),
    sa.Column('identity', sa.Integer(), nullable=True),
    sa.Column('meaning', sa.Integer(), nullable=True),
    sa.Column('empowerment', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_inspire_response_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_inspire_response_meeting_id_meeting'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspire_response'))
    )
    with op.batch_alter_table('inspire_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspire_response_course_id'), ['course_id'], unique=False)

    op.create_table('session_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_session_rating_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['network_member.id'], name=op.f('fk_session_rating_member_id_network_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_rating')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_session_rating_meeting_id'))
    )
    with op.batch_alter_table('session_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_rating_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('contacted_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_follow_up_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_follow_up_author_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spoke_in_dialogue', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('spoke_in_response', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('unannounced', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chart_in_summary', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_given_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pre_meeting_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('pre_meeting_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_summary_given_by_id_user'), 'user', ['summary_given_by_id'], ['id'], ondelete='SET NULL')

    # ### end Alembic commands ###


def downgrade():
    # Reviewed: new NOT NULL columns on existing tables get a server default, so rows already there stay valid.
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_summary_given_by_id_user'), type_='foreignkey')
        batch_op.drop_column('requested_at')
        batch_op.drop_column('pre_meeting_note')
        batch_op.drop_column('pre_meeting_at')
        batch_op.drop_column('summary_given_by_id')

    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('chart_in_summary')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('unannounced')
        batch_op.drop_column('spoke_in_response')
        batch_op.drop_column('spoke_in_dialogue')

    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_agreement_id'))

    op.drop_table('follow_up')
    with op.batch_alter_table('session_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_rating_meeting_id'))

    op.drop_table('session_rating')
    with op.batch_alter_table('inspire_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspire_response_course_id'))

    op.drop_table('inspire_response')
    # ### end Alembic commands ###
