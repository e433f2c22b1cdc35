"""staged screening lists

`staged_upload` also keeps a screening list between its preview and its
import (training/enrollment/screening_import.py): a `kind` says which, and a
screening list belongs to no session.

Revision ID: 5b8e1f4c2a97
Revises: dc210cab644b
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b8e1f4c2a97'
down_revision = 'dc210cab644b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staged_upload', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), server_default='nominees', nullable=False)
        )
        batch_op.alter_column('session_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            'nominees_have_a_session', "kind = 'screenings' OR session_id IS NOT NULL"
        )


def downgrade():
    op.execute("DELETE FROM staged_upload WHERE session_id IS NULL")
    with op.batch_alter_table('staged_upload', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staged_upload_nominees_have_a_session'), type_='check')
        batch_op.alter_column('session_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('kind')
