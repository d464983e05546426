"""Every call is authorized by the same engine users test their policies with."""

from __future__ import annotations

from typing import Any

from stockade.api.context import Call
from stockade.policy import Outcome, Request, evaluate, explain
from stockade.protocol import AWSError


def authorize(call: Call, action: str, resource: str, extra: dict[str, Any] | None = None) -> None:
    """Raise AccessDenied, in AWS's words, unless the caller may do `action` on `resource`."""
    caller = call.caller
    if caller.user is None:
        return  # the root user has full access in its own account
    policies = call.services.policy_cache.user(
        call.tx, caller.account_id, caller.user, caller.generation
    )
    context = {**call.context, **(extra or {})}
    request = Request(action, resource, context, caller.principal)
    if evaluate(request, policies) is Outcome.ALLOWED:
        return
    message = explain(request, policies).denial_message(caller.arn, action, resource)
    raise AWSError("AccessDenied", message, 403)
