"""Storage: the schema (SQLAlchemy Core), SQLite and PostgreSQL, migrations, transactions."""

from stockade.store.database import Store

__all__ = ["Store"]
