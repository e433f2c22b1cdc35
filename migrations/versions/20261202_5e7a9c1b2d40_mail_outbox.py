"""mail outbox

Every message Atelier sends is written to `outbox_message` in the
transaction of the change that caused it, and sent afterwards
(training/mail).

Revision ID: 5e7a9c1b2d40
Revises: 09cb5362a916
Create Date: 2026-12-02 02:10:00

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = '5e7a9c1b2d40'
down_revision = '09cb5362a916'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('to_name', sa.String(length=200), nullable=False),
        sa.Column('sender', sa.String(length=300), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=True),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=True),
        sa.Column('reference', sa.String(length=80), nullable=True),
        sa.Column(
            'status',
            sa.Enum(
                'queued', 'sending', 'sent', 'failed',
                name='mailstatus', native_enum=False, create_constraint=True, length=10,
            ),
            nullable=False,
        ),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', training.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', training.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('sent_at', training.orm.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    )
    op.create_index(
        'ix_outbox_message_due', 'outbox_message', ['status', 'next_attempt_at'], unique=False
    )


def downgrade():
    op.drop_index('ix_outbox_message_due', table_name='outbox_message')
    op.drop_table('outbox_message')
