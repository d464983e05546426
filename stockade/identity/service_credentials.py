"""Service-specific credentials: a user name and password an IAM user gives a service that does
not speak SigV4 (Git over HTTPS to CodeCommit, Cassandra drivers to Keyspaces). The password is
returned once, when created or reset, and kept only as an argon2 hash: the service will verify
it, nothing will read it back."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select, update

from stockade.auth.identifiers import new_unique_id
from stockade.auth.passwords import hash_password
from stockade.identity import credential_status, names
from stockade.identity.clock import now
from stockade.identity.errors import LimitExceeded, NoSuchEntity, NotSupportedService
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

# The services whose credentials are a user name and a password. (Bedrock and CloudWatch Logs
# API keys, the other kind, have a different shape and are not offered.)
SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")


def check_service(service_name: str) -> None:
    if service_name not in SERVICES:
        raise NotSupportedService(
            f"No such service {service_name} is supported for Service-Specific Credentials"
        )


def _new_password() -> str:
    # 33 random bytes: 44 base-64 characters without padding, the length AWS's passwords have.
    return base64.b64encode(secrets.token_bytes(33)).decode("ascii")


def _metadata(row: Mapping[str, Any], user_name: str) -> dict[str, Any]:
    return {
        "UserName": user_name,
        "Status": row["status"],
        "ServiceUserName": row["service_user_name"],
        "CreateDate": row["created_at"],
        "ServiceSpecificCredentialId": row["credential_id"],
        "ServiceName": row["service_name"],
    }


def _with_password(row: Mapping[str, Any], user_name: str, password: str) -> dict[str, Any]:
    return {**_metadata(row, user_name), "ServicePassword": password}


def create(
    tx: Connection,
    account_id: str,
    user_id: str,
    user_name: str,
    service_name: str,
    quotas: Quotas,
) -> dict[str, Any]:
    check_service(service_name)
    table = t.service_specific_credentials
    taken = set(
        tx.execute(
            select(table.c.service_user_name).where(
                table.c.user_id == user_id, table.c.service_name == service_name
            )
        ).scalars()
    )
    limit = quotas.service_specific_credentials_per_service
    if len(taken) >= limit:
        raise LimitExceeded(
            f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {limit}"
        )
    # AWS documents the form `jane-at-123456789012`; a second credential for the same service
    # gets `jane+1-at-…`, so that the service can tell which credential a login presents.
    candidates = (f"{user_name}{f'+{n}' if n else ''}-at-{account_id}" for n in range(limit + 1))
    service_user_name = next(c for c in candidates if c not in taken)
    password = _new_password()
    row = {
        "credential_id": new_unique_id(names.SERVICE_CREDENTIAL_ID_PREFIX),
        "account_id": account_id,
        "user_id": user_id,
        "service_name": service_name,
        "service_user_name": service_user_name,
        "password_hash": hash_password(password),
        "status": "Active",
        "created_at": now(),
    }
    tx.execute(table.insert().values(**row))
    return _with_password(row, user_name, password)


def find(tx: Connection, user_id: str, credential_id: str) -> dict[str, Any] | None:
    table = t.service_specific_credentials
    row = (
        tx.execute(
            select(table).where(table.c.user_id == user_id, table.c.credential_id == credential_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def not_found(credential_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"No such credential {credential_id} exists")


def listing(
    tx: Connection,
    account_id: str,
    owners: Mapping[str, str],
    service_name: str | None,
) -> list[dict[str, Any]]:
    """The credentials of the users in `owners` (user id → user name), service by service."""
    table = t.service_specific_credentials
    query = select(table).where(table.c.account_id == account_id, table.c.user_id.in_(list(owners)))
    if service_name:
        query = query.where(table.c.service_name == service_name)
    rows = tx.execute(
        query.order_by(table.c.service_name, table.c.created_at, table.c.credential_id)
    ).mappings()
    return [_metadata(dict(row), owners[row["user_id"]]) for row in rows]


def reset(tx: Connection, row: Mapping[str, Any], user_name: str) -> dict[str, Any]:
    password = _new_password()
    table = t.service_specific_credentials
    tx.execute(
        update(table)
        .where(table.c.credential_id == row["credential_id"])
        .values(password_hash=hash_password(password))
    )
    return _with_password(row, user_name, password)


def set_status(tx: Connection, row: Mapping[str, Any], status: str) -> None:
    credential_status.check_settable(status)
    table = t.service_specific_credentials
    tx.execute(
        update(table).where(table.c.credential_id == row["credential_id"]).values(status=status)
    )


def delete(tx: Connection, row: Mapping[str, Any]) -> None:
    table = t.service_specific_credentials
    tx.execute(table.delete().where(table.c.credential_id == row["credential_id"]))
