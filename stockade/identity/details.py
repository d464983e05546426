"""GetAccountAuthorizationDetails: the account's users, groups, roles and managed policies, each
with every policy document that bears on it, as one snapshot.

AWS managed policies appear only when the account uses them, attached to a user, group or role
or set as a permissions boundary: AWS's CLI example lists the one AWS policy the account attaches
among its own, and the hundreds of others are the same in every account. Documents are
URL-encoded like every IAM policy document in a response.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, union

from stockade.identity import entities, groups, instance_profiles, policies, roles, users
from stockade.identity.aws_policies import aws_managed_policies
from stockade.identity.entities import GROUP, ROLE, USER, Kind
from stockade.store import schema as t

ENTITY_TYPES = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of the snapshot before its details are read: the list it belongs to, and the
    entity's row (a policy's ARN for a managed policy)."""

    list_name: str
    key: Any


def entries(tx: Connection, account_id: str, entity_types: Collection[str]) -> list[Entry]:
    """Every item the filter asks for (all of them without one), in the order they are listed:
    users, groups and roles by name, then customer managed policies by name, then AWS ones."""
    wanted = set(entity_types) or set(ENTITY_TYPES)
    found: list[Entry] = []
    for entity_type, kind, list_name in (
        ("User", USER, "UserDetailList"),
        ("Group", GROUP, "GroupDetailList"),
        ("Role", ROLE, "RoleDetailList"),
    ):
        if entity_type in wanted:
            found += [Entry(list_name, row) for row in entities.listing(tx, kind, account_id)]
    if "LocalManagedPolicy" in wanted:
        found += [Entry("Policies", arn) for arn in _customer_policy_arns(tx, account_id)]
    if "AWSManagedPolicy" in wanted:
        found += [Entry("Policies", arn) for arn in _aws_policies_in_use(tx, account_id)]
    return found


def details(tx: Connection, account_id: str, page: Iterable[Entry]) -> dict[str, list[Any]]:
    """The four lists of the response, each entry read in full."""
    found: dict[str, list[Any]] = {name: [] for name in _DETAIL}
    for entry in page:
        found[entry.list_name].append(_DETAIL[entry.list_name](tx, account_id, entry.key))
    return found


def _customer_policy_arns(tx: Connection, account_id: str) -> list[str]:
    table = t.managed_policies
    query = select(table.c.arn).where(table.c.account_id == account_id)
    return list(tx.execute(query.order_by(table.c.name_key)).scalars())


def _aws_policies_in_use(tx: Connection, account_id: str) -> list[str]:
    used = union(
        select(t.attachments.c.policy_arn).where(t.attachments.c.account_id == account_id),
        select(t.users.c.permissions_boundary).where(t.users.c.account_id == account_id),
        select(t.roles.c.permissions_boundary).where(t.roles.c.account_id == account_id),
    )
    known = aws_managed_policies()
    return sorted(arn for arn in tx.execute(used).scalars() if arn in known)


def _inline(tx: Connection, kind: Kind, entity_id: str) -> list[dict[str, str]]:
    return [
        {"PolicyName": name, "PolicyDocument": policies.encode_document(document)}
        for name, document in policies.inline_documents(tx, kind, entity_id)
    ]


def _user(tx: Connection, account_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    user_id = str(row["user_id"])
    return {
        **users.view(tx, account_id, row, with_tags=True),
        "UserPolicyList": _inline(tx, USER, user_id),
        "GroupList": [group["name"] for group in users.group_rows_of(tx, user_id)],
        "AttachedManagedPolicies": policies.attached_policies(tx, USER, user_id),
    }


def _group(tx: Connection, account_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    group_id = str(row["group_id"])
    return {
        **groups.view(account_id, row),
        "GroupPolicyList": _inline(tx, GROUP, group_id),
        "AttachedManagedPolicies": policies.attached_policies(tx, GROUP, group_id),
    }


def _role(tx: Connection, account_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    role_id = str(row["role_id"])
    return {
        **roles.view(tx, account_id, row, with_tags=True),
        "InstanceProfileList": [
            instance_profiles.view(tx, account_id, profile)
            for profile in instance_profiles.profiles_of_role(tx, role_id)
        ],
        "RolePolicyList": _inline(tx, ROLE, role_id),
        "AttachedManagedPolicies": policies.attached_policies(tx, ROLE, role_id),
    }


def _policy(tx: Connection, account_id: str, policy_arn: str) -> dict[str, Any]:
    return {
        **policies.get_policy(tx, account_id, policy_arn),
        "PolicyVersionList": policies.list_versions(
            tx, account_id, policy_arn, with_documents=True
        ),
    }


_DETAIL: dict[str, Callable[[Connection, str, Any], dict[str, Any]]] = {
    "UserDetailList": _user,
    "GroupDetailList": _group,
    "RoleDetailList": _role,
    "Policies": _policy,
}
