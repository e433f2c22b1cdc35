"""signed certificates and signing keys

signing_key: the public part, window and status of each key of the
programme's PKI (the root, and the keys that sign certificates); private
keys stay out of the database. certificate.signed_payload and
signing_key_id: the COSE_Sign1 message its QR code carries and the key that
signed it (none on certificates issued before). certificate.
holder_family_name: the family name typed verification compares with,
filled here from the participant for the certificates already issued. An
index on certificate (revoked_at, serial), from which the status list reads
the revoked serials.

Revision ID: b4c9e27db8bd
Revises: 5b8e1f4c2a97
Create Date: 2026-12-02 05:59:03.509028

"""
from alembic import op
import sqlalchemy as sa

import training.orm


# revision identifiers, used by Alembic.
revision = 'b4c9e27db8bd'
down_revision = '5b8e1f4c2a97'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signing_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=16), nullable=False),
        sa.Column(
            'purpose',
            sa.Enum(
                'root', 'certificates', name='keypurpose', native_enum=False,
                create_constraint=True, length=20,
            ),
            nullable=False,
        ),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('not_before', sa.Date(), nullable=False),
        sa.Column('not_after', sa.Date(), nullable=False),
        sa.Column(
            'status',
            sa.Enum(
                'active', 'retired', 'compromised', name='keystatus', native_enum=False,
                create_constraint=True, length=20,
            ),
            nullable=False,
        ),
        sa.Column('created_at', training.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status_changed_at', training.orm.UTCDateTime(timezone=True), nullable=True),
        sa.Column('status_reason', sa.Text(), nullable=True),
        sa.CheckConstraint('not_before <= not_after', name=op.f('ck_signing_key_window_in_order')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key')),
        sa.UniqueConstraint('kid', name=op.f('uq_signing_key_kid')),
    )
    # Plain ADD COLUMNs, the foreign key inline: on SQLite, batch mode would
    # copy the whole certificate table, PDFs included, to add a constraint.
    op.add_column('certificate', sa.Column('holder_family_name', sa.String(length=100)))
    op.add_column('certificate', sa.Column('signed_payload', sa.LargeBinary()))
    foreign_key = op.f('fk_certificate_signing_key_id_signing_key')
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE certificate ADD COLUMN signing_key_id INTEGER"
            f" CONSTRAINT {foreign_key} REFERENCES signing_key (id)"
        )
    else:
        op.add_column('certificate', sa.Column('signing_key_id', sa.Integer()))
        op.create_foreign_key(
            foreign_key, 'certificate', 'signing_key', ['signing_key_id'], ['id']
        )
    op.create_index(
        op.f('ix_certificate_revoked_at_serial'), 'certificate', ['revoked_at', 'serial']
    )
    op.create_index(op.f('ix_certificate_signing_key_id'), 'certificate', ['signing_key_id'])
    op.execute(
        "UPDATE certificate SET holder_family_name = ("
        " SELECT participant.family_name FROM enrollment"
        " JOIN participant ON participant.id = enrollment.participant_id"
        " WHERE enrollment.id = certificate.enrollment_id)"
    )


def downgrade():
    op.drop_index(op.f('ix_certificate_signing_key_id'), table_name='certificate')
    op.drop_index(op.f('ix_certificate_revoked_at_serial'), table_name='certificate')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; batch mode would copy the table.
        for column in ('signing_key_id', 'signed_payload', 'holder_family_name'):
            op.execute(f"ALTER TABLE certificate DROP COLUMN {column}")
    else:
        op.drop_constraint(
            op.f('fk_certificate_signing_key_id_signing_key'), 'certificate', type_='foreignkey'
        )
        for column in ('signing_key_id', 'signed_payload', 'holder_family_name'):
            op.drop_column('certificate', column)
    op.drop_table('signing_key')
