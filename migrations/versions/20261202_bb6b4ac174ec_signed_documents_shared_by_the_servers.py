"""signed documents shared by the servers

signed_document: the trust list and the status list as last signed, kept in
the database so that every application server serves the same bytes (and
ETag), whichever of them made them.

Revision ID: bb6b4ac174ec
Revises: 1cb392705341
Create Date: 2026-12-02 16:45:37.390685

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = 'bb6b4ac174ec'
down_revision = '1cb392705341'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signed_document',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('made_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_signed_document'))
    )


def downgrade():
    op.drop_table('signed_document')
