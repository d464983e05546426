"""generation notices: PostgreSQL announces every move of an account's generation

Revision ID: 0006_generation_notify
Revises: 0005_mirror

Servers on PostgreSQL listen on the channel (stockade.store.generations) and so know each
account's newest generation without reading it on every request. A trigger, not the
application, sends the notice, so that every writer is heard: other servers, the command line,
an operator's SQL. A deleted account announces a generation past its last, so that nothing
cached under its last generation is served again. SQLite has no notices: nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0006_generation_notify"
down_revision = "0005_mirror"
branch_labels = None
depends_on = None

CHANNEL = "stockade_generation"  # stockade.store.generations.CHANNEL


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION stockade_generation_notice() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM pg_notify('{CHANNEL}', OLD.account_id || ' ' || (OLD.generation + 1));
                RETURN OLD;
            END IF;
            PERFORM pg_notify('{CHANNEL}', NEW.account_id || ' ' || NEW.generation);
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE TRIGGER stockade_generation_notice
        AFTER INSERT OR DELETE OR UPDATE OF generation ON accounts
        FOR EACH ROW EXECUTE FUNCTION stockade_generation_notice()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER stockade_generation_notice ON accounts")
    op.execute("DROP FUNCTION stockade_generation_notice()")
