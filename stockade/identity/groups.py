"""IAM groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from stockade.identity import entities, policies
from stockade.identity.entities import GROUP
from stockade.identity.errors import DeleteConflict
from stockade.identity.quotas import Quotas
from stockade.store import schema as t


def view(account_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Path": row["path"],
        "GroupName": row["name"],
        "GroupId": row["group_id"],
        "Arn": GROUP.arn(account_id, row),
        "CreateDate": row["created_at"],
    }


def create_group(
    tx: Connection, account_id: str, name: str, path: str | None, quotas: Quotas
) -> dict[str, Any]:
    return view(account_id, entities.insert(tx, GROUP, account_id, name, path, quotas))


def delete_group(tx: Connection, account_id: str, name: str) -> None:
    row = entities.get(tx, GROUP, account_id, name)
    members = tx.execute(
        select(func.count())
        .select_from(t.group_members)
        .where(t.group_members.c.group_id == row["group_id"])
    ).scalar_one()
    if members:
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    if policies.attached_arns(tx, GROUP, row["group_id"]):
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if policies.inline_names(tx, GROUP, row["group_id"]):
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    entities.delete(tx, GROUP, account_id, row)
