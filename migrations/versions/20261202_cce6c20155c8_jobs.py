"""jobs

job: long work a user asked for (the participant-level workbook), its
progress and its result, so that any application server shows it and the
owner downloads the result from any of them (training/jobs).

Revision ID: cce6c20155c8
Revises: bb6b4ac174ec
Create Date: 2026-12-02 16:58:31.461694

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = 'cce6c20155c8'
down_revision = 'bb6b4ac174ec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('arguments', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('result', sa.LargeBinary(), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('result_mimetype', sa.String(length=120), nullable=True),
    sa.Column('result_size', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', training.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', training.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', training.orm.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('progress >= 0', name=op.f('ck_job_progress_not_negative')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_job_owner_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_job_status_created_at', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_status_created_at')
        batch_op.drop_index(batch_op.f('ix_job_owner_id'))

    op.drop_table('job')
