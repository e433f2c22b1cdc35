"""mail attachments and the per-session notifications switch

outbox_attachment: the files sent with a message (the convocation letter),
deleted with it. training_session.send_notifications: whether its nominees
and trainers are sent mail (on for every existing session).

Revision ID: 7c3d9e2f4a61
Revises: bbbf47fda6e6
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d9e2f4a61'
down_revision = 'bbbf47fda6e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['message_id'], ['outbox_message.id'],
            name=op.f('fk_outbox_attachment_message_id_outbox_message'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attachment')),
    )
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_outbox_attachment_message_id'), ['message_id'], unique=False
        )
    op.add_column(
        'training_session',
        sa.Column('send_notifications', sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; Alembic's batch mode would
        # rebuild training_session, which other tables reference.
        op.execute("ALTER TABLE training_session DROP COLUMN send_notifications")
    else:
        op.drop_column('training_session', 'send_notifications')
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attachment_message_id'))
    op.drop_table('outbox_attachment')
