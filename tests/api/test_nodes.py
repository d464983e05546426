"""Two `stockade serve` nodes on one PostgreSQL database: what one changes, the other enforces.

A node holds access keys, callers, users and compiled policies per account generation, and
learns of each generation's move from PostgreSQL's notices (stockade.store.generations). So a
change made on one node (or by the command line, or in SQL) reaches the other within moments,
as on AWS, whose IAM is eventually consistent; the node that made it enforces it at once. Each
test warms the second node first, so that it answers from memory, then changes things on the
first and waits (boundedly) for the second to follow.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from botocore.exceptions import ClientError

from stockade.store.generations import LISTENER_NAME
from tests.api.conftest import (
    NO_POSTGRES,
    Server,
    _drop_postgres_database,
    _postgres_database,
    start_node,
    start_server,
    stop_server,
)

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PATIENCE = 15.0  # seconds a change may take to reach the other node before the test fails

ALLOW_GET_USER = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, str]]:
    database = _postgres_database()
    if database is None:
        pytest.skip(reason=NO_POSTGRES)
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    first = start_server(Path(tmp_path_factory.mktemp("nodes")), url)
    second = start_node(first, url)
    try:
        yield first, second, database
    finally:
        stop_server(second)
        stop_server(first)
        _drop_postgres_database(database)


def _warm_user(changer: Server, answerer: Server, name: str) -> tuple[Any, dict[str, str], Any]:
    """A user allowed iam:GetUser, made on `changer` with an access key, and its client on
    `answerer`, called until that node holds the key, the caller and the target. Returns the
    administrator's client on `changer`, the key, and the user's client."""
    iam = changer.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="get", PolicyDocument=json.dumps(ALLOW_GET_USER))
    key: dict[str, str] = iam.create_access_key(UserName=name)["AccessKey"]
    client = answerer.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    _warm(client.get_user)
    return iam, key, client


def _error(call: Callable[[], Any]) -> str | None:
    """The AWS error code `call` gets, or None when it succeeds."""
    try:
        call()
    except ClientError as exc:
        return str(exc.response["Error"]["Code"])
    return None


def _eventually(call: Callable[[], Any], expected: str | None) -> str | None:
    """Repeat `call` until it answers `expected` (an error code, or None for success), for at
    most PATIENCE seconds; what it answered last."""
    deadline = time.monotonic() + PATIENCE
    while True:
        found = _error(call)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _warm(call: Callable[[], Any]) -> None:
    """Enough successful calls that the node holds the key, the caller and the target."""
    for _ in range(3):
        call()


def test_a_key_deactivated_on_one_node_is_refused_by_the_other(
    nodes: tuple[Server, Server, str],
) -> None:
    first, second, _ = nodes
    iam, key, elsewhere = _warm_user(first, second, "two-nodes-key")
    iam.update_access_key(
        UserName="two-nodes-key", AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )
    assert _eventually(elsewhere.get_user, "InvalidClientTokenId") == "InvalidClientTokenId"
    iam.update_access_key(UserName="two-nodes-key", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert _eventually(elsewhere.get_user, None) is None
    iam.delete_access_key(UserName="two-nodes-key", AccessKeyId=key["AccessKeyId"])
    assert _eventually(elsewhere.get_user, "InvalidClientTokenId") == "InvalidClientTokenId"


def test_a_policy_removed_on_one_node_denies_on_the_other(
    nodes: tuple[Server, Server, str],
) -> None:
    first, second, _ = nodes
    iam, _, elsewhere = _warm_user(first, second, "two-nodes-policy")
    iam.delete_user_policy(UserName="two-nodes-policy", PolicyName="get")
    assert _eventually(elsewhere.get_user, "AccessDenied") == "AccessDenied"


def test_a_user_renamed_on_one_node_is_renamed_on_the_other(
    nodes: tuple[Server, Server, str],
) -> None:
    first, second, _ = nodes
    iam = first.client("iam")
    iam.create_user(UserName="two-nodes-old", Tags=[{"Key": "team", "Value": "a"}])
    admin_elsewhere = second.client("iam")
    _warm(lambda: admin_elsewhere.get_user(UserName="two-nodes-old"))
    iam.update_user(UserName="two-nodes-old", NewUserName="two-nodes-new", NewPath="/moved/")
    assert (
        _eventually(lambda: admin_elsewhere.get_user(UserName="two-nodes-old"), "NoSuchEntity")
        == "NoSuchEntity"
    )
    moved = admin_elsewhere.get_user(UserName="two-nodes-new")["User"]
    assert moved["Arn"].endswith(":user/moved/two-nodes-new")
    assert moved["Tags"] == [{"Key": "team", "Value": "a"}]


def test_the_same_node_enforces_its_own_change_on_the_next_request(
    nodes: tuple[Server, Server, str],
) -> None:
    _, second, _ = nodes
    iam, key, own = _warm_user(second, second, "two-nodes-local")
    iam.update_access_key(
        UserName="two-nodes-local", AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )
    assert _error(own.get_user) == "InvalidClientTokenId"


def test_a_change_made_in_sql_is_heard_when_it_moves_the_generation(
    nodes: tuple[Server, Server, str],
) -> None:
    """What the command line or an operator writes reaches servers through the same notices:
    the trigger on accounts.generation (docs/architecture.md)."""
    first, second, database = nodes
    _, key, elsewhere = _warm_user(first, second, "two-nodes-sql")
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={database}") as sql:
        sql.execute(
            "UPDATE access_keys SET status = 'Inactive' WHERE access_key_id = %s",
            (key["AccessKeyId"],),
        )
        sql.execute("UPDATE accounts SET generation = generation + 1")
    assert _eventually(elsewhere.get_user, "InvalidClientTokenId") == "InvalidClientTokenId"


def test_a_node_whose_listener_is_cut_still_enforces_every_change(
    nodes: tuple[Server, Server, str],
) -> None:
    """Notices sent while a node's listener is down are lost: the node must not answer from
    what it held before, and must listen again."""
    first, second, database = nodes
    iam, key, elsewhere = _warm_user(first, second, "two-nodes-cut")

    def set_status(status: str) -> None:
        iam.update_access_key(
            UserName="two-nodes-cut", AccessKeyId=key["AccessKeyId"], Status=status
        )

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s",
            (database, LISTENER_NAME),
        ).fetchall()
    assert len(cut) == 2  # one listener per node
    set_status("Inactive")  # announced to no one on the second node
    # Asked only once it listens again, the second node still refuses the key.
    deadline = time.monotonic() + PATIENCE
    while _listeners(database) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _listeners(database) == 2
    assert _eventually(elsewhere.get_user, "InvalidClientTokenId") == "InvalidClientTokenId"
    # And a later change is heard.
    set_status("Active")
    assert _eventually(elsewhere.get_user, None) is None
    _warm(elsewhere.get_user)
    set_status("Inactive")
    assert _eventually(elsewhere.get_user, "InvalidClientTokenId") == "InvalidClientTokenId"


def _listeners(database: str) -> int:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            (database, LISTENER_NAME),
        ).fetchone()
    return int(row[0]) if row else 0
