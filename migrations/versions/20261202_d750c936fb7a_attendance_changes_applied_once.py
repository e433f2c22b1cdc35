"""attendance changes applied once

attendance_change: the ids of the changes the day grid's page sent to the
sync endpoint and that were applied, so a change sent twice (its answer lost
on a field network) is applied once and answered "already applied".

Revision ID: d750c936fb7a
Revises: b4c9e27db8bd
Create Date: 2026-12-02 05:53:57.126328

"""
from alembic import op
import sqlalchemy as sa

import training.orm

# revision identifiers, used by Alembic.
revision = 'd750c936fb7a'
down_revision = 'b4c9e27db8bd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('period', sa.Enum('am', 'pm', name='period', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('applied_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_attendance_change_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_attendance_change_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_change')),
    sa.UniqueConstraint('change_id', name=op.f('uq_attendance_change_change_id'))
    )
    with op.batch_alter_table('attendance_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_change_enrollment_id'), ['enrollment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attendance_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_change_enrollment_id'))

    op.drop_table('attendance_change')
