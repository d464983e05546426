"""tags.key_key holds lower-cased keys, which can be longer than the 128 characters of a key

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.alter_column(
            "key_key", existing_type=sa.String(length=128), type_=sa.String(length=512)
        )


def downgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.alter_column(
            "key_key", existing_type=sa.String(length=512), type_=sa.String(length=128)
        )
