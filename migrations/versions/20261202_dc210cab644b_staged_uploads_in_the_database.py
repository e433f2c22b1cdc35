"""staged uploads in the database

`staged_upload` keeps a nominee file between its preview and its import
(training/enrollment/uploads.py), parsed, in the database rather than on one
app server's disk: one per coordinator and session, removed after a day.

Revision ID: dc210cab644b
Revises: 7c4e2a9b1f03
Create Date: 2026-12-02 05:20:34.566872

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = 'dc210cab644b'
down_revision = '7c4e2a9b1f03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staged_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=False),
    sa.Column('encoding', sa.String(length=40), nullable=True),
    sa.Column('delimiter', sa.String(length=4), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('created_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('imported_at', training.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('imported_count', sa.Integer(), nullable=True),
    sa.Column('rejected_count', sa.Integer(), nullable=True),
    sa.Column('rejects', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_staged_upload_owner_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_staged_upload_session_id_training_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_upload')),
    sa.UniqueConstraint('owner_id', 'session_id', name=op.f('uq_staged_upload_owner_id_session_id'))
    )
    with op.batch_alter_table('staged_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staged_upload_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staged_upload_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('staged_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staged_upload_session_id'))
        batch_op.drop_index(batch_op.f('ix_staged_upload_expires_at'))

    op.drop_table('staged_upload')
