"""Who is calling, and the services a handler may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.auth.secrets import SecretBox
from stockade.identity.principals import PolicyCache
from stockade.identity.quotas import Quotas
from stockade.policy import Principal, PrincipalType


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived things every request shares."""

    box: SecretBox
    quotas: Quotas
    policy_cache: PolicyCache


@dataclass(slots=True)
class Caller:
    account_id: str
    arn: str
    user: dict[str, Any] | None  # the IAM user's row; None for the root user
    access_key_id: str | None
    generation: int | None = None  # the account's, when the request read it with the key
    tags: tuple[tuple[str, str], ...] = ()  # the calling user's tags

    @property
    def is_root(self) -> bool:
        return self.user is None

    @property
    def user_id(self) -> str | None:
        return None if self.user is None else str(self.user["user_id"])

    @property
    def principal(self) -> Principal:
        kind = PrincipalType.ROOT if self.user is None else PrincipalType.USER
        return Principal(self.arn, kind)


@dataclass(slots=True)
class Call:
    """One request on its way through a handler: the transaction, the caller, the input."""

    tx: Connection
    services: Services
    caller: Caller
    action: str
    params: dict[str, Any]
    request_time: datetime
    context: dict[str, Any] = field(default_factory=dict)  # global condition keys of the request
