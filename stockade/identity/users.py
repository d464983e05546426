"""IAM users and their group memberships."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, func, select, update

from stockade.identity import entities, policies, tags
from stockade.identity.accounts import bump_generation
from stockade.identity.clock import now
from stockade.identity.entities import GROUP, USER
from stockade.identity.errors import DeleteConflict, LimitExceeded, NoSuchEntity
from stockade.identity.quotas import Quotas
from stockade.store import schema as t


def view(
    tx: Connection,
    account_id: str,
    row: Mapping[str, Any],
    *,
    with_tags: bool = False,
    known_tags: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A user as IAM returns it; `known_tags` spares reading tags the request already read."""
    user_arn = USER.arn(account_id, row)
    result: dict[str, Any] = {
        "Path": row["path"],
        "UserName": row["name"],
        "UserId": row["user_id"],
        "Arn": user_arn,
        "CreateDate": row["created_at"],
        "PasswordLastUsed": row["password_last_used"],
    }
    if row["permissions_boundary"]:
        result["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": row["permissions_boundary"],
        }
    if with_tags:
        found = tags.list_tags(tx, user_arn) if known_tags is None else known_tags
        result["Tags"] = found or None
    return result


def create_user(
    tx: Connection,
    account_id: str,
    name: str,
    path: str | None,
    quotas: Quotas,
    *,
    boundary: str | None = None,
    new_tags: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    if boundary is not None:
        policies.check_boundary(tx, account_id, boundary)
    row = entities.insert(
        tx,
        USER,
        account_id,
        name,
        path,
        quotas,
        permissions_boundary=boundary,
        password_last_used=None,
    )
    new_tags = list(new_tags)
    if new_tags:
        tags.tag(tx, account_id, USER.arn(account_id, row), new_tags, quotas)
    return view(tx, account_id, row, with_tags=True)


def get_user(tx: Connection, account_id: str, name: str) -> dict[str, Any]:
    return entities.get(tx, USER, account_id, name)


def delete_user(tx: Connection, account_id: str, name: str) -> None:
    row = get_user(tx, account_id, name)
    user_id = row["user_id"]
    blockers = {
        "access keys": t.access_keys.c.user_id == user_id,
        "login profile": t.login_profiles.c.user_id == user_id,
        "MFA devices": t.mfa_devices.c.user_id == user_id,
        "group memberships": t.group_members.c.user_id == user_id,
        "signing certificates": t.signing_certificates.c.user_id == user_id,
        "SSH public keys": t.ssh_public_keys.c.user_id == user_id,
        "service-specific credentials": t.service_specific_credentials.c.user_id == user_id,
    }
    tables = {
        "access keys": t.access_keys,
        "login profile": t.login_profiles,
        "MFA devices": t.mfa_devices,
        "group memberships": t.group_members,
        "signing certificates": t.signing_certificates,
        "SSH public keys": t.ssh_public_keys,
        "service-specific credentials": t.service_specific_credentials,
    }
    for what, condition in blockers.items():
        count = tx.execute(
            select(func.count()).select_from(tables[what]).where(condition)
        ).scalar_one()
        if count:
            raise DeleteConflict(f"Cannot delete entity, must remove {what} first.")
    if policies.attached_arns(tx, USER, user_id):
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if policies.inline_names(tx, USER, user_id):
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    entities.delete(tx, USER, account_id, row)


def set_boundary(tx: Connection, account_id: str, name: str, boundary: str | None) -> None:
    row = get_user(tx, account_id, name)
    if boundary is not None:
        policies.check_boundary(tx, account_id, boundary)
    tx.execute(
        update(t.users)
        .where(t.users.c.user_id == row["user_id"])
        .values(permissions_boundary=boundary)
    )
    bump_generation(tx, account_id)


# -- group membership ------------------------------------------------------------------------
def add_to_group(
    tx: Connection, account_id: str, group_name: str, user_name: str, quotas: Quotas
) -> None:
    group = entities.get(tx, GROUP, account_id, group_name)
    user = get_user(tx, account_id, user_name)
    current = groups_of(tx, user["user_id"])
    if group["group_id"] in current:
        return
    if len(current) >= quotas.groups_per_user:
        raise LimitExceeded(f"Cannot exceed quota for GroupsPerUser: {quotas.groups_per_user}")
    tx.execute(
        t.group_members.insert().values(
            group_id=group["group_id"], user_id=user["user_id"], added_at=now()
        )
    )
    bump_generation(tx, account_id)


def remove_from_group(tx: Connection, account_id: str, group_name: str, user_name: str) -> None:
    group = entities.get(tx, GROUP, account_id, group_name)
    user = get_user(tx, account_id, user_name)
    result = tx.execute(
        t.group_members.delete().where(
            t.group_members.c.group_id == group["group_id"],
            t.group_members.c.user_id == user["user_id"],
        )
    )
    if result.rowcount == 0:
        raise NoSuchEntity(f"User {user_name} is not in group {group_name}.")
    bump_generation(tx, account_id)


def groups_of(tx: Connection, user_id: str) -> list[str]:
    return list(
        tx.execute(
            select(t.group_members.c.group_id)
            .where(t.group_members.c.user_id == user_id)
            .order_by(t.group_members.c.added_at)
        ).scalars()
    )


def group_rows_of(tx: Connection, user_id: str) -> list[dict[str, Any]]:
    rows = tx.execute(
        select(t.groups)
        .join(t.group_members, t.group_members.c.group_id == t.groups.c.group_id)
        .where(t.group_members.c.user_id == user_id)
        .order_by(t.groups.c.name_key)
    ).mappings()
    return [dict(r) for r in rows]


def members_of(tx: Connection, group_id: str) -> list[dict[str, Any]]:
    rows = tx.execute(
        select(t.users)
        .join(t.group_members, t.group_members.c.user_id == t.users.c.user_id)
        .where(t.group_members.c.group_id == group_id)
        .order_by(t.users.c.name_key)
    ).mappings()
    return [dict(r) for r in rows]
