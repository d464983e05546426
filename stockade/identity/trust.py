"""Whether a principal may assume a role: the role's trust policy, and the caller's own policies.

IAM User Guide, "Policy evaluation logic" and the policy-semantics reference §1.1 (4): a role
trust policy is a resource-based policy that must itself allow — an account principal is not
enough on its own. Within one account, what the trust policy names decides whether the caller's
identity policies must also allow: the user's ARN or the session's ARN is enough by itself, the
role's ARN (for a role session) still leaves the boundary and session policies to pass, and the
account (`"AWS": "ACCOUNT"`) delegates to the caller's identity policies. Across accounts both
sides must allow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from stockade.policy import (
    Outcome,
    Policies,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)
from stockade.policy.request import Principal

__all__ = ["denied_action", "trust_policy_set"]


@lru_cache(maxsize=1024)
def trust_policy_set(policy_id: str, document: str) -> PolicySet:
    """A role's trust policy, compiled once per text."""
    return PolicySet([parse_policy(document, kind=PolicyKind.TRUST, policy_id=policy_id)])


def denied_action(
    role_arn: str,
    role: Mapping[str, Any],
    principal: Principal,
    context: Mapping[str, Any],
    actions: Sequence[str],
    caller_policies: Policies | None,
) -> str | None:
    """The first of `actions` (sts:AssumeRole, then sts:TagSession, sts:SetSourceIdentity as
    the request needs them) the principal may not perform on the role; None if it may do all.

    `caller_policies` is None for the root user, whose own account grants it everything.
    """
    trust = trust_policy_set(f"{role_arn} trust policy", str(role["trust_policy"]))
    role_account = role_arn.split(":")[4]
    for action in actions:
        request = Request(action, role_arn, context, principal)
        if trust.denies(request) or trust.strongest_allow(request) is None:
            return action
        if caller_policies is None:
            continue
        if principal.account == role_account:
            layered = Policies(
                identity=caller_policies.identity,
                boundary=caller_policies.boundary,
                session=caller_policies.session,
                resource=trust,
            )
            allowed = evaluate(request, layered) is Outcome.ALLOWED
        else:
            allowed = evaluate(request, caller_policies) is Outcome.ALLOWED
        if not allowed:
            return action
    return None
