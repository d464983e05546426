"""IAM roles: trust policies, session duration, boundaries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, select, update

from stockade.identity import entities, policies, tags
from stockade.identity.accounts import bump_generation
from stockade.identity.entities import ROLE
from stockade.identity.errors import DeleteConflict, UnmodifiableEntity
from stockade.identity.quotas import Quotas
from stockade.policy import PolicyKind
from stockade.store import schema as t


def view(
    tx: Connection, account_id: str, row: Mapping[str, Any], *, with_tags: bool = False
) -> dict[str, Any]:
    role_arn = ROLE.arn(account_id, row)
    result: dict[str, Any] = {
        "Path": row["path"],
        "RoleName": row["name"],
        "RoleId": row["role_id"],
        "Arn": role_arn,
        "CreateDate": row["created_at"],
        "AssumeRolePolicyDocument": quote(row["trust_policy"], safe=""),
        "Description": row["description"],
        "MaxSessionDuration": row["max_session_duration"],
        "RoleLastUsed": {"LastUsedDate": row["last_used_at"], "Region": row["last_used_region"]},
    }
    if row["permissions_boundary"]:
        result["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": row["permissions_boundary"],
        }
    if with_tags:
        result["Tags"] = tags.list_tags(tx, role_arn) or None
    return result


def create_role(
    tx: Connection,
    account_id: str,
    name: str,
    path: str | None,
    trust_policy: str,
    quotas: Quotas,
    *,
    description: str | None = None,
    max_session_duration: int | None = None,
    boundary: str | None = None,
    new_tags: Iterable[Mapping[str, Any]] = (),
    service_linked: bool = False,
) -> dict[str, Any]:
    policies.check_document(trust_policy, kind=PolicyKind.TRUST, limit="trust")
    if boundary is not None:
        policies.check_boundary(tx, account_id, boundary)
    row = entities.insert(
        tx,
        ROLE,
        account_id,
        name,
        path,
        quotas,
        trust_policy=trust_policy,
        description=description,
        max_session_duration=max_session_duration or 3600,
        permissions_boundary=boundary,
        service_linked=service_linked,
        last_used_at=None,
        last_used_region=None,
    )
    new_tags = list(new_tags)
    if new_tags:
        tags.tag(tx, account_id, ROLE.arn(account_id, row), new_tags, quotas)
    return view(tx, account_id, row, with_tags=True)


def get_role(tx: Connection, account_id: str, name: str) -> dict[str, Any]:
    return entities.get(tx, ROLE, account_id, name)


def update_role(tx: Connection, account_id: str, name: str, **changes: Any) -> None:
    row = get_role(tx, account_id, name)
    values = {k: v for k, v in changes.items() if v is not None}
    if row["service_linked"] and set(values) - {"description"}:
        raise protected_role(row)
    if "trust_policy" in values:
        policies.check_document(values["trust_policy"], kind=PolicyKind.TRUST, limit="trust")
    if "permissions_boundary" in values:
        policies.check_boundary(tx, account_id, values["permissions_boundary"])
    if values:
        tx.execute(update(t.roles).where(t.roles.c.role_id == row["role_id"]).values(**values))
        bump_generation(tx, account_id)


def protected_role(row: Mapping[str, Any]) -> UnmodifiableEntity:
    """AWS's refusal to change a service-linked role other than through its service, which the
    message names (the role's path is `/aws-service-role/SERVICE/`)."""
    service = row["path"].removeprefix("/aws-service-role/").rstrip("/")
    return UnmodifiableEntity(
        f"Cannot perform the operation on the protected role '{row['name']}' - "
        f"this role is only modifiable by AWS. Make the change through {service}."
    )


def delete_role(tx: Connection, account_id: str, name: str) -> None:
    row = get_role(tx, account_id, name)
    if row["service_linked"]:
        raise protected_role(row)
    if policies.attached_arns(tx, ROLE, row["role_id"]):
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if policies.inline_names(tx, ROLE, row["role_id"]):
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    profiles = t.instance_profiles
    if tx.execute(select(profiles.c.role_id).where(profiles.c.role_id == row["role_id"])).first():
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    entities.delete(tx, ROLE, account_id, row)


def clear_boundary(tx: Connection, account_id: str, row: Mapping[str, Any]) -> None:
    if row["service_linked"]:
        raise protected_role(row)
    tx.execute(
        update(t.roles).where(t.roles.c.role_id == row["role_id"]).values(permissions_boundary=None)
    )
    bump_generation(tx, account_id)
