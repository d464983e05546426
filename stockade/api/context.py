"""Who is calling, and the services a handler may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.auth.authorization_messages import MessageSealer
from stockade.auth.jwks import JwksFetcher
from stockade.auth.secrets import SecretBox
from stockade.auth.session_tokens import SessionClaims, SessionKind, TokenSealer
from stockade.identity.accounts import Generations
from stockade.identity.keys import KeyOwners
from stockade.identity.principals import PolicyCache
from stockade.identity.quotas import Quotas
from stockade.policy import Principal, PrincipalType


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived things every request shares."""

    box: SecretBox
    quotas: Quotas
    policy_cache: PolicyCache
    # Accounts' generations as this process knows them (the store's: a server on PostgreSQL
    # hears every move); with no listener, every request reads them.
    generations: Generations = field(default_factory=Generations)
    # Access keys, held per generation.
    key_owners: KeyOwners = field(init=False, repr=False, compare=False)
    # Seals and opens session tokens under a key derived from the box's master key.
    tokens: TokenSealer = field(init=False, repr=False, compare=False)
    # Seals the details of denials that DecodeAuthorizationMessage reads back.
    messages: MessageSealer = field(init=False, repr=False, compare=False)
    # OIDC issuers' key sets, fetched and cached for AssumeRoleWithWebIdentity.
    jwks: JwksFetcher = field(default_factory=JwksFetcher, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", TokenSealer(self.box))
        object.__setattr__(self, "messages", MessageSealer(self.box))
        object.__setattr__(self, "key_owners", KeyOwners(self.generations))


_SESSION_TYPES = {
    SessionKind.USER: PrincipalType.USER,
    SessionKind.ROOT: PrincipalType.ROOT,
    SessionKind.ROLE: PrincipalType.ASSUMED_ROLE,
    SessionKind.FEDERATED: PrincipalType.FEDERATED_USER,
}


@dataclass(slots=True)
class Caller:
    """Who signed the request: the root user, an IAM user, or a session of one of these, of a
    role, or of a federated user (then `session` holds the token's claims)."""

    account_id: str
    arn: str  # the caller's ARN as GetCallerIdentity returns it
    # The IAM user's row: the caller itself with long-term keys or a GetSessionToken session,
    # or the user who federated a federated user (whose permissions the session narrows).
    user: dict[str, Any] | None
    access_key_id: str | None
    generation: int | None = None  # the account's, when the request read it with the key
    # The principal's tags (the user's or the role's, before any session tags).
    tags: tuple[tuple[str, str], ...] = ()
    session: SessionClaims | None = None
    role: dict[str, Any] | None = None  # a role session's role
    role_arn: str | None = None

    @property
    def kind(self) -> PrincipalType:
        if self.session is not None:
            return _SESSION_TYPES[self.session.kind]
        return PrincipalType.ROOT if self.user is None else PrincipalType.USER

    @property
    def is_root(self) -> bool:
        return self.kind is PrincipalType.ROOT

    @property
    def is_user(self) -> bool:
        """An IAM user acting as itself (long-term keys or its own GetSessionToken session)."""
        return self.kind is PrincipalType.USER

    @property
    def user_id(self) -> str | None:
        return str(self.user["user_id"]) if self.is_user and self.user is not None else None

    @property
    def unique_id(self) -> str:
        """aws:userid and GetCallerIdentity's UserId (policy-semantics reference, §1.5)."""
        session = self.session
        if self.kind is PrincipalType.ASSUMED_ROLE and session is not None:
            return f"{session.subject_id}:{session.session_name}"
        if self.kind is PrincipalType.FEDERATED_USER and session is not None:
            return f"{self.account_id}:{session.name}"
        if self.kind is PrincipalType.USER and self.user is not None:
            return str(self.user["user_id"])
        return self.account_id

    @property
    def principal(self) -> Principal:
        return Principal(self.arn, self.kind, self.role_arn)


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
    # A read: users may come from the per-generation cache. A write reads the rows it changes.
    reads_only: bool = False


@dataclass(slots=True)
class OpenCall:
    """A request to an operation AWS serves without credentials (AssumeRoleWithWebIdentity,
    AssumeRoleWithSAML): there is no caller, the token or assertion in `params` is the proof."""

    tx: Connection
    services: Services
    action: str
    params: dict[str, Any]
    request_time: datetime
    context: dict[str, Any] = field(default_factory=dict)  # the request's own global keys
