"""paper sheets keyed back and their scans

attendance_record.source: where a mark comes from, the app (the day grid and
its sync endpoint) or a signed paper sheet keyed back; every mark recorded
before is the app's. attendance_scan: the scans of the signed sheets, kept in
the database like certificates' PDFs.

Revision ID: 1cb392705341
Revises: a9753f016c77
Create Date: 2026-12-02 16:41:12.000000

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = '1cb392705341'
down_revision = 'a9753f016c77'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('content_type', sa.Enum('application/pdf', 'image/jpeg', 'image/png', name='scantype', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('size > 0', name=op.f('ck_attendance_scan_not_empty')),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_attendance_scan_session_id_training_session')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attendance_scan_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_scan')),
    sa.UniqueConstraint('session_id', 'date', 'sha256', name=op.f('uq_attendance_scan_session_id_date_sha256'))
    )
    # Existing marks are the app's: the server default fills them.
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Enum('app', 'paper', name='attendancesource', native_enum=False, create_constraint=True, length=10), server_default='app', nullable=False))


def downgrade():
    # The column's CHECK goes first: SQLite's batch copy would keep it.
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attendance_record_attendancesource'), type_='check')
        batch_op.drop_column('source')

    op.drop_table('attendance_scan')
