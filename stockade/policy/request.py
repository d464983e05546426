"""Who asks, for what: the principal and the request an evaluation decides on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

ContextValue = str | Sequence[str]


class PrincipalType(StrEnum):
    USER = "IAMUser"
    ASSUMED_ROLE = "AssumedRoleSession"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Root"
    ANONYMOUS = "Anonymous"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. For a role session `arn` is the session ARN and `role_arn` the role's."""

    arn: str
    type: PrincipalType = PrincipalType.USER
    role_arn: str | None = None

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    @property
    def account_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:root"


@dataclass(slots=True)
class Request:
    """One request: an action on a resource, with its complete context.

    A key absent from `context` is absent from the request. Keys are matched case-insensitively;
    multivalued keys (aws:TagKeys …) carry a list of strings.
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    principal: Principal | None = None
    _action_key: str | None = field(default=None, repr=False)
    _lower_context: dict[str, ContextValue] | None = field(default=None, repr=False)

    @property
    def action_key(self) -> str:
        """The action in lower case, as the action index stores it."""
        if self._action_key is None:
            self._action_key = self.action.lower()
        return self._action_key

    @property
    def lower_context(self) -> dict[str, ContextValue]:
        """The context with lower-case keys; built on first use, since most decisions need none."""
        if self._lower_context is None:
            self._lower_context = {
                key.lower(): value if isinstance(value, str) else tuple(value)
                for key, value in self.context.items()
            }
        return self._lower_context
