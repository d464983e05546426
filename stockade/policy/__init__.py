"""The policy engine: parse, validate, compile and evaluate IAM policy documents.

Pure and deterministic: no I/O. Typical use::

    from stockade.policy import PolicySet, Policies, Request, evaluate, parse_policy

    identity = PolicySet([parse_policy(text, policy_id="arn:aws:iam::123456789012:policy/Dev")])
    outcome = evaluate(Request("s3:GetObject", "arn:aws:s3:::bucket/key"), Policies(identity))
"""

from stockade.policy.compile import EMPTY, Miss, PolicySet, PrincipalMatch, StatementRef
from stockade.policy.errors import PolicyError
from stockade.policy.evaluate import Explanation, Layer, Outcome, Policies, evaluate, explain
from stockade.policy.model import Effect, Policy, PolicyKind, Statement
from stockade.policy.parse import SIZE_LIMITS, count_policy_characters, parse_policy
from stockade.policy.request import Principal, PrincipalType, Request

__all__ = [
    "EMPTY",
    "SIZE_LIMITS",
    "Effect",
    "Explanation",
    "Layer",
    "Miss",
    "Outcome",
    "Policies",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "Principal",
    "PrincipalMatch",
    "PrincipalType",
    "Request",
    "Statement",
    "StatementRef",
    "count_policy_characters",
    "evaluate",
    "explain",
    "parse_policy",
]
