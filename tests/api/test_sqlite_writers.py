"""A server on SQLite holds keys and users per account generation too, and learns of commits by
other processes (the command line, an operator's SQL) from SQLite itself (PRAGMA data_version):
a change is enforced on the very next request."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server, start_server, stop_server

ALLOW_GET_USER = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
}


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(Path(tmp_path_factory.mktemp("sqlite-writers")))
    try:
        yield server
    finally:
        stop_server(server)


def _error(call: Any) -> str | None:
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def test_a_key_deactivated_in_sql_is_refused_on_the_next_request(sqlite_server: Server) -> None:
    iam = sqlite_server.client("iam")
    iam.create_user(UserName="outside-sql")
    iam.put_user_policy(
        UserName="outside-sql", PolicyName="get", PolicyDocument=json.dumps(ALLOW_GET_USER)
    )
    key = iam.create_access_key(UserName="outside-sql")["AccessKey"]
    client = sqlite_server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    for _ in range(3):  # held by the server from here on
        assert client.get_user()["User"]["UserName"] == "outside-sql"
    with sqlite3.connect(sqlite_server.data_dir / "stockade.db") as sql:
        sql.execute(
            "UPDATE access_keys SET status = 'Inactive' WHERE access_key_id = ?",
            (key["AccessKeyId"],),
        )
        sql.execute("UPDATE accounts SET generation = generation + 1")
    assert _error(client.get_user) == "InvalidClientTokenId"


def test_a_user_renamed_in_sql_is_renamed_on_the_next_request(sqlite_server: Server) -> None:
    iam = sqlite_server.client("iam")
    iam.create_user(UserName="outside-old")
    for _ in range(3):
        iam.get_user(UserName="outside-old")
    with sqlite3.connect(sqlite_server.data_dir / "stockade.db") as sql:
        sql.execute(
            "UPDATE users SET name = 'outside-new', name_key = 'outside-new'"
            " WHERE name = 'outside-old'"
        )
        sql.execute("UPDATE accounts SET generation = generation + 1")
    assert _error(lambda: iam.get_user(UserName="outside-old")) == "NoSuchEntity"
    assert iam.get_user(UserName="outside-new")["User"]["UserName"] == "outside-new"
