"""From a signature's access key id (and session token) to the caller, with the condition keys
its principal brings to every request.

Used by the gateway for every request, and by anything else that verifies a SigV4 signature
made with Stockade credentials: `resolve_credential` gives the secret to verify with,
`load_caller` the principal once the signature holds, `principal_keys` its condition keys.

Long-term keys (`AKIA…`) are looked up; temporary ones (`ASIA…`) are opened from their session
token alone. Errors are AWS's: InvalidClientTokenId for an unknown, inactive, tampered or
missing credential, ExpiredToken for an expired session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from stockade.api.context import Caller, Services
from stockade.auth.session_tokens import TEMPORARY_PREFIX, SessionClaims, SessionKind, TokenError
from stockade.auth.sigv4 import SignedRequest, verify_signature
from stockade.identity import keys, names, sessions
from stockade.identity.accounts import current_generation
from stockade.identity.entities import ROLE, USER
from stockade.policy.request import principal_context
from stockade.protocol import AWSError

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"


def invalid_token() -> AWSError:
    return AWSError("InvalidClientTokenId", INVALID_TOKEN, 403)


@dataclass(frozen=True, slots=True)
class Credential:
    """A signing credential, resolved: its secret and what it stands for."""

    access_key_id: str
    account_id: str
    secret: str
    key: keys.KeyOwner | None = None  # a long-term access key
    session: SessionClaims | None = None  # temporary credentials


def resolve_credential(
    tx: Connection,
    services: Services,
    access_key_id: str,
    security_token: str | None,
    now: datetime,
) -> Credential:
    """The credential a request names; refuses it before its signature is even checked."""
    if access_key_id.startswith(TEMPORARY_PREFIX):
        if not security_token:
            raise invalid_token()
        try:
            claims = services.tokens.open(security_token, access_key_id)
        except TokenError:
            raise invalid_token() from None
        if claims.expired(now):
            raise AWSError("ExpiredToken", EXPIRED_TOKEN, 400)
        return Credential(
            access_key_id, claims.account_id, claims.secret_access_key, session=claims
        )
    if security_token:
        raise invalid_token()  # a session token belongs with temporary credentials only
    owner = services.key_owners.owner(tx, services.box, access_key_id)
    if owner is None or owner.status != "Active":
        raise invalid_token()
    return Credential(access_key_id, owner.account_id, owner.secret, key=owner)


class SignedHttp(Protocol):
    """The parts of an HTTP request a SigV4 signature covers."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query_string(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def body(self) -> bytes: ...


def authenticate(
    tx: Connection,
    services: Services,
    signed: SignedRequest,
    request: SignedHttp,
    now: datetime,
    payload_hash: str | None = None,
) -> Credential:
    """The credential that signed `request` (an active long-term key, or temporary credentials
    with their session token), once its signature is verified; SignatureError or AWS's
    credential errors otherwise. `payload_hash` stands in for a body not sent along."""
    credential = resolve_credential(tx, services, signed.access_key_id, signed.security_token, now)
    verify_signature(
        signed,
        method=request.method,
        path=request.path,
        query_string=request.query_string,
        headers=request.headers,
        body=request.body,
        secret_access_key=credential.secret,
        now=now,
        payload_hash=payload_hash,
    )
    return credential


def load_caller(tx: Connection, services: Services, credential: Credential) -> Caller:
    """The caller behind a verified credential. A session whose user or role no longer exists
    (deleted, or deleted and created again under the same name) is refused.

    Rows and tags come from the policy cache, valid for the account's generation: read with a
    long-term key in the same statement, read once here for a session.
    """
    account_id = credential.account_id
    key_id = credential.access_key_id
    session = credential.session
    cache = services.policy_cache
    if session is None:
        owner = credential.key
        if owner is None:
            raise invalid_token()
        if owner.user_id is None:
            return Caller(account_id, names.root_arn(account_id), None, key_id, owner.generation)
        state = cache.caller(tx, account_id, owner.user_id, owner.generation)
        if state is None:
            raise invalid_token()
        arn = USER.arn(account_id, state.row)
        return Caller(account_id, arn, state.row, key_id, owner.generation, state.tags)
    current = current_generation(tx, services.generations, account_id)
    if session.kind is SessionKind.ROOT:
        return Caller(account_id, names.root_arn(account_id), None, key_id, current, (), session)
    if session.kind is SessionKind.ROLE:
        role = cache.caller(tx, account_id, str(session.subject_id), current, ROLE)
        if role is None or session.session_name is None:
            raise invalid_token()
        arn = sessions.role_session_arn(account_id, str(role.row["name"]), session.session_name)
        role_arn = ROLE.arn(account_id, role.row)
        return Caller(
            account_id, arn, None, key_id, current, role.tags, session, role.row, role_arn
        )
    user = None
    if session.subject_id is not None:
        user = cache.caller(tx, account_id, session.subject_id, current)
        if user is None:
            raise invalid_token()
    row, user_tags = (None, ()) if user is None else (user.row, user.tags)
    if session.kind is SessionKind.FEDERATED:
        arn = sessions.federated_user_arn(account_id, session.name)
        return Caller(account_id, arn, row, key_id, current, user_tags, session)
    if row is None:
        raise invalid_token()
    return Caller(account_id, USER.arn(account_id, row), row, key_id, current, user_tags, session)


# STS operations each kind of session may call (STS API Reference: GetSessionToken,
# GetFederationToken); role sessions may call any but the two that need long-term keys.
_LONG_TERM_ONLY = frozenset({"GetSessionToken", "GetFederationToken"})
_STS_FOR_SESSION = {
    SessionKind.USER: frozenset({"AssumeRole", "GetCallerIdentity"}),
    SessionKind.ROOT: frozenset({"AssumeRole", "GetCallerIdentity"}),
    SessionKind.FEDERATED: frozenset({"GetCallerIdentity"}),
}


def check_session_scope(caller: Caller, service: str, action: str) -> None:
    """What AWS refuses temporary credentials before any policy is read.

    - GetSessionToken sessions call IAM only when MFA-authenticated, and STS only for
      AssumeRole and GetCallerIdentity; federated users call no IAM operation and only
      GetCallerIdentity in STS. IAM answers InvalidClientTokenId: what AWS answers a
      GetSessionToken session without MFA, used for federated users too.
    - Nobody calls GetSessionToken or GetFederationToken with temporary credentials.
    """
    session = caller.session
    if session is None:
        return
    if service == "iam":
        if session.kind is SessionKind.FEDERATED or (
            session.kind in (SessionKind.USER, SessionKind.ROOT) and not session.mfa_authenticated
        ):
            raise invalid_token()
        return
    if service != "sts":
        return  # a team's own services (Authorize) apply only policies
    allowed = _STS_FOR_SESSION.get(session.kind)
    if action in _LONG_TERM_ONLY or (allowed is not None and action not in allowed):
        raise AWSError("AccessDenied", f"Cannot call {action} with session credentials", 403)


def _stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def principal_keys(caller: Caller, now: datetime) -> dict[str, Any]:
    """The condition keys the caller brings to a request (policy-semantics reference, §1.6):
    who it is, its principal tags (its user's or role's tags, overridden by session tags) and,
    for temporary credentials only, the token's issue time, MFA state and source identity."""
    context: dict[str, Any] = dict(principal_context(caller.principal))
    context["aws:userid"] = caller.unique_id
    for key, value in caller.tags:
        context[f"aws:PrincipalTag/{key}"] = value
    session = caller.session
    if session is None:
        return context
    for key, value in session.tags:
        # A session tag replaces the entity's tag of the same key, whatever its case.
        for existing in [k for k in context if k.lower() == f"aws:principaltag/{key.lower()}"]:
            del context[existing]
        context[f"aws:PrincipalTag/{key}"] = value
    context["aws:TokenIssueTime"] = _stamp(session.issued_at)
    context["aws:MultiFactorAuthPresent"] = "true" if session.mfa_at is not None else "false"
    if session.mfa_at is not None:
        context["aws:MultiFactorAuthAge"] = str(max(0, int(now.timestamp()) - session.mfa_at))
    if session.source_identity is not None:
        context["aws:SourceIdentity"] = session.source_identity
    return context
