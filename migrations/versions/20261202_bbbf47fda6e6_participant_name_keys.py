"""participant name keys

Two more keys beside `search_name`, for finding one person across spellings:
`match_name` (the name's words in alphabetical order: given and family names
swapped) and `sound_name` (their Metaphone codes). Filled here for the
participants already registered, then kept by the model on every write.

Revision ID: bbbf47fda6e6
Revises: 10edd9bc960c
Create Date: 2026-12-02 05:12:07.803459

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = 'bbbf47fda6e6'
down_revision = '10edd9bc960c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('match_name', sa.String(length=210), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('sound_name', sa.String(length=210), nullable=False, server_default='')
        )

    from training.text import match_key, sound_key

    participant = sa.table(
        'participant',
        sa.column('id', sa.Integer),
        sa.column('given_name', sa.String),
        sa.column('family_name', sa.String),
        sa.column('match_name', sa.String),
        sa.column('sound_name', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(participant.c.id, participant.c.given_name, participant.c.family_name)
    ).all()
    update = (
        participant.update()
        .where(participant.c.id == sa.bindparam('row_id'))
        .values(match_name=sa.bindparam('match'), sound_name=sa.bindparam('sound'))
    )
    for start in range(0, len(rows), 1000):
        connection.execute(
            update,
            [
                {
                    'row_id': row_id,
                    'match': match_key(given, family),
                    'sound': sound_key(given, family),
                }
                for row_id, given, family in rows[start : start + 1000]
            ],
        )

    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.alter_column('match_name', server_default=None)
        batch_op.alter_column('sound_name', server_default=None)
        batch_op.create_index(batch_op.f('ix_participant_match_name'), ['match_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_sound_name'), ['sound_name'], unique=False)


def downgrade():
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_sound_name'))
        batch_op.drop_index(batch_op.f('ix_participant_match_name'))
        batch_op.drop_column('sound_name')
        batch_op.drop_column('match_name')

