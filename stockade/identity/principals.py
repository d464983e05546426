"""The policies that apply to a principal, compiled once per account generation.

A user's identity layer is its inline and attached policies plus every group's; its boundary is
the managed policy set as its permissions boundary. Compiling is the expensive part, so the
result is cached per principal and reused until the account's generation moves (any IAM change
bumps it, on any node), which costs one small read per request. The policy simulator reads the
same policies uncompiled, each with the source it names in its results (`principal_policies`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from stockade.identity import entities, names, policies, tags, users
from stockade.identity.accounts import generation
from stockade.identity.aws_policies import aws_managed_policies, parsed_aws_policy
from stockade.identity.entities import GROUP, USER, Kind
from stockade.identity.errors import NoSuchEntity
from stockade.policy import Policies, Policy, PolicyKind, PolicySet, parse_policy

_CACHE_SIZE = 4096


@lru_cache(maxsize=8192)
def _parsed(policy_id: str, document: str, kind: PolicyKind) -> Policy:
    return parse_policy(document, kind=kind, policy_id=policy_id)


def _managed(tx: Connection, account_id: str, policy_arn: str, kind: PolicyKind) -> Policy:
    if policy_arn in aws_managed_policies() and kind is PolicyKind.IDENTITY:
        return parsed_aws_policy(policy_arn)
    return _parsed(policy_arn, policies.default_document(tx, account_id, policy_arn), kind)


@dataclass(frozen=True, slots=True)
class Source:
    """One policy of a simulation and where it comes from, as the IAM policy simulator names it."""

    policy: Policy
    source_id: str  # SourcePolicyId: `user_alice_Inline` for an inline policy, else the name
    source_type: str  # SourcePolicyType: user, group, role, aws-managed, user-managed, ...


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    """A user's, group's or role's policies: its identity layer and its permissions boundary."""

    identity: tuple[Source, ...]
    boundary: Source | None

    def compiled(self) -> Policies:
        boundary = None if self.boundary is None else PolicySet([self.boundary.policy])
        return Policies(
            identity=PolicySet(source.policy for source in self.identity), boundary=boundary
        )


def _managed_source(tx: Connection, account_id: str, policy_arn: str, kind: PolicyKind) -> Source:
    is_aws = policy_arn.startswith(names.AWS_POLICY_ARN_PREFIX + "/")
    return Source(
        _managed(tx, account_id, policy_arn, kind),
        policy_arn.rsplit("/", 1)[-1],
        "aws-managed" if is_aws else "user-managed",
    )


def _entity_sources(
    tx: Connection, account_id: str, kind: Kind, row: Mapping[str, Any]
) -> list[Source]:
    arn = kind.arn(account_id, row)
    entity_id = str(row[kind.id_column])
    # The simulator names an inline policy `<kind>_<entity name>_<policy name>`.
    found = [
        Source(
            _parsed(f"{arn} inline policy {name}", document, PolicyKind.IDENTITY),
            f"{kind.name}_{row['name']}_{name}",
            kind.name,
        )
        for name, document in policies.inline_documents(tx, kind, entity_id)
    ]
    found += [
        _managed_source(tx, account_id, policy_arn, PolicyKind.IDENTITY)
        for policy_arn in policies.attached_arns(tx, kind, entity_id)
    ]
    return found


def principal_policies(
    tx: Connection, account_id: str, kind: Kind, row: Mapping[str, Any]
) -> PrincipalPolicies:
    """The policies of a user (its own and its groups'), a group or a role, with their sources."""
    identity = _entity_sources(tx, account_id, kind, row)
    if kind is USER:
        for group in users.group_rows_of(tx, str(row["user_id"])):
            identity += _entity_sources(tx, account_id, GROUP, group)
    boundary_arn = row.get("permissions_boundary")  # groups have none
    boundary = (
        _managed_source(tx, account_id, str(boundary_arn), PolicyKind.BOUNDARY)
        if boundary_arn
        else None
    )
    return PrincipalPolicies(tuple(identity), boundary)


@dataclass(frozen=True, slots=True)
class CallerState:
    """What a request needs of its calling user: the row and the tags (aws:PrincipalTag/*)."""

    row: dict[str, Any]
    tags: tuple[tuple[str, str], ...]


class PolicyCache:
    """What requests read again and again, per account generation: principals' policies
    (compiled and with their sources), callers' rows and tags, users' and roles' tags. An entry
    is valid while the account's generation stands; every IAM change bumps it (tag changes on
    users and roles included), on any node."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, str], tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def principal(
        self,
        tx: Connection,
        account_id: str,
        kind: Kind,
        row: Mapping[str, Any],
        account_generation: int | None = None,
    ) -> tuple[PrincipalPolicies, Policies]:
        """A user's, group's or role's policies with their sources, and compiled."""
        current = generation(tx, account_id) if account_generation is None else account_generation
        key = (account_id, f"{kind.name}:{row[kind.id_column]}")
        found: tuple[PrincipalPolicies, Policies] | None = self._get(key, current)
        if found is None:
            held = principal_policies(tx, account_id, kind, row)
            found = (held, held.compiled())
            self._put(key, current, found)
        return found

    def caller(
        self,
        tx: Connection,
        account_id: str,
        user_id: str,
        account_generation: int,
        kind: Kind = USER,
    ) -> CallerState | None:
        """The calling user's (or a role session's role's) row and tags; None when it no
        longer exists."""
        key = (account_id, f"caller:{kind.name}:{user_id}")
        found: CallerState | None = self._get(key, account_generation)
        if found is None:
            row = entities.get_by_id(tx, kind, user_id)
            if row is None:
                return None
            arn = kind.arn(account_id, row)
            found = CallerState(row, tuple((t["Key"], t["Value"]) for t in tags.list_tags(tx, arn)))
            self._put(key, account_generation, found)
        return found

    def user(
        self, tx: Connection, account_id: str, name: str, account_generation: int
    ) -> dict[str, Any] | None:
        """A user's row by name (in any case), for reads: every change to a user's row moves
        the generation, its password's last use included (logins.record_password_use)."""
        key = (account_id, f"user:{name.lower()}")
        found: dict[str, Any] | None = self._get(key, account_generation)
        if found is None:
            found = entities.find(tx, USER, account_id, name)
            if found is None:
                return None  # not held: a user created under this name is found at once
            self._put(key, account_generation, found)
        return dict(found)  # callers may change their copy

    def session(
        self,
        tx: Connection,
        account_id: str,
        policy: str | None,
        policy_arns: tuple[str, ...],
        account_generation: int | None = None,
    ) -> PolicySet:
        """A session's policies: the inline session policy and the managed ones it names.

        A named managed policy deleted since the session began contributes nothing, so the
        session can only lose permissions.
        """
        current = generation(tx, account_id) if account_generation is None else account_generation
        key = (account_id, "session\x00" + "\x00".join((policy or "", *policy_arns)))
        found: PolicySet | None = self._get(key, current)
        if found is None:
            members = []
            if policy is not None:
                members.append(_parsed("session policy", policy, PolicyKind.SESSION))
            for arn in policy_arns:
                try:
                    members.append(_managed(tx, account_id, arn, PolicyKind.SESSION))
                except NoSuchEntity:
                    continue
            found = PolicySet(members)
            self._put(key, current, found)
        return found

    def entity_tags(
        self, tx: Connection, account_id: str, arn: str, account_generation: int | None
    ) -> list[dict[str, str]]:
        """A user's or role's tags (changing them moves the generation, unlike other tags)."""
        if account_generation is None:
            return tags.list_tags(tx, arn)
        key = (account_id, f"tags:{arn}")
        found: list[dict[str, str]] | None = self._get(key, account_generation)
        if found is None:
            found = tags.list_tags(tx, arn)
            self._put(key, account_generation, found)
        return [dict(item) for item in found]  # callers may change their copy

    def _get(self, key: tuple[str, str], current: int) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == current:
                self._entries.move_to_end(key)
                return entry[1]
        return None

    def _put(self, key: tuple[str, str], current: int, value: object) -> None:
        with self._lock:
            self._entries[key] = (current, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
