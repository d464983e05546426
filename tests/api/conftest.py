"""A real `stockade serve` on a free loopback port, on SQLite and on PostgreSQL, driven by boto3.

The server runs as a subprocess exactly as a user starts it; `stockade init` makes the account and
an administrator first. PostgreSQL tests need a server on 127.0.0.1:5432 (database `test`, user
`postgres`, no password, as on CI): without one they are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

NO_POSTGRES = "no PostgreSQL server on 127.0.0.1:5432 (database test, user postgres)"

ACCOUNT_ID = "123456789012"
PG_ADMIN_URL = os.environ.get(
    "STOCKADE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Server:
    endpoint: str
    account_id: str
    admin_key: str
    admin_secret: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def client(
        self,
        service: str = "iam",
        key: str | None = None,
        secret: str | None = None,
        token: str | None = None,
    ) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key or self.admin_key,
            aws_secret_access_key=secret or self.admin_secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1}),
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stockade(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1"}
    return subprocess.run(
        [sys.executable, "-m", "stockade", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _postgres_database() -> str | None:
    """A fresh, empty database on the local PostgreSQL server; None if there is none."""
    try:
        import psycopg
    except ImportError:
        return None
    name = f"stockade_test_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True, connect_timeout=3
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return name


def _drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server(
    tmp: Path, database_url: str | None = None, env: dict[str, str] | None = None
) -> Server:
    password_file = tmp / "root-password"
    password_file.write_text("correct horse battery staple 1!")
    storage = ["--data-dir", str(tmp / "data")]
    if database_url:
        storage += ["--database-url", database_url]
    init = _stockade(
        "init",
        *storage,
        "--account-id",
        ACCOUNT_ID,
        "--root-email",
        "root@example.com",
        "--root-password-file",
        str(password_file),
        "--admin-user",
        "admin",
        "--json",
    )
    assert init.returncode == 0, init.stderr
    created = json.loads(init.stdout)
    process, endpoint = serve(storage, env)
    return Server(
        endpoint,
        created["AccountId"],
        created["AdminUser"]["AccessKeyId"],
        created["AdminUser"]["SecretAccessKey"],
        tmp / "data",
        process,
    )


def start_node(first: Server, database_url: str) -> Server:
    """Another `stockade serve` on the database (and the master key) of `first`: a second
    node of the same deployment."""
    storage = ["--data-dir", str(first.data_dir), "--database-url", database_url]
    process, endpoint = serve(storage)
    return replace(first, endpoint=endpoint, process=process)


def serve(
    storage: list[str], env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """`stockade serve` on a free port, and its endpoint, once it accepts connections."""
    port = _free_port()
    env = {**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1", **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "stockade", "serve", *storage, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"stockade serve exited: {output}") from None
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("stockade")
    database = None
    url = None
    if request.param == "postgresql":
        database = _postgres_database()
        if database is None:
            pytest.skip(reason=NO_POSTGRES)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    running = start_server(tmp, url)
    try:
        yield running
    finally:
        stop_server(running)
        if database:
            _drop_postgres_database(database)


@pytest.fixture(scope="module")
def iam(server: Server) -> Any:
    return server.client("iam")
