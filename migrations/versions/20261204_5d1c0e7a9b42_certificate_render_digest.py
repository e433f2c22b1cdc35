"""certificate render digest

`certificate.render_digest`: a digest of what each new certificate's PDF
was drawn from (its statement as the renderer received it, the settings
printed on it, the renderer's code, fonts and libraries). A session's print
PDF draws again, in one document sharing fonts and artwork, every
certificate whose digest still matches, and copies the stored page of any
other. Existing certificates have none and keep their bytes: their stored
pages are copied.

Revision ID: 5d1c0e7a9b42
Revises: 26f34338fa10
Create Date: 2026-12-04 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0e7a9b42'
down_revision = '26f34338fa10'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: on SQLite, batch mode would copy the whole
    # certificate table, PDFs included.
    op.add_column('certificate', sa.Column('render_digest', sa.String(length=64), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; batch mode would copy the table.
        op.execute("ALTER TABLE certificate DROP COLUMN render_digest")
    else:
        op.drop_column('certificate', 'render_digest')
