"""Instance profiles: what EC2 hands an instance so that it can assume the role inside (one at
most). Names are unique regardless of case, like users, groups and roles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, func, select, update

from stockade.auth.identifiers import new_unique_id
from stockade.identity import entities, names, roles, tags
from stockade.identity.clock import now
from stockade.identity.entities import ROLE, Kind
from stockade.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
)
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

INSTANCE_PROFILE = Kind(
    "instance-profile",
    "instance profile",
    t.instance_profiles,
    "instance_profile_id",
    names.INSTANCE_PROFILE_ID_PREFIX,
    "instance_profiles",
)
# "InstanceSessionsPerInstanceProfile" in AWS's words; AWS does not raise it on request.
ROLES_PER_PROFILE = 1


def not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"Instance Profile {name} cannot be found.")


def find(tx: Connection, account_id: str, name: str) -> dict[str, Any] | None:
    return entities.find(tx, INSTANCE_PROFILE, account_id, name)


def view(
    tx: Connection, account_id: str, row: Mapping[str, Any], *, with_tags: bool = False
) -> dict[str, Any]:
    profile_arn = INSTANCE_PROFILE.arn(account_id, row)
    role = None if row["role_id"] is None else entities.get_by_id(tx, ROLE, row["role_id"])
    result: dict[str, Any] = {
        "Path": row["path"],
        "InstanceProfileName": row["name"],
        "InstanceProfileId": row["instance_profile_id"],
        "Arn": profile_arn,
        "CreateDate": row["created_at"],
        "Roles": [] if role is None else [roles.view(tx, account_id, role)],
    }
    if with_tags:
        result["Tags"] = tags.list_tags(tx, profile_arn) or None
    return result


def create(
    tx: Connection,
    account_id: str,
    name: str,
    path: str | None,
    quotas: Quotas,
    new_tags: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    path = names.check_path(path)
    if find(tx, account_id, name) is not None:
        raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
    table = t.instance_profiles
    count = tx.execute(
        select(func.count()).select_from(table).where(table.c.account_id == account_id)
    ).scalar_one()
    if count >= quotas.instance_profiles:
        raise LimitExceeded(
            f"Cannot exceed quota for InstanceProfilesPerAccount: {quotas.instance_profiles}"
        )
    row = {
        "instance_profile_id": new_unique_id(names.INSTANCE_PROFILE_ID_PREFIX),
        "account_id": account_id,
        "name": name,
        "name_key": name.lower(),
        "path": path,
        "role_id": None,
        "created_at": now(),
    }
    tx.execute(table.insert().values(**row))
    new_tags = list(new_tags)
    if new_tags:
        tags.tag(tx, account_id, INSTANCE_PROFILE.arn(account_id, row), new_tags, quotas)
    return view(tx, account_id, row, with_tags=True)


def add_role(tx: Connection, profile: Mapping[str, Any], role: Mapping[str, Any]) -> None:
    if role["service_linked"]:
        raise roles.protected_role(role)
    if profile["role_id"] is not None:
        raise LimitExceeded(
            f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"
        )
    _set_role(tx, profile, role["role_id"])


def remove_role(tx: Connection, profile: Mapping[str, Any], role: Mapping[str, Any]) -> None:
    if profile["role_id"] != role["role_id"]:
        raise NoSuchEntity(f"Role {role['name']} is not in instance profile {profile['name']}.")
    _set_role(tx, profile, None)


def _set_role(tx: Connection, profile: Mapping[str, Any], role_id: str | None) -> None:
    # No generation bump, here or on delete: instance profiles change no one's permissions.
    table = t.instance_profiles
    tx.execute(
        update(table)
        .where(table.c.instance_profile_id == profile["instance_profile_id"])
        .values(role_id=role_id)
    )


def profiles_of_role(tx: Connection, role_id: str) -> list[dict[str, Any]]:
    table = t.instance_profiles
    rows = tx.execute(
        select(table).where(table.c.role_id == role_id).order_by(table.c.name_key)
    ).mappings()
    return [dict(r) for r in rows]


def delete(tx: Connection, account_id: str, profile: Mapping[str, Any]) -> None:
    if profile["role_id"] is not None:
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    table = t.instance_profiles
    tx.execute(table.delete().where(table.c.instance_profile_id == profile["instance_profile_id"]))
    tags.drop_all(tx, INSTANCE_PROFILE.arn(account_id, profile))
