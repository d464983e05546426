"""The policies that apply to a principal, compiled once per account generation.

A user's identity layer is its inline and attached policies plus every group's; its boundary is
the managed policy set as its permissions boundary. Compiling is the expensive part, so the
result is cached per principal and reused until the account's generation moves (any IAM change
bumps it, on any node), which costs one small read per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from sqlalchemy import Connection

from stockade.identity import policies, users
from stockade.identity.accounts import generation
from stockade.identity.aws_policies import aws_managed_policies, parsed_aws_policy
from stockade.identity.entities import GROUP, ROLE, USER, Kind
from stockade.policy import Policies, Policy, PolicyKind, PolicySet, parse_policy

_CACHE_SIZE = 4096


@lru_cache(maxsize=8192)
def _parsed(policy_id: str, document: str, kind: PolicyKind) -> Policy:
    return parse_policy(document, kind=kind, policy_id=policy_id)


def _managed(tx: Connection, account_id: str, policy_arn: str, kind: PolicyKind) -> Policy:
    if policy_arn in aws_managed_policies() and kind is PolicyKind.IDENTITY:
        return parsed_aws_policy(policy_arn)
    return _parsed(policy_arn, policies.default_document(tx, account_id, policy_arn), kind)


def _entity_policies(
    tx: Connection, account_id: str, kind: Kind, entity_id: str, arn: str
) -> list[Policy]:
    found = [
        _parsed(f"{arn} inline policy {name}", document, PolicyKind.IDENTITY)
        for name, document in policies.inline_documents(tx, kind, entity_id)
    ]
    found += [
        _managed(tx, account_id, policy_arn, PolicyKind.IDENTITY)
        for policy_arn in policies.attached_arns(tx, kind, entity_id)
    ]
    return found


def compile_user(tx: Connection, account_id: str, row: dict[str, object]) -> Policies:
    user_id = str(row["user_id"])
    identity = _entity_policies(tx, account_id, USER, user_id, USER.arn(account_id, row))
    for group in users.group_rows_of(tx, user_id):
        identity += _entity_policies(
            tx, account_id, GROUP, group["group_id"], GROUP.arn(account_id, group)
        )
    return Policies(identity=PolicySet(identity), boundary=_boundary(tx, account_id, row))


def compile_group(tx: Connection, account_id: str, row: dict[str, object]) -> Policies:
    group_id = str(row["group_id"])
    return Policies(
        identity=PolicySet(
            _entity_policies(tx, account_id, GROUP, group_id, GROUP.arn(account_id, row))
        )
    )


def compile_role(tx: Connection, account_id: str, row: dict[str, object]) -> Policies:
    role_id = str(row["role_id"])
    identity = _entity_policies(tx, account_id, ROLE, role_id, ROLE.arn(account_id, row))
    return Policies(identity=PolicySet(identity), boundary=_boundary(tx, account_id, row))


def _boundary(tx: Connection, account_id: str, row: dict[str, object]) -> PolicySet | None:
    boundary = row.get("permissions_boundary")
    if not boundary:
        return None
    return PolicySet([_managed(tx, account_id, str(boundary), PolicyKind.BOUNDARY)])


class PolicyCache:
    """Compiled Policies per principal, valid while the account's generation stands."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], tuple[int, Policies]] = OrderedDict()
        self._lock = threading.Lock()

    def user(self, tx: Connection, account_id: str, row: dict[str, object]) -> Policies:
        key = (account_id, f"user:{row['user_id']}")
        current = generation(tx, account_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == current:
                self._entries.move_to_end(key)
                return entry[1]
        compiled = compile_user(tx, account_id, row)
        with self._lock:
            self._entries[key] = (current, compiled)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return compiled
