"""What a policy document grants, asked of the policy engine rather than read off its text.

Matching is the engine's (`PolicySet.candidates`): wildcards in actions, `NotAction`, case, and
every spelling IAM accepts. Two questions are asked of an identity policy:

- does it allow an action on *some* resource (`allows_somewhere`): an Allow statement matches the
  action and some resource (any `Resource`, or a `NotResource` that is not `*`), and no
  unconditional Deny matches the action on every resource;
- does it allow an action on *every* resource (`allows_everywhere`): the same, with the Allow's
  `Resource` being `*`.

Conditions are not evaluated (an audit has no request to evaluate them against): a grant that
holds only under conditions is still a grant, and `Grant.conditional` says so, as Prowler and the
CIS audit procedure also count conditional statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from stockade.policy import PolicyError, PolicySet, parse_policy
from stockade.policy.compile import CompiledStatement

# An action of no real service: only `"Action": "*"` (or a NotAction that spares it) matches it,
# which is how "every action" is told apart from "every IAM action".
_UNKNOWN_SERVICE_ACTION = "stockade-probe:AnyAction"


@dataclass(frozen=True, slots=True)
class Grant:
    granted: bool
    conditional: bool = False  # every granting statement carries a Condition


_NONE = Grant(False)


class PolicyGrants:
    """One parsed document, and answers about it (cached per action)."""

    def __init__(self, policy_set: PolicySet) -> None:
        self._set = policy_set
        self._answers: dict[tuple[str, bool], Grant] = {}

    def _grant(self, action: str, everywhere: bool) -> Grant:
        key = (action.lower(), everywhere)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._decide(*key)
            self._answers[key] = answer
        return answer

    def _decide(self, action_key: str, everywhere: bool) -> Grant:
        candidates = self._set.candidates(action_key)
        if any(_denies_everywhere(s) for s in candidates):
            return _NONE
        granting = [
            s
            for s in candidates
            if not s.is_deny and (_everywhere(s) if everywhere else _somewhere(s))
        ]
        if not granting:
            return _NONE
        return Grant(True, conditional=all(s.conditions for s in granting))

    def allows_somewhere(self, action: str) -> Grant:
        return self._grant(action, everywhere=False)

    def allows_everywhere(self, action: str) -> Grant:
        return self._grant(action, everywhere=True)

    def full_admin(self) -> Grant:
        """`*:*`: every action, of every service, on every resource (IAM's own included, so
        that `Allow *` with `Deny iam:*` is not full admin)."""
        probe = self.allows_everywhere(_UNKNOWN_SERVICE_ACTION)
        if not probe.granted or not self.allows_everywhere("iam:CreateUser").granted:
            return _NONE
        return probe


def _denies_everywhere(statement: CompiledStatement) -> bool:
    return (
        statement.is_deny
        and statement.resource_all
        and not statement.resource_negated
        and not statement.conditions
    )


def _everywhere(statement: CompiledStatement) -> bool:
    return statement.resource_all and not statement.resource_negated


def _somewhere(statement: CompiledStatement) -> bool:
    # NotResource "*" excludes everything; any other Resource or NotResource leaves something.
    return not (statement.resource_negated and statement.resource_all)


_EMPTY = PolicyGrants(PolicySet())


@lru_cache(maxsize=65536)
def grants_of(document: str) -> PolicyGrants:
    """The grants of a document's text; documents repeated across entities parse once. A document
    the engine cannot read (an imported oddity) grants nothing here."""
    try:
        return PolicyGrants(PolicySet([parse_policy(document, policy_id="audited")]))
    except PolicyError:
        return _EMPTY
