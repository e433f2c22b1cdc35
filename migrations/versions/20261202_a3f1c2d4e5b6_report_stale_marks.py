"""report stale marks; attendance counted on the session's days

The reports' rows are no longer rewritten inside every flush: writes leave
a mark in `report_stale` and the reports catch the marked sessions up before
reading (training/reports/projection.py). Attended periods now count only
records on the session's days, so the covering index gains the date, and
every row is marked stale once so that the next report rebuilds them all by
the new rule.

Revision ID: a3f1c2d4e5b6
Revises: cb27d3e9dcbb
Create Date: 2026-12-02 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3f1c2d4e5b6'
down_revision = 'cb27d3e9dcbb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_stale',
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('kind', 'ref_id', name=op.f('pk_report_stale')),
    )
    op.drop_index('ix_attendance_record_enrollment_id_status', table_name='attendance_record')
    op.create_index(
        'ix_attendance_record_enrollment_id_status',
        'attendance_record',
        ['enrollment_id', 'status', 'date'],
        unique=False,
    )
    # Everything once, where there is anything: the next report rebuilds
    # every row by the new rule.
    op.execute(
        "INSERT INTO report_stale (kind, ref_id) "
        "SELECT 'all', 0 WHERE EXISTS (SELECT 1 FROM enrollment)"
    )


def downgrade():
    op.drop_index('ix_attendance_record_enrollment_id_status', table_name='attendance_record')
    op.create_index(
        'ix_attendance_record_enrollment_id_status',
        'attendance_record',
        ['enrollment_id', 'status'],
        unique=False,
    )
    op.drop_table('report_stale')
