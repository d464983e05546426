"""The whole account in a few queries: what an audit reads.

GetAccountAuthorizationDetails reads entity by entity, as its pages need; an audit of 100,000
users needs everything at once, so these read each table once for the account and group the rows
in memory. Rows are plain dicts; `stockade.posture.snapshot` turns them into its snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from stockade.identity.aws_policies import aws_managed_policies
from stockade.identity.bulk import plain_rows
from stockade.identity.entities import GROUP, ROLE, USER, Kind
from stockade.store import schema as t


def entities(tx: Connection, kind: Kind, account_id: str) -> list[dict[str, Any]]:
    """Users, groups or roles of the account by name, each with `arn`, `attached` (policy ARNs)
    and `inline` ([(name, document)]); users also with `groups` (group names)."""
    table = kind.table
    id_column = kind.id_column
    rows = plain_rows(
        tx.execute(select(table).where(table.c.account_id == account_id).order_by(table.c.name_key))
    )
    for row in rows:
        row.update(arn=kind.arn(account_id, row), attached=[], inline=[])
    by_id = {row[id_column]: row for row in rows}
    attachments = tx.execute(
        select(t.attachments.c.entity_id, t.attachments.c.policy_arn)
        .where(t.attachments.c.account_id == account_id, t.attachments.c.entity_kind == kind.name)
        .order_by(t.attachments.c.policy_arn)
    )
    for entity_id, policy_arn in attachments:
        if entity_id in by_id:
            by_id[entity_id]["attached"].append(policy_arn)
    inline = tx.execute(
        select(
            t.inline_policies.c.entity_id, t.inline_policies.c.name, t.inline_policies.c.document
        )
        .join(table, table.c[id_column] == t.inline_policies.c.entity_id)
        .where(table.c.account_id == account_id, t.inline_policies.c.entity_kind == kind.name)
        .order_by(t.inline_policies.c.name_key)
    )
    for entity_id, name, document in inline:
        by_id[entity_id]["inline"].append((name, document))
    if kind is USER:
        memberships: dict[str, list[str]] = defaultdict(list)
        for user_id, group_name in tx.execute(
            select(t.group_members.c.user_id, t.groups.c.name)
            .join(t.groups, t.groups.c.group_id == t.group_members.c.group_id)
            .where(t.groups.c.account_id == account_id)
            .order_by(t.groups.c.name_key)
        ):
            memberships[user_id].append(group_name)
        for row in rows:
            row["groups"] = memberships.get(row[id_column], [])
    return rows


def users(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    return entities(tx, USER, account_id)


def groups(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    return entities(tx, GROUP, account_id)


def roles(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    return entities(tx, ROLE, account_id)


def managed_policies(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    """Customer managed policies (every one) and the AWS managed policies the account attaches,
    each with its default version's document and how many entities it is attached to."""
    counts: dict[str, int] = dict(
        tx.execute(
            select(t.attachments.c.policy_arn, func.count())
            .where(t.attachments.c.account_id == account_id)
            .group_by(t.attachments.c.policy_arn)
        ).all()
    )
    found = []
    customer = tx.execute(
        select(t.managed_policies.c.arn, t.managed_policies.c.name, t.policy_versions.c.document)
        .join(
            t.policy_versions,
            (t.policy_versions.c.policy_id == t.managed_policies.c.policy_id)
            & (t.policy_versions.c.version_id == t.managed_policies.c.default_version),
        )
        .where(t.managed_policies.c.account_id == account_id)
        .order_by(t.managed_policies.c.name_key)
    )
    for arn, name, document in customer:
        found.append(
            {
                "arn": arn,
                "name": name,
                "aws_managed": False,
                "document": document,
                "attachment_count": int(counts.get(arn, 0)),
            }
        )
    known = aws_managed_policies()
    for arn in sorted(a for a in counts if a in known):
        policy = known[arn]
        found.append(
            {
                "arn": arn,
                "name": policy.name,
                "aws_managed": True,
                "document": policy.document,
                "attachment_count": int(counts[arn]),
            }
        )
    return found


def mfa_devices(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    """Every MFA device with `user_arn`: the ARN of the user (or root) it is enabled for, or None.
    Stockade's devices are all virtual (TOTP)."""
    user_arns = {
        row["user_id"]: USER.arn(account_id, row)
        for row in tx.execute(
            select(t.users.c.user_id, t.users.c.name, t.users.c.path).where(
                t.users.c.account_id == account_id
            )
        ).mappings()
    }
    found = []
    for row in tx.execute(
        select(t.mfa_devices)
        .where(t.mfa_devices.c.account_id == account_id)
        .order_by(t.mfa_devices.c.serial_number)
    ).mappings():
        user_arn = None
        if row["enabled_at"] is not None:
            user_arn = (
                f"arn:aws:iam::{account_id}:root"
                if row["for_root"]
                else user_arns.get(row["user_id"])
            )
        found.append({"serial_number": row["serial_number"], "user_arn": user_arn, "virtual": True})
    return found


def server_certificates(tx: Connection, account_id: str) -> list[dict[str, Any]]:
    table = t.server_certificates
    return [
        {
            "name": row["name"],
            "arn": f"arn:aws:iam::{account_id}:server-certificate{row['path']}{row['name']}",
            "expires_at": row["expires_at"],
        }
        for row in tx.execute(
            select(table.c.name, table.c.path, table.c.expires_at)
            .where(table.c.account_id == account_id)
            .order_by(table.c.name)
        ).mappings()
    ]
