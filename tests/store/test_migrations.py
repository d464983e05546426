"""Upgrading keeps what a database holds: a database made at revision 0001, with rows written as
a 0001 server wrote them, upgrades to the newest revision with every row intact, the new tables
usable with the old rows, and the schema exactly what `stockade.store.schema` declares. On SQLite,
and on PostgreSQL when a server is at 127.0.0.1:5432 (see tests/api/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, select

from stockade.store import Store
from stockade.store import schema as t
from stockade.store.migrate import alembic_config
from tests.api.conftest import NO_POSTGRES, _drop_postgres_database, _postgres_database

CREATED = datetime(2026, 1, 2, 3, 4, 5)  # naive: reflected 0001 tables know no zone

OLD_ROWS: dict[str, list[dict[str, Any]]] = {
    "accounts": [
        {
            "account_id": "123456789012",
            "alias": "old-corp",
            "billing_access_for_iam": False,
            "read_only_mirror": False,
            "generation": 7,
            "created_at": CREATED,
        }
    ],
    "users": [
        {
            "user_id": "AIDAOLDUSER0000000001",
            "account_id": "123456789012",
            "name": "Alice",
            "name_key": "alice",
            "path": "/",
            "created_at": CREATED,
        }
    ],
    "roles": [
        {
            "role_id": "AROAOLDROLE0000000001",
            "account_id": "123456789012",
            "name": "web",
            "name_key": "web",
            "path": "/app/",
            "trust_policy": '{"Version":"2012-10-17","Statement":[]}',
            "max_session_duration": 3600,
            "service_linked": False,
            "created_at": CREATED,
        }
    ],
    "access_keys": [
        {
            "access_key_id": "AKIAOLDKEY0000000001",
            "account_id": "123456789012",
            "user_id": "AIDAOLDUSER0000000001",
            "secret_sealed": b"\x01sealed-bytes",
            "status": "Active",
            "created_at": CREATED,
        }
    ],
    "tags": [
        {
            "account_id": "123456789012",
            "resource_arn": "arn:aws:iam::123456789012:user/Alice",
            "key_key": "team",
            "key": "Team",
            "value": "payments",
        }
    ],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    database = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        database = _postgres_database()
        if database is None:
            pytest.skip(reason=NO_POSTGRES)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    opened = Store(url)
    try:
        yield opened
    finally:
        opened.close()
        if database:
            _drop_postgres_database(database)


def _upgrade(store: Store, revision: str) -> None:
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _tables(connection: Connection) -> dict[str, Table]:
    """The tables as the database has them (not as today's schema declares them)."""
    reflected = MetaData()
    reflected.reflect(connection)
    return dict(reflected.tables)


def _rows(connection: Connection, table: Table) -> list[dict[str, Any]]:
    ordered = select(table).order_by(*table.primary_key.columns)
    return [dict(row) for row in connection.execute(ordered).mappings()]


def test_a_0001_database_upgrades_to_head_with_its_rows(store: Store) -> None:
    _upgrade(store, "0001")
    with store.write() as tx:
        old = _tables(tx)
        assert "instance_profiles" not in old
        for name, rows in OLD_ROWS.items():
            tx.execute(old[name].insert(), rows)
        before = {name: _rows(tx, old[name]) for name in old if name != "alembic_version"}

    store.migrate()

    head = ScriptDirectory.from_config(alembic_config(store)).get_current_head()
    with store.write() as tx:
        assert MigrationContext.configure(tx).get_current_revision() == head
        new = _tables(tx)
        assert {name: _rows(tx, new[name]) for name in before} == before
        assert set(new) >= {
            "instance_profiles",
            "oidc_providers",
            "saml_providers",
            "server_certificates",
            "signing_certificates",
            "ssh_public_keys",
            "service_specific_credentials",
            "service_linked_role_deletions",
        }
        # The new tables take rows that refer to the old ones.
        tx.execute(
            t.instance_profiles.insert().values(
                instance_profile_id="AIPANEWPROFILE0000001",
                account_id="123456789012",
                name="web",
                name_key="web",
                path="/",
                role_id="AROAOLDROLE0000000001",
                created_at=CREATED,
            )
        )
        held = tx.execute(select(t.instance_profiles.c.role_id)).scalar_one()
        assert held == "AROAOLDROLE0000000001"
        # What the migrations built is what the schema declares: nothing left to generate.
        assert compare_metadata(MigrationContext.configure(tx), t.metadata) == []


def test_0002_downgrades_to_0001_and_back(store: Store) -> None:
    _upgrade(store, "head")
    config = alembic_config(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with store.read() as tx:
        tables = set(_tables(tx))
    assert "instance_profiles" not in tables and "users" in tables
    _upgrade(store, "head")
