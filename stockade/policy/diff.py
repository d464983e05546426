"""What a change of policies changes: for one subject (a principal, or a policy document on its
own), which actions on which resource patterns become allowed or denied, and which
privilege-escalation methods (stockade.policy.escalation) become possible.

The engine decides every action the policies could bear on (each Action pattern expanded over
the catalogue; every action of every service when a NotAction or `*` is involved; always the
escalation actions) against every resource pattern either side names, plus `*`. A pattern is
decided as written: `arn:aws:s3:::logs/*` stands for "every object of logs" because `*` matches
itself. The request carries the principal's own keys and nothing else, so a statement whose
condition needs a key the request lacks makes the answer *conditional*: allowed in some
requests, not in others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from stockade.policy.catalogue import Catalogue
from stockade.policy.escalation import ESCALATION_ACTIONS, ESCALATION_METHODS, EscalationMethod
from stockade.policy.evaluate import Outcome, Policies, evaluate, explain
from stockade.policy.model import Policy
from stockade.policy.request import ContextValue, Principal, Request


class Access(StrEnum):
    DENIED = "denied"
    CONDITIONAL = "conditional"
    ALLOWED = "allowed"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Access.DENIED: 0, Access.CONDITIONAL: 1, Access.ALLOWED: 2}


@dataclass(frozen=True, slots=True)
class Change:
    action: str
    resource: str
    before: Access
    after: Access

    @property
    def widened(self) -> bool:
        return self.after.rank > self.before.rank

    @property
    def escalating(self) -> bool:
        return self.action in ESCALATION_ACTIONS


@dataclass(frozen=True, slots=True)
class Escalation:
    method: EscalationMethod
    conditional: bool  # possible only in requests with some condition keys


@dataclass(frozen=True, slots=True)
class SubjectDiff:
    """One principal's (or document's) change. `gained`/`lost`: escalation methods that became
    possible / impossible."""

    subject: str
    changes: tuple[Change, ...]
    gained: tuple[Escalation, ...]
    lost: tuple[EscalationMethod, ...]

    @property
    def widened(self) -> bool:
        return bool(self.gained) or any(change.widened for change in self.changes)

    def ordered_changes(self) -> list[Change]:
        """Widening first, escalating actions first among them, then by resource and action."""
        return sorted(
            self.changes,
            key=lambda c: (not c.widened, not c.escalating, c.resource, c.action),
        )


# -- what to decide --------------------------------------------------------------------------
def resource_patterns(policies: Iterable[Policy]) -> list[str]:
    """`*`, then every Resource and NotResource pattern, in first-seen order."""
    found = {"*": None}
    for policy in policies:
        for statement in policy.statements:
            for pattern in (*(statement.resources or ()), *(statement.not_resources or ())):
                found.setdefault(pattern, None)
    return list(found)


def candidate_actions(policies: Iterable[Policy], catalogue: Catalogue) -> list[str]:
    """Every catalogue action a statement's Action could name (all of them under NotAction),
    and the escalation actions, in `service:Action` spelling, sorted."""
    found: dict[str, None] = dict.fromkeys(ESCALATION_ACTIONS)
    patterns: set[str] = set()
    for policy in policies:
        for statement in policy.statements:
            if statement.not_actions is not None:
                patterns.add("*")
            patterns.update(statement.actions or ())
    if "*" in patterns:
        patterns = {"*"}
    for pattern in sorted(patterns):
        for action in catalogue.expand(pattern):
            found.setdefault(action.full_name, None)
    return sorted(found)


def applicable_resources(action: str, resources: Sequence[str], catalogue: Catalogue) -> list[str]:
    """The patterns a request for the action could name: `*`, and those that could name a
    resource of one of its types (an action without resource types takes only `*`)."""
    found = catalogue.action(action)
    service = catalogue.service(action.partition(":")[0])
    if found is None or service is None:
        return list(resources)
    types = [service.resource_types.get(accepted.name) for accepted in found.resource_types]
    return [
        pattern
        for pattern in resources
        if pattern == "*" or any(t is not None and t.matches_arn(pattern) for t in types)
    ]


# -- deciding --------------------------------------------------------------------------------
class _Decider:
    """Access of one subject's policies to (action, resource), remembered."""

    def __init__(
        self,
        policies: Policies,
        principal: Principal | None,
        context: Mapping[str, ContextValue],
    ) -> None:
        self.policies = policies
        self.principal = principal
        self.context = context
        self.conditioned = any(
            statement.conditions
            for _, layer in policies.layers
            for policy in layer.policies
            for statement in policy.statements
        )
        self.seen: dict[tuple[str, str], Access] = {}

    def access(self, action: str, resource: str) -> Access:
        key = (action, resource)
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = self._decide(action, resource)
        return found

    def _decide(self, action: str, resource: str) -> Access:
        request = Request(action, resource, self.context, self.principal)
        outcome = evaluate(request, self.policies)
        # Only the explaining path reports the keys a condition lacked: asked only when a
        # statement about this action has a condition.
        if (
            self.conditioned
            and self._has_conditions(request.action_key)
            and explain(request, self.policies).missing_context_values
        ):
            return Access.CONDITIONAL
        return Access.ALLOWED if outcome is Outcome.ALLOWED else Access.DENIED

    def _has_conditions(self, action_key: str) -> bool:
        return any(
            compiled.statement.conditions
            for _, layer in self.policies.layers
            for compiled in layer.candidates(action_key)
        )

    def escalations(self, where: Mapping[str, Sequence[str]]) -> dict[str, Escalation]:
        """The methods possible: each action allowed (or conditionally) on some pattern."""
        possible: dict[str, Escalation] = {}
        for method in ESCALATION_METHODS:
            best = [
                max(
                    (
                        self.access(a, r)
                        for r in ([method.resource] if method.resource else where[a])
                    ),
                    key=_rank,
                )
                for a in method.actions
            ]
            if all(access is not Access.DENIED for access in best):
                conditional = any(access is Access.CONDITIONAL for access in best)
                possible[method.id] = Escalation(method, conditional)
        return possible


def _rank(access: Access) -> int:
    return access.rank


def compare(
    subject: str,
    old: Policies,
    new: Policies,
    *,
    catalogue: Catalogue,
    principal: Principal | None = None,
    context: Mapping[str, ContextValue] | None = None,
) -> SubjectDiff:
    """Decide every candidate action on every resource pattern under `old` and `new`."""
    documents = [
        policy
        for policies in (old, new)
        for _, layer in policies.layers
        for policy in layer.policies
    ]
    resources = resource_patterns(documents)
    actions = candidate_actions(documents, catalogue)
    before = _Decider(old, principal, context or {})
    after = _Decider(new, principal, context or {})
    where = {action: applicable_resources(action, resources, catalogue) for action in actions}
    changes = [
        Change(action, resource, was, now)
        for action in actions
        for resource in where[action]
        if (was := before.access(action, resource)) is not (now := after.access(action, resource))
    ]
    had = before.escalations(where)
    has = after.escalations(where)
    gained = tuple(has[m] for m in has if m not in had)
    lost = tuple(had[m].method for m in had if m not in has)
    return SubjectDiff(subject, tuple(changes), gained, lost)
