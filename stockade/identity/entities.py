"""What users, groups and roles share: unique names regardless of case, paths, ARNs, quotas."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, func, select, update

from stockade.auth.identifiers import new_unique_id
from stockade.identity import names
from stockade.identity.accounts import bump_generation
from stockade.identity.clock import now
from stockade.identity.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas
from stockade.store import schema as t
from stockade.store.hot import HotSelect


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of IAM entity and how it is stored and named."""

    name: str  # "user", "group", "role": also the ARN's resource type and attachments' entity_kind
    label: str  # "user", "group", "role" as AWS's messages say it
    table: Table
    id_column: str
    id_prefix: str
    quota: str  # the Quotas field that bounds how many an account may hold

    def arn(self, account_id: str, row: Any) -> str:
        return names.arn(account_id, self.name, row["path"], row["name"])


USER = Kind("user", "user", t.users, "user_id", names.USER_ID_PREFIX, "users")
GROUP = Kind("group", "group", t.groups, "group_id", names.GROUP_ID_PREFIX, "groups")
ROLE = Kind("role", "role", t.roles, "role_id", names.ROLE_ID_PREFIX, "roles")
KINDS = {kind.name: kind for kind in (USER, GROUP, ROLE)}


@cache
def _by_name(kind: Kind) -> HotSelect:
    # Statements on the request path are built once per kind, not once per request.
    table = kind.table
    return HotSelect(
        select(table).where(
            table.c.account_id == bindparam("account_id"),
            table.c.name_key == bindparam("name_key"),
        )
    )


@cache
def _by_id(kind: Kind) -> Select[Any]:
    return select(kind.table).where(kind.table.c[kind.id_column] == bindparam("entity_id"))


def find(tx: Connection, kind: Kind, account_id: str, name: str) -> dict[str, Any] | None:
    params = {"account_id": account_id, "name_key": name.lower()}
    return _by_name(kind).first_mapping(tx, params)


def get(tx: Connection, kind: Kind, account_id: str, name: str) -> dict[str, Any]:
    row = find(tx, kind, account_id, name)
    if row is None:
        raise NoSuchEntity(f"The {kind.label} with name {name} cannot be found.")
    return row


def get_by_id(tx: Connection, kind: Kind, entity_id: str) -> dict[str, Any] | None:
    row = tx.execute(_by_id(kind), {"entity_id": entity_id}).mappings().first()
    return dict(row) if row is not None else None


def insert(
    tx: Connection,
    kind: Kind,
    account_id: str,
    name: str,
    path: str | None,
    quotas: Quotas,
    **values: Any,
) -> dict[str, Any]:
    path = names.check_path(path)
    if find(tx, kind, account_id, name) is not None:
        raise EntityAlreadyExists(f"{kind.label.capitalize()} with name {name} already exists.")
    table = kind.table
    count = tx.execute(
        select(func.count()).select_from(table).where(table.c.account_id == account_id)
    ).scalar_one()
    limit = getattr(quotas, kind.quota)
    if count >= limit:
        raise LimitExceeded(
            f"Cannot exceed quota for {kind.label.capitalize()}sPerAccount: {limit}"
        )
    row = {
        kind.id_column: new_unique_id(kind.id_prefix),
        "account_id": account_id,
        "name": name,
        "name_key": name.lower(),
        "path": path,
        "created_at": now(),
        **values,
    }
    tx.execute(table.insert().values(**row))
    bump_generation(tx, account_id)
    return row


def rename(
    tx: Connection,
    kind: Kind,
    account_id: str,
    row: dict[str, Any],
    new_name: str | None,
    new_path: str | None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if new_name is not None and new_name != row["name"]:
        other = find(tx, kind, account_id, new_name)
        if other is not None and other[kind.id_column] != row[kind.id_column]:
            raise EntityAlreadyExists(
                f"{kind.label.capitalize()} with name {new_name} already exists."
            )
        changes.update(name=new_name, name_key=new_name.lower())
    if new_path is not None:
        changes["path"] = names.check_path(new_path)
    if changes:
        table = kind.table
        tx.execute(
            update(table).where(table.c[kind.id_column] == row[kind.id_column]).values(**changes)
        )
        renamed = {**row, **changes}
        # Tags are keyed by ARN, and a new name or path is a new ARN: they move with the entity.
        tx.execute(
            update(t.tags)
            .where(t.tags.c.resource_arn == kind.arn(account_id, row))
            .values(resource_arn=kind.arn(account_id, renamed))
        )
        bump_generation(tx, account_id)
        return renamed
    return row


@cache
def _all_of_account(kind: Kind) -> HotSelect:
    table = kind.table
    return HotSelect(
        select(table)
        .where(table.c.account_id == bindparam("account_id"))
        .order_by(table.c.name_key)
    )


def listing(
    tx: Connection, kind: Kind, account_id: str, path_prefix: str | None = None
) -> list[dict[str, Any]]:
    if not path_prefix:  # the common listing: every List* of a console page
        return _all_of_account(kind).mappings(tx, {"account_id": account_id})
    table = kind.table
    query = select(table).where(
        table.c.account_id == account_id,
        table.c.path.startswith(path_prefix, autoescape=True),  # escaped when bound
    )
    return [dict(r) for r in tx.execute(query.order_by(table.c.name_key)).mappings()]


def delete(tx: Connection, kind: Kind, account_id: str, row: dict[str, Any]) -> None:
    """Remove the entity and its tags; the caller has checked what must go first."""
    table = kind.table
    tx.execute(table.delete().where(table.c[kind.id_column] == row[kind.id_column]))
    tx.execute(t.tags.delete().where(t.tags.c.resource_arn == kind.arn(account_id, row)))
    bump_generation(tx, account_id)
