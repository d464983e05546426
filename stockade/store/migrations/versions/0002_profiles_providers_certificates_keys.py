"""instance profiles, identity providers, certificates and keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 09:29:45.139222
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_providers",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("url", sa.String(length=255), nullable=False),
        sa.Column("client_ids", sa.JSON(), nullable=False),
        sa.Column("thumbprints", sa.JSON(), nullable=False),
        sa.Column("jwks", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.PrimaryKeyConstraint("arn"),
    )
    with op.batch_alter_table("oidc_providers", schema=None) as batch_op:
        batch_op.create_index("ix_oidc_providers_account", ["account_id"], unique=False)

    op.create_table(
        "saml_providers",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("metadata_document", sa.Text(), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signing_certificates", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.PrimaryKeyConstraint("arn"),
    )
    with op.batch_alter_table("saml_providers", schema=None) as batch_op:
        batch_op.create_index("ix_saml_providers_account", ["account_id"], unique=False)

    op.create_table(
        "server_certificates",
        sa.Column("server_certificate_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("chain", sa.Text(), nullable=True),
        sa.Column("private_key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.PrimaryKeyConstraint("server_certificate_id"),
        sa.UniqueConstraint("account_id", "name"),
    )
    op.create_table(
        "service_linked_role_deletions",
        sa.Column("deletion_task_id", sa.String(length=1000), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.PrimaryKeyConstraint("deletion_task_id"),
    )
    op.create_table(
        "instance_profiles",
        sa.Column("instance_profile_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_key", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("role_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.role_id"],
        ),
        sa.PrimaryKeyConstraint("instance_profile_id"),
        sa.UniqueConstraint("account_id", "name_key"),
    )
    with op.batch_alter_table("instance_profiles", schema=None) as batch_op:
        batch_op.create_index("ix_instance_profiles_role", ["role_id"], unique=False)

    op.create_table(
        "service_specific_credentials",
        sa.Column("credential_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("service_name", sa.String(length=128), nullable=False),
        sa.Column("service_user_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
        ),
        sa.PrimaryKeyConstraint("credential_id"),
    )
    with op.batch_alter_table("service_specific_credentials", schema=None) as batch_op:
        batch_op.create_index("ix_service_specific_credentials_user", ["user_id"], unique=False)

    op.create_table(
        "signing_certificates",
        sa.Column("certificate_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
        ),
        sa.PrimaryKeyConstraint("certificate_id"),
        sa.UniqueConstraint("account_id", "fingerprint"),
    )
    with op.batch_alter_table("signing_certificates", schema=None) as batch_op:
        batch_op.create_index("ix_signing_certificates_user", ["user_id"], unique=False)

    op.create_table(
        "ssh_public_keys",
        sa.Column("ssh_public_key_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.account_id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
        ),
        sa.PrimaryKeyConstraint("ssh_public_key_id"),
    )
    with op.batch_alter_table("ssh_public_keys", schema=None) as batch_op:
        batch_op.create_index("ix_ssh_public_keys_user", ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ssh_public_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_ssh_public_keys_user")

    op.drop_table("ssh_public_keys")
    with op.batch_alter_table("signing_certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_signing_certificates_user")

    op.drop_table("signing_certificates")
    with op.batch_alter_table("service_specific_credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_service_specific_credentials_user")

    op.drop_table("service_specific_credentials")
    with op.batch_alter_table("instance_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_instance_profiles_role")

    op.drop_table("instance_profiles")
    op.drop_table("service_linked_role_deletions")
    op.drop_table("server_certificates")
    with op.batch_alter_table("saml_providers", schema=None) as batch_op:
        batch_op.drop_index("ix_saml_providers_account")

    op.drop_table("saml_providers")
    with op.batch_alter_table("oidc_providers", schema=None) as batch_op:
        batch_op.drop_index("ix_oidc_providers_account")

    op.drop_table("oidc_providers")
