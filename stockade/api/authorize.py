"""Every call is authorized by the same engine users test their policies with."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from stockade.api.context import Call, Caller, Services
from stockade.identity.entities import ROLE, USER
from stockade.policy import (
    Explanation,
    Outcome,
    Policies,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    explain,
    parse_policy,
)
from stockade.policy.request import PrincipalType
from stockade.protocol import AWSError


@lru_cache(maxsize=1)
def _everything() -> PolicySet:
    # The root user's permissions, written as a policy: what a session of the root user
    # (a federated user the root user made) starts from before its session policy narrows it.
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    return PolicySet([parse_policy(text, kind=PolicyKind.IDENTITY, policy_id="root user")])


def caller_policies(tx: Connection, services: Services, caller: Caller) -> Policies | None:
    """The policies that decide the caller's requests, by layer; None for the root user, who
    has full access in its own account.

    A role session: the role's identity policies and boundary, and the session policies. A
    federated user: the federating user's policies and boundary (everything, for the root
    user), and the session policies — without any, the engine denies it everything.
    """
    cache = services.policy_cache
    kind = caller.kind
    if kind is PrincipalType.ROOT:
        return None
    generation = caller.generation
    if kind is PrincipalType.USER and caller.user is not None:
        return cache.principal(tx, caller.account_id, USER, caller.user, generation)[1]
    session = caller.session
    if session is None:  # a caller always has one of the shapes above
        raise AWSError(
            "InvalidClientTokenId", "The security token included in the request is invalid."
        )
    if kind is PrincipalType.ASSUMED_ROLE and caller.role is not None:
        base = cache.principal(tx, caller.account_id, ROLE, caller.role, generation)[1]
    elif caller.user is not None:
        base = cache.principal(tx, caller.account_id, USER, caller.user, generation)[1]
    else:
        base = Policies(identity=_everything())
    narrowed = session.policy is not None or bool(session.policy_arns)
    return Policies(
        identity=base.identity,
        boundary=base.boundary,
        session=(
            cache.session(tx, caller.account_id, session.policy, session.policy_arns, generation)
            if narrowed
            else None
        ),
    )


def decide(
    call: Call, action: str, resource: str, extra: dict[str, Any] | None = None
) -> tuple[Outcome, Request, Policies | None]:
    caller = call.caller
    context = {**call.context, **(extra or {})}
    request = Request(action, resource, context, caller.principal)
    policies = caller_policies(call.tx, call.services, caller)
    if policies is None:
        return Outcome.ALLOWED, request, None
    return evaluate(request, policies), request, policies


def authorize(call: Call, action: str, resource: str, extra: dict[str, Any] | None = None) -> None:
    """Raise AccessDenied, in AWS's words, unless the caller may do `action` on `resource`."""
    outcome, request, policies = decide(call, action, resource, extra)
    if outcome is Outcome.ALLOWED or policies is None:
        return
    message = explain(request, policies).denial_message(call.caller.arn, action, resource)
    raise AWSError("AccessDenied", message, 403)


def encoded_denial(
    services: Services, caller: Caller, request: Request, explanation: Explanation | None
) -> str:
    """A denial's details as an encoded authorization message (DecodeAuthorizationMessage
    reads it back), in the shape AWS's decoded messages have: what a service can hand its
    caller without showing it the policies."""
    matched = [] if explanation is None else list(explanation.matched)
    values = [
        {"key": key, "values": {"items": [{"value": v} for v in _as_list(value)]}}
        for key, value in sorted(request.context.items())
    ]
    document = {
        "allowed": explanation is None or explanation.outcome is Outcome.ALLOWED,
        "explicitDeny": explanation is not None and explanation.outcome is Outcome.EXPLICIT_DENY,
        "matchedStatements": {
            "items": [
                {
                    "statementId": ref.sid or "",
                    "effect": ref.effect.value.upper(),
                    "policy": ref.policy_id,
                    "statement": ref.index,
                }
                for ref in matched
            ]
        },
        "failures": {"items": [explanation.summary] if explanation is not None else []},
        "context": {
            "principal": {"id": caller.unique_id, "arn": caller.arn},
            "action": request.action,
            "resource": request.resource,
            "conditions": {"items": values},
        },
    }
    return services.messages.encode(document, caller.account_id)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(item) for item in value]
