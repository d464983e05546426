"""A server whose PostgreSQL connections are cut (a database restart, a failover, an idle
timeout) recovers: a request on a dropped connection may fail once, as AWS's 5xx do, and the
connection is replaced for the next one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import psycopg
import pytest
from botocore.config import Config

from tests.api.conftest import (
    NO_POSTGRES,
    Server,
    _drop_postgres_database,
    _postgres_database,
    start_server,
    stop_server,
)


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    database = _postgres_database()
    if database is None:
        pytest.skip(reason=NO_POSTGRES)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    server = start_server(Path(tmp_path_factory.mktemp("reconnect")), url)
    try:
        yield server, database
    finally:
        stop_server(server)
        _drop_postgres_database(database)


def _cut_connections(database: str) -> int:
    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True
    ) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        ).fetchall()
    return len(rows)


def test_reads_recover_after_the_database_drops_every_connection(
    pg_server: tuple[Server, str],
) -> None:
    server, database = pg_server
    iam = server.client("iam")
    for _ in range(40):  # every worker thread takes and keeps a read connection
        assert iam.get_user(UserName="admin")["User"]["UserName"] == "admin"
    iam.create_user(UserName="before-the-cut")
    assert _cut_connections(database) > 0
    # Each dropped connection fails at most one request; a client that retries a 5xx, as every
    # AWS SDK does, sees every call succeed.
    patient = boto3.client(
        "iam",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=server.admin_key,
        aws_secret_access_key=server.admin_secret,
        config=Config(retries={"mode": "standard", "max_attempts": 10}),
    )
    for _ in range(60):
        assert patient.get_user(UserName="admin")["User"]["UserName"] == "admin"
    patient.create_user(UserName="after-the-cut")
    # Then nothing fails at all: the dropped connections have been replaced.
    for _ in range(40):
        assert iam.get_user(UserName="admin")["User"]["UserName"] == "admin"
    iam.delete_user(UserName="before-the-cut")
    assert iam.get_user(UserName="after-the-cut")["User"]["UserName"] == "after-the-cut"
