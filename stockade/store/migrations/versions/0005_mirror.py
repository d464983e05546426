"""mirrors: read-only accounts imported from AWS's get-account-authorization-details

Revision ID: 0005_mirror
Revises: 0004_posture
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_mirror"
down_revision = "0004_posture"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mirrors",
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_key_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.account_id"]),
        sa.PrimaryKeyConstraint("account_id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("mirrors")
