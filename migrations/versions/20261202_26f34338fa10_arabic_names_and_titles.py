"""arabic names and titles

A participant's name in Arabic script (`participant.name_ar`, optional),
folded into `search_name` (widened to hold both spellings) so that a search
finds either; curricula's and modules' Arabic titles (`title_ar`, optional:
Arabic documents fall back to the French title), in the curriculum's
`search_text` (widened); and, frozen on each new certificate, the holder's
Arabic name and the course's Arabic title (existing certificates have
neither and keep their bytes). No row is rewritten: the new columns start
empty.

Revision ID: 26f34338fa10
Revises: cce6c20155c8
Create Date: 2026-12-02 16:54:00.660762

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = '26f34338fa10'
down_revision = 'cce6c20155c8'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: on SQLite, batch mode would copy the whole
    # certificate table, PDFs included.
    op.add_column('certificate', sa.Column('holder_name_ar', sa.String(length=200), nullable=True))
    op.add_column('certificate', sa.Column('course_title_ar', sa.String(length=250), nullable=True))

    with op.batch_alter_table('curriculum', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_ar', sa.String(length=250), nullable=True))
        batch_op.alter_column('search_text',
               existing_type=sa.VARCHAR(length=600),
               type_=sa.String(length=800),
               existing_nullable=False)

    with op.batch_alter_table('module', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_ar', sa.String(length=250), nullable=True))

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_ar', sa.String(length=200), nullable=True))
        batch_op.alter_column('search_name',
               existing_type=sa.VARCHAR(length=210),
               type_=sa.String(length=420),
               existing_nullable=False)



def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('search_name',
               existing_type=sa.String(length=420),
               type_=sa.VARCHAR(length=210),
               existing_nullable=False)
        batch_op.drop_column('name_ar')

    with op.batch_alter_table('module', schema=None) as batch_op:
        batch_op.drop_column('title_ar')

    with op.batch_alter_table('curriculum', schema=None) as batch_op:
        batch_op.alter_column('search_text',
               existing_type=sa.String(length=800),
               type_=sa.VARCHAR(length=600),
               existing_nullable=False)
        batch_op.drop_column('title_ar')

    for column in ('course_title_ar', 'holder_name_ar'):
        if op.get_bind().dialect.name == "sqlite":
            # SQLite 3.35+ drops a column in place; batch mode would copy the table.
            op.execute(f"ALTER TABLE certificate DROP COLUMN {column}")
        else:
            op.drop_column('certificate', column)

