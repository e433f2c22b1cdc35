"""personal access tokens for the API

api_token: the personal access tokens of the JSON API (/api/v1), stored as
the SHA-256 of their secret, with their scopes and expiry; audit_event.token_id:
the token a change was made through.

Revision ID: a9753f016c77
Revises: d750c936fb7a
Create Date: 2026-12-02 16:42:59.223974

"""
from alembic import op
import sqlalchemy as sa

import training.orm

# revision identifiers, used by Alembic.
revision = 'a9753f016c77'
down_revision = 'd750c936fb7a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('scopes', sa.String(length=500), nullable=False),
    sa.Column('created_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', training.orm.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', training.orm.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', training.orm.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_api_token_expires_after_creation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_event_token_id'), ['token_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_token_id_api_token'), 'api_token', ['token_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_event_token_id_api_token'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_event_token_id'))
        batch_op.drop_column('token_id')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
