"""What OIDC and SAML providers share: rows keyed by ARN within an account, a per-account quota,
tags given at creation, and deletion with their tags. Each kind keeps its own checks, columns and
AWS's wording for its errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, func, select

from stockade.identity import tags
from stockade.identity.clock import now
from stockade.identity.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas


def insert(
    tx: Connection,
    table: Table,
    account_id: str,
    arn: str,
    *,
    exists: str,
    quota: tuple[str, int],
    quotas: Quotas,
    new_tags: Iterable[Mapping[str, Any]],
    **values: Any,
) -> str:
    """Store a new provider; `exists` and `quota` (the quota's AWS name, its limit) word the
    refusals."""
    if tx.execute(select(table.c.arn).where(table.c.arn == arn)).first():
        raise EntityAlreadyExists(exists)
    count = tx.execute(
        select(func.count()).select_from(table).where(table.c.account_id == account_id)
    ).scalar_one()
    name, limit = quota
    if count >= limit:
        raise LimitExceeded(f"Cannot exceed quota for {name}: {limit}")
    tx.execute(table.insert().values(arn=arn, account_id=account_id, created_at=now(), **values))
    new_tags = list(new_tags)
    if new_tags:
        tags.tag(tx, account_id, arn, new_tags, quotas)
    return arn


def get(tx: Connection, table: Table, account_id: str, arn: str, missing: str) -> dict[str, Any]:
    row = (
        tx.execute(select(table).where(table.c.arn == arn, table.c.account_id == account_id))
        .mappings()
        .first()
    )
    if row is None:
        raise NoSuchEntity(missing)
    return dict(row)


def delete(tx: Connection, table: Table, account_id: str, arn: str, missing: str) -> None:
    get(tx, table, account_id, arn, missing)
    tx.execute(table.delete().where(table.c.arn == arn))
    tags.drop_all(tx, arn)
