"""The parsed form of a policy document: what the compiler and the linter read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CURRENT_VERSION = "2012-10-17"
LEGACY_VERSION = "2008-10-17"


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyKind(StrEnum):
    """Where a policy sits in an evaluation; it decides which elements are allowed."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"

    @property
    def takes_principal(self) -> bool:
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST)


@dataclass(frozen=True, slots=True)
class Condition:
    """One operator/key pair of a Condition block and its values, as strings."""

    operator: str
    key: str
    values: tuple[str, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement. Exactly one of each pair (actions/not_actions, …) is set, or neither."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    # (type, value) pairs: ("AWS", "arn:aws:iam::1:root"); ("*", "*") for "Principal": "*".
    principals: tuple[tuple[str, str], ...] | None
    not_principals: tuple[tuple[str, str], ...] | None
    conditions: tuple[Condition, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed, valid policy document. `policy_id` names it in explanations (an ARN or a file)."""

    policy_id: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    text: str

    @property
    def variables_enabled(self) -> bool:
        """Variables are substituted only under Version 2012-10-17; else `${…}` is literal text."""
        return self.version == CURRENT_VERSION
