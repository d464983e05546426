"""Temporary credentials as AWS STS issues them: user sessions (GetSessionToken), role sessions
(AssumeRole and, on top of `issue_role_session`, the federation operations) and federated users
(GetFederationToken). Details and the AWS rules followed: docs/sts.md.

Nothing here is stored: a session lives in its token (`stockade.auth.session_tokens`). What a
session may do is decided at each request by its principal's current policies, the session
policies the token names, and any policy denying older sessions (`revoke_older_sessions`).
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, update

from stockade.auth.identifiers import new_secret_access_key
from stockade.auth.secrets import SecretBox
from stockade.auth.session_tokens import (
    SessionClaims,
    SessionKind,
    TokenSealer,
    new_temporary_key_id,
)
from stockade.identity import entities, mfa, policies
from stockade.identity.entities import ROLE
from stockade.identity.errors import (
    AccessDenied,
    InvalidParameterValue,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    PackedPolicyTooLarge,
    ValidationError,
)
from stockade.policy import PolicyKind
from stockade.store import schema as t

# GetSessionToken and GetFederationToken (STS API Reference): 15 minutes to 36 hours, 12 hours
# by default; the root user's sessions last at most an hour ("defaults to one hour").
LONG_SESSION_DEFAULT = 43_200
ROOT_SESSION_CAP = 3_600
# AssumeRole: an hour by default, at most the role's MaxSessionDuration; a role session assuming
# a role (role chaining) gets at most an hour.
ROLE_SESSION_DEFAULT = 3_600
CHAINED_SESSION_CAP = 3_600
# Session policies and tags travel "packed"; AWS does not publish its packing or its limit.
# Stockade packs them with zlib and allows 2,048 packed bytes (docs/sts.md).
PACKED_LIMIT_BYTES = 2_048

MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code. "


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def expiration_of(claims: SessionClaims) -> datetime:
    return datetime.fromtimestamp(claims.expires_at, UTC)


def credentials(sealer: TokenSealer, claims: SessionClaims) -> dict[str, Any]:
    """The `Credentials` element of an STS response."""
    return {
        "AccessKeyId": claims.access_key_id,
        "SecretAccessKey": claims.secret_access_key,
        "SessionToken": sealer.seal(claims),
        "Expiration": expiration_of(claims),
    }


def _new_claims(
    account_id: str,
    kind: SessionKind,
    subject_id: str | None,
    name: str,
    now: datetime,
    duration: int,
    **more: Any,
) -> SessionClaims:
    issued = _epoch(now)
    return SessionClaims(
        access_key_id=new_temporary_key_id(account_id),
        secret_access_key=new_secret_access_key(),
        account_id=account_id,
        kind=kind,
        subject_id=subject_id,
        name=name,
        issued_at=issued,
        expires_at=issued + duration,
        **more,
    )


# -- MFA -------------------------------------------------------------------------------------
def verify_mfa(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    user_id: str | None,
    serial: str | None,
    code: str | None,
    now: datetime,
) -> int | None:
    """When MFA was verified (now), or None when neither SerialNumber nor TokenCode is given.

    The device must be the caller's own (the root user's for the root user) and the code one it
    has not accepted before. Every failure reads the same: AWS's AccessDenied wording.
    """
    if not serial and not code:
        return None
    if not serial or not code:
        raise AccessDenied(MFA_FAILED)
    try:
        device = mfa.get_device(tx, account_id, serial)
    except NoSuchEntity:
        raise AccessDenied(MFA_FAILED) from None
    owned = device["for_root"] if user_id is None else device["user_id"] == user_id
    if not owned or not mfa.check_code(tx, box, account_id, serial, code, now):
        raise AccessDenied(MFA_FAILED)
    return _epoch(now)


# -- session policies and tags ---------------------------------------------------------------
def check_session_policies(
    tx: Connection, account_id: str, policy: str | None, policy_arns: Sequence[str]
) -> None:
    """An inline session policy must be a valid policy; managed ones must exist."""
    if policy is not None:
        try:
            policies.check_document(policy, kind=PolicyKind.SESSION, limit="session")
        except LimitExceeded as exc:
            raise PackedPolicyTooLarge(exc.message) from None
    for arn in policy_arns:
        if not policies.policy_exists(tx, account_id, arn):
            raise MalformedPolicyDocument(f"Policy {arn} does not exist or is not attachable.")


def check_tags(
    tags: Sequence[tuple[str, str]],
    transitive_keys: Sequence[str],
    inherited: Sequence[tuple[str, str]] = (),
) -> None:
    """Session tag keys are unique ignoring case, transitive keys name passed tags, and a tag
    inherited transitively in a role chain cannot be passed again."""
    seen: set[str] = set()
    for key, _ in tags:
        if key.lower() in seen:
            raise InvalidParameterValue(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())
    for key in transitive_keys:
        if key.lower() not in seen:
            raise InvalidParameterValue(
                "The specified transitive tag key must be included in the requested tags."
            )
    for key, _ in inherited:
        if key.lower() in seen:
            raise InvalidParameterValue(
                f"Session tag {key} was set as transitive in the role chain and cannot be "
                "passed again."
            )


def packed_size_percent(
    policy: str | None, policy_arns: Sequence[str], tags: Sequence[tuple[str, str]]
) -> int | None:
    """How much of the packed limit the session policies and tags use (None when the request
    passes none, and AWS's response has no PackedPolicySize); PackedPolicyTooLarge past 100 %."""
    if policy is None and not policy_arns and not tags:
        return None
    compact = json.dumps(json.loads(policy), separators=(",", ":")) if policy else ""
    packed = zlib.compress(
        json.dumps([compact, list(policy_arns), [list(tag) for tag in tags]]).encode(), 9
    )
    percent = math.ceil(100 * len(packed) / PACKED_LIMIT_BYTES)
    if percent > 100:
        raise PackedPolicyTooLarge(
            "Packed size of consumed sessions policies and session tags exceeds the limit "
            f"({percent}% of it)."
        )
    return percent


# -- GetSessionToken -------------------------------------------------------------------------
def get_session_token(
    tx: Connection,
    box: SecretBox,
    sealer: TokenSealer,
    account_id: str,
    user: Mapping[str, Any] | None,
    *,
    duration: int | None,
    serial: str | None,
    code: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A session of the IAM user `user` (None: the root user), MFA-authenticated when a valid
    SerialNumber and TokenCode of the caller's device are given."""
    user_id = None if user is None else str(user["user_id"])
    mfa_at = verify_mfa(tx, box, account_id, user_id, serial, code, now)
    seconds = duration or LONG_SESSION_DEFAULT
    if user is None:
        seconds = min(seconds, ROOT_SESSION_CAP)
    claims = _new_claims(
        account_id,
        SessionKind.ROOT if user is None else SessionKind.USER,
        user_id,
        "" if user is None else str(user["name"]),
        now,
        seconds,
        session_name=None,
        mfa_at=mfa_at,
        issuer="GetSessionToken",
    )
    return {"Credentials": credentials(sealer, claims)}


# -- role sessions ---------------------------------------------------------------------------
def role_session_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def role_session_duration(role: Mapping[str, Any], requested: int | None, *, chained: bool) -> int:
    """DurationSeconds as AssumeRole accepts it, with AWS's messages for what it refuses."""
    if requested is None:
        return min(ROLE_SESSION_DEFAULT, int(role["max_session_duration"]))
    if chained and requested > CHAINED_SESSION_CAP:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed "
            "by role chaining."
        )
    if requested > int(role["max_session_duration"]):
        raise ValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    return requested


def issue_role_session(
    tx: Connection,
    sealer: TokenSealer,
    account_id: str,
    role: Mapping[str, Any],
    session_name: str,
    *,
    now: datetime,
    duration: int | None = None,
    policy: str | None = None,
    policy_arns: Sequence[str] = (),
    tags: Sequence[tuple[str, str]] = (),
    transitive_tag_keys: Sequence[str] = (),
    source_identity: str | None = None,
    mfa_at: int | None = None,
    parent: SessionClaims | None = None,
    issuer: str = "AssumeRole",
) -> dict[str, Any]:
    """Credentials for a session of `role`, once the caller has been allowed to assume it.

    The trust decision is the caller's (AssumeRole: `stockade.api.sts`; web identity and SAML
    check their own token first). `parent` is the calling role session when roles are chained:
    it caps the duration at an hour and passes on its transitive tags and source identity.
    Returns the AssumeRole response body (Credentials, AssumedRoleUser, PackedPolicySize,
    SourceIdentity) and records the role's last use.
    """
    chained = parent is not None and parent.kind is SessionKind.ROLE
    seconds = role_session_duration(role, duration, chained=chained)
    inherited: tuple[tuple[str, str], ...] = ()
    inherited_keys: tuple[str, ...] = ()
    if parent is not None:
        transitive = {key.lower() for key in parent.transitive_tag_keys}
        inherited = tuple(tag for tag in parent.tags if tag[0].lower() in transitive)
        inherited_keys = tuple(tag[0] for tag in inherited)
        if parent.source_identity is not None:
            if source_identity is not None and source_identity != parent.source_identity:
                raise ValidationError(
                    "The source identity of a role chain cannot be changed: "
                    f"it is {parent.source_identity}."
                )
            source_identity = parent.source_identity
        if mfa_at is None:
            mfa_at = parent.mfa_at  # the chain was authenticated with MFA at its start
    check_tags(tags, transitive_tag_keys, inherited)
    check_session_policies(tx, account_id, policy, policy_arns)
    percent = packed_size_percent(policy, policy_arns, tags)
    claims = _new_claims(
        account_id,
        SessionKind.ROLE,
        str(role["role_id"]),
        str(role["name"]),
        now,
        seconds,
        session_name=session_name,
        mfa_at=mfa_at,
        tags=(*inherited, *tags),
        transitive_tag_keys=(*inherited_keys, *transitive_tag_keys),
        policy=policy,
        policy_arns=tuple(policy_arns),
        source_identity=source_identity,
        chained=chained,
        issuer=issuer,
    )
    record_role_use(tx, str(role["role_id"]), now)
    result: dict[str, Any] = {
        "Credentials": credentials(sealer, claims),
        "AssumedRoleUser": {
            "AssumedRoleId": f"{role['role_id']}:{session_name}",
            "Arn": role_session_arn(account_id, str(role["name"]), session_name),
        },
    }
    if percent is not None:
        result["PackedPolicySize"] = percent
    if source_identity is not None:
        result["SourceIdentity"] = source_identity
    return result


def record_role_use(tx: Connection, role_id: str, now: datetime) -> None:
    """RoleLastUsed: when and where (IAM's region) the role was last assumed."""
    tx.execute(
        update(t.roles)
        .where(t.roles.c.role_id == role_id)
        .values(last_used_at=now.replace(microsecond=0), last_used_region="us-east-1")
    )


def find_role_by_arn(tx: Connection, role_arn: str) -> tuple[str, dict[str, Any] | None]:
    """(account id, the role or None) for an IAM role ARN; ValidationError if it is not one."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3]:
        raise ValidationError("Request ARN is invalid")
    account_id, resource = parts[4], parts[5]
    if not resource.startswith("role/") or not account_id.isdigit():
        raise ValidationError("Request ARN is invalid")
    name = resource.rsplit("/", 1)[-1]
    row = entities.find(tx, ROLE, account_id, name)
    if row is not None and ROLE.arn(account_id, row) != role_arn:
        row = None  # the same name under another path is another role
    return account_id, row


# -- federated users -------------------------------------------------------------------------
def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


def get_federation_token(
    tx: Connection,
    sealer: TokenSealer,
    account_id: str,
    user: Mapping[str, Any] | None,
    name: str,
    *,
    now: datetime,
    duration: int | None = None,
    policy: str | None = None,
    policy_arns: Sequence[str] = (),
    tags: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """A federated user's session: the calling user's permissions narrowed by the session
    policies; without a session policy it has none (IAM User Guide, GetFederationToken)."""
    check_tags(tags, ())
    check_session_policies(tx, account_id, policy, policy_arns)
    percent = packed_size_percent(policy, policy_arns, tags)
    seconds = duration or LONG_SESSION_DEFAULT
    if user is None:
        seconds = min(seconds, ROOT_SESSION_CAP)
    claims = _new_claims(
        account_id,
        SessionKind.FEDERATED,
        None if user is None else str(user["user_id"]),
        name,
        now,
        seconds,
        session_name=None,
        tags=tuple(tags),
        policy=policy,
        policy_arns=tuple(policy_arns),
        issuer="GetFederationToken",
    )
    result: dict[str, Any] = {
        "Credentials": credentials(sealer, claims),
        "FederatedUser": {
            "FederatedUserId": f"{account_id}:{name}",
            "Arn": federated_user_arn(account_id, name),
        },
    }
    if percent is not None:
        result["PackedPolicySize"] = percent
    return result


# -- revoking sessions -----------------------------------------------------------------------
REVOKE_POLICY_NAME = "AWSRevokeOlderSessions"


def revocation_policy(before: datetime) -> str:
    """The inline policy the AWS console's "Revoke active sessions" puts on a role."""
    stamp = before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": ["*"],
                    "Resource": ["*"],
                    "Condition": {"DateLessThan": {"aws:TokenIssueTime": stamp}},
                }
            ],
        },
        indent=4,
    )


def revoke_older_sessions(tx: Connection, account_id: str, role_name: str, now: datetime) -> str:
    """Deny every request of the role's sessions issued before `now`; returns the policy.

    Sessions issued from now on are unaffected; running it again moves the cut-off.
    """
    row = entities.get(tx, ROLE, account_id, role_name)
    document = revocation_policy(now)
    policies.put_inline(tx, account_id, ROLE, str(row["role_id"]), REVOKE_POLICY_NAME, document)
    return document


def tag_pairs(given: Iterable[Mapping[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    """Tags as botocore parses them (a list of {Key, Value}) as pairs."""
    return tuple((str(tag["Key"]), str(tag.get("Value", ""))) for tag in given or ())


__all__ = [
    "SessionClaims",
    "SessionKind",
    "check_session_policies",
    "credentials",
    "federated_user_arn",
    "find_role_by_arn",
    "get_federation_token",
    "get_session_token",
    "issue_role_session",
    "packed_size_percent",
    "revoke_older_sessions",
    "role_session_arn",
    "verify_mfa",
]
