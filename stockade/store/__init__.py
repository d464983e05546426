"""Storage: the schema (SQLAlchemy Core), SQLite and PostgreSQL, migrations, transactions."""

from stockade.store.database import NeedsDatabase, Store

__all__ = ["NeedsDatabase", "Store"]
