"""Every call is authorized by the same engine users test their policies with."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from stockade.api.context import Call, Caller, Services
from stockade.identity.entities import ROLE, USER
from stockade.policy import (
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
    if kind is PrincipalType.USER and caller.user is not None:
        return cache.entity(tx, caller.account_id, USER, caller.user)
    session = caller.session
    if session is None:  # a caller always has one of the shapes above
        raise AWSError(
            "InvalidClientTokenId", "The security token included in the request is invalid."
        )
    if kind is PrincipalType.ASSUMED_ROLE and caller.role is not None:
        base = cache.entity(tx, caller.account_id, ROLE, caller.role)
    elif caller.user is not None:
        base = cache.entity(tx, caller.account_id, USER, caller.user)
    else:
        base = Policies(identity=_everything())
    narrowed = session.policy is not None or bool(session.policy_arns)
    return Policies(
        identity=base.identity,
        boundary=base.boundary,
        session=(
            cache.session(tx, caller.account_id, session.policy, session.policy_arns)
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
