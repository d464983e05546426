"""`Stockade.Authorize`: who signed a service's client request, and may they do this?

The service forwards its client's request; Stockade verifies the client's SigV4 signature with
the client's secret (which never leaves Stockade), resolves the principal, and decides the
service's own action on the service's own resource with the principal's identity policies and
the request's global condition keys, as it decides its own IAM calls.

A forwarded request that fails authentication is an answer, not an error: `Authenticated`
false with AWS's code for the fault. Errors are reserved for the service's own call (its
signature, its `stockade:Authorize` permission, malformed input).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.api import callers
from stockade.api.authorize import caller_policies, encoded_denial
from stockade.api.context import Caller, Services
from stockade.api.forwarded import AuthorizeInput
from stockade.api.global_keys import global_context
from stockade.auth.sigv4 import (
    SignatureError,
    SignedRequest,
    read_signature,
    valid_until,
)
from stockade.identity.accounts import generation
from stockade.identity.keys import KeyOwner
from stockade.policy import Outcome, Policies, Request, evaluate, explain
from stockade.protocol import AWSError


@dataclass(frozen=True, slots=True)
class Answer:
    """The operation's output, and the forwarded long-term key whose use is to be recorded."""

    result: dict[str, Any]
    used: KeyOwner | None = None
    used_service: str = ""
    used_region: str = ""


def _unauthenticated(code: str, message: str) -> Answer:
    return Answer(
        {"Authenticated": False, "Decision": "Deny", "Error": {"Code": code, "Message": message}}
    )


def authorize_forwarded(
    tx: Connection, services: Services, service: Caller, question: AuthorizeInput, now: datetime
) -> Answer:
    forwarded = question.request
    try:
        signed = read_signature(forwarded.method, forwarded.query_string, forwarded.headers)
        if question.service is not None and signed.service != question.service:
            # A request signed for another service must not be replayed against this one.
            raise SignatureError(
                "SignatureDoesNotMatch",
                f"Credential should be scoped to correct service: '{question.service}'.",
            )
        # The one resolution every Stockade request uses: long-term keys and temporary
        # credentials (ASIA ids with their session token) alike.
        credential = callers.authenticate(
            tx, services, signed, forwarded, now, payload_hash=forwarded.payload_hash
        )
        caller = callers.load_caller(tx, services, credential)
    except SignatureError as exc:
        return _unauthenticated(exc.code, exc.message)
    except AWSError as exc:  # InvalidClientTokenId, ExpiredToken
        return _unauthenticated(exc.code, exc.message)
    if caller.account_id != service.account_id:
        # A service answers for its own account's principals; others are not revealed to it.
        return _unauthenticated("InvalidClientTokenId", callers.INVALID_TOKEN)

    # The version was read with the key (or by load_caller, for a session) before any policy:
    # a decision is never older than the version it is reported with, so a cache keyed by
    # version cannot keep a stale decision under a new one.
    version = caller.generation
    if version is None:
        version = generation(tx, caller.account_id)
    # None for the root user, whom the engine allows everything in its own account.
    policies = caller_policies(tx, services, caller) or Policies()
    context = global_context(
        caller,
        now=now,
        secure=forwarded.secure,
        source_ip=forwarded.source_ip,
        user_agent=forwarded.headers.get("user-agent", ""),
        region=signed.region,
    )
    context.update(question.context)
    request = Request(question.action, question.resource, context, caller.principal)

    result: dict[str, Any] = {
        "Authenticated": True,
        "Principal": _principal(caller, context),
        "PolicyVersion": version,
        "SignatureValidUntil": _valid_until(signed, caller),
    }
    if question.explain or evaluate(request, policies) is not Outcome.ALLOWED:
        explanation = explain(request, policies)
        outcome = explanation.outcome
        result["Explanation"] = explanation.to_dict()
        if outcome is not Outcome.ALLOWED:
            result["Reason"] = explanation.denial_message(
                caller.arn, question.action, question.resource
            )
            result["EncodedAuthorizationMessage"] = encoded_denial(
                services, caller, request, explanation
            )
    else:
        outcome = Outcome.ALLOWED
    result["Decision"] = "Allow" if outcome is Outcome.ALLOWED else "Deny"
    result["Outcome"] = outcome.value
    return Answer(result, credential.key, signed.service, signed.region)


def _valid_until(signed: SignedRequest, caller: Caller) -> int:
    """Until when the same signed request would be accepted: the signature's window, and no
    later than a session's expiry."""
    until = int(valid_until(signed).timestamp())
    if caller.session is not None:
        until = min(until, caller.session.expires_at)
    return until


def _principal(caller: Caller, context: dict[str, Any]) -> dict[str, Any]:
    principal: dict[str, Any] = {
        "Arn": caller.arn,
        "AccountId": caller.account_id,
        "UserId": caller.unique_id,
        "Type": context["aws:PrincipalType"],
        "AccessKeyId": caller.access_key_id,
    }
    if caller.is_user and caller.user is not None:
        principal["UserName"] = caller.user["name"]
    if caller.role_arn is not None:
        principal["RoleArn"] = caller.role_arn
    if caller.session is not None:
        principal["SessionExpiresAt"] = caller.session.expires_at
    tags = {
        key.split("/", 1)[1]: value
        for key, value in context.items()
        if key.startswith("aws:PrincipalTag/")
    }
    if tags:
        principal["Tags"] = tags
    return principal
