"""organisation search text

organisation.search_text holds the lower-case, accent-free "acronym name"
of each organisation, so that the organisations list finds "Sûreté" from
"surete" on every engine (as participant.search_name does for people). The
existing rows are filled here.

Revision ID: 7c4e2a9b1f03
Revises: 7c3d9e2f4a61
Create Date: 2026-12-02 06:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e2a9b1f03'
down_revision = '7c3d9e2f4a61'
branch_labels = None
depends_on = None


def _fold(text):
    """training.text.fold as it was when this migration was written."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def upgrade():
    op.add_column(
        'organisation',
        sa.Column('search_text', sa.String(length=240), server_default='', nullable=False),
    )
    organisation = sa.table(
        'organisation',
        sa.column('id', sa.Integer),
        sa.column('name', sa.String),
        sa.column('acronym', sa.String),
        sa.column('search_text', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(organisation.c.id, organisation.c.name, organisation.c.acronym)
    ).all()
    if rows:
        connection.execute(
            organisation.update()
            .where(organisation.c.id == sa.bindparam('organisation_id'))
            .values(search_text=sa.bindparam('text')),
            [
                {'organisation_id': id_, 'text': _fold(f"{acronym or ''} {name or ''}")}
                for id_, name, acronym in rows
            ],
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; Alembic's batch mode would
        # rebuild organisation, which other tables reference.
        op.execute("ALTER TABLE organisation DROP COLUMN search_text")
    else:
        op.drop_column('organisation', 'search_text')
