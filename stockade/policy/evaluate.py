"""The decision: AWS's single-account evaluation logic over compiled policy layers.

Order (IAM User Guide, "Policy evaluation logic"): an explicit Deny in any layer wins; then every
SCP level must allow; the root user is then allowed; an Allow in a resource-based policy that names
the caller is enough on its own (naming a role's ARN still leaves the boundary and session policy
to pass); otherwise the identity policies must allow, and the permissions boundary and the session
policy, where present, must allow too. The same function decides fast and explains: it asks a
probe, and only the explaining probe records why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from stockade.policy.compile import EMPTY, Miss, PolicySet, PrincipalMatch, StatementRef
from stockade.policy.model import Effect
from stockade.policy.request import PrincipalType, Request


class Outcome(StrEnum):
    """The decision, in the IAM policy simulator's words."""

    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


class Layer(StrEnum):
    SCP = "scp"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"

    @property
    def wording(self) -> str:
        """How AWS's AccessDenied messages name the layer."""
        return _WORDING[self]


_WORDING = {
    Layer.SCP: "service control policy",
    Layer.RESOURCE: "resource-based policy",
    Layer.IDENTITY: "identity-based policy",
    Layer.BOUNDARY: "permissions boundary",
    Layer.SESSION: "session policy",
}


@dataclass(frozen=True, slots=True)
class Policies:
    """Every policy that applies to one principal's requests, by layer.

    `scps` holds one PolicySet per level of the organization path; None means no SCPs apply.
    Build it once per principal (and policy version), not per request.
    """

    identity: PolicySet = EMPTY
    boundary: PolicySet | None = None
    session: PolicySet | None = None
    resource: PolicySet | None = None
    scps: tuple[PolicySet, ...] | None = None
    layers: tuple[tuple[Layer, PolicySet], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        found: list[tuple[Layer, PolicySet]] = [(Layer.SCP, level) for level in self.scps or ()]
        if self.resource is not None:
            found.append((Layer.RESOURCE, self.resource))
        found.append((Layer.IDENTITY, self.identity))
        if self.boundary is not None:
            found.append((Layer.BOUNDARY, self.boundary))
        if self.session is not None:
            found.append((Layer.SESSION, self.session))
        # Every layer, in the order the explicit-deny pass reads them.
        object.__setattr__(self, "layers", tuple(found))


class _Probe(Protocol):
    def denies(self, layer: Layer, policies: PolicySet, request: Request) -> bool: ...
    def allows(self, layer: Layer, policies: PolicySet, request: Request) -> bool: ...
    def resource_allow(self, policies: PolicySet, request: Request) -> PrincipalMatch | None: ...


class _FastProbe:
    def denies(self, layer: Layer, policies: PolicySet, request: Request) -> bool:
        return policies.denies(request)

    def allows(self, layer: Layer, policies: PolicySet, request: Request) -> bool:
        return policies.allows(request)

    def resource_allow(self, policies: PolicySet, request: Request) -> PrincipalMatch | None:
        return policies.strongest_allow(request)


_FAST = _FastProbe()


# STS API Reference, GetCallerIdentity: no permission is needed, and an explicit deny cannot
# stop it.
_ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})


def _decide(request: Request, policies: Policies, probe: _Probe) -> tuple[Outcome, Layer | None]:
    if request.action_key in _ALWAYS_ALLOWED:
        return Outcome.ALLOWED, None
    for layer, layer_policies in policies.layers:
        if probe.denies(layer, layer_policies, request):
            return Outcome.EXPLICIT_DENY, layer
    for level in policies.scps or ():
        if not probe.allows(Layer.SCP, level, request):
            return Outcome.IMPLICIT_DENY, Layer.SCP
    principal = request.principal
    if principal is not None and principal.type is PrincipalType.ROOT:
        return Outcome.ALLOWED, None
    via = None
    if policies.resource is not None:
        via = probe.resource_allow(policies.resource, request)
        if via is PrincipalMatch.EXACT:
            return Outcome.ALLOWED, Layer.RESOURCE
    if via is not PrincipalMatch.ROLE and not probe.allows(
        Layer.IDENTITY, policies.identity, request
    ):
        return Outcome.IMPLICIT_DENY, Layer.IDENTITY
    if policies.boundary is not None and not probe.allows(
        Layer.BOUNDARY, policies.boundary, request
    ):
        return Outcome.IMPLICIT_DENY, Layer.BOUNDARY
    if policies.session is not None:
        if not probe.allows(Layer.SESSION, policies.session, request):
            return Outcome.IMPLICIT_DENY, Layer.SESSION
    elif principal is not None and principal.type is PrincipalType.FEDERATED_USER:
        # A federated-user session with no session policy has no permissions.
        return Outcome.IMPLICIT_DENY, Layer.SESSION
    return Outcome.ALLOWED, Layer.IDENTITY


def evaluate(request: Request, policies: Policies) -> Outcome:
    """Decide a request. The fast path: no explanation is built."""
    return _decide(request, policies, _FAST)[0]


# -- explanations ----------------------------------------------------------------------------
_CLOSENESS = {"condition": 0, "principal": 1, "resource": 2, "action": 3}
_NEAREST = 5


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a request got its outcome: the deciding statements, or the nearest misses."""

    outcome: Outcome
    decided_by: Layer | None
    summary: str
    matched: tuple[StatementRef, ...]
    nearest: tuple[Miss, ...]
    missing_context_values: tuple[str, ...]
    layer_outcomes: dict[Layer, Outcome] = field(default_factory=dict)

    def denial_message(self, caller: str, action: str, resource: str) -> str:
        """AWS's AccessDenied wording for this decision; `caller` is the caller's ARN."""
        head = f"User: {caller} is not authorized to perform: {action} on resource: {resource}"
        layer = self.decided_by or Layer.IDENTITY
        if self.outcome is Outcome.EXPLICIT_DENY:
            return f"{head} with an explicit deny in a{_an(layer.wording)} {layer.wording}"
        return f"{head} because no {layer.wording} allows the {action} action"

    def to_dict(self) -> dict[str, object]:
        return {
            "decision": self.outcome.value,
            "decided_by": self.decided_by.value if self.decided_by else None,
            "summary": self.summary,
            "matched_statements": [_ref_dict(ref) for ref in self.matched],
            "nearest_statements": [
                {**_ref_dict(miss.ref), "failed": miss.stage, "reason": miss.detail}
                for miss in self.nearest
            ],
            "missing_context_values": list(self.missing_context_values),
            "layers": {
                layer.value: outcome.value for layer, outcome in self.layer_outcomes.items()
            },
        }

    def render(self) -> str:
        lines = [f"{self.outcome.value}: {self.summary}"]
        lines += [f"  matched: {ref.describe()}" for ref in self.matched]
        for miss in self.nearest:
            lines.append(f"  did not apply: {miss.ref.describe()}")
            lines.append(f"    {miss.stage}: {miss.detail}")
        if self.missing_context_values:
            lines.append("  missing context values: " + ", ".join(self.missing_context_values))
        return "\n".join(lines)


def _an(word: str) -> str:
    return "n" if word[:1] in "aeiou" else ""


def _ref_dict(ref: StatementRef) -> dict[str, object]:
    return {
        "policy": ref.policy_id,
        "layer": ref.kind.value,
        "statement": ref.index,
        "sid": ref.sid,
        "effect": ref.effect.value,
        "line": ref.line,
        "column": ref.column,
    }


class _ExplainingProbe:
    """Checks every statement one by one and keeps what it saw."""

    def __init__(self) -> None:
        self.matched: dict[tuple[Layer, Effect], list[StatementRef]] = {}
        self.misses: dict[tuple[Layer, Effect], list[Miss]] = {}
        self.layer_outcomes: dict[Layer, Outcome] = {}
        self.sets: dict[Layer, PolicySet] = {}

    def nearest(self, layer: Layer, request: Request) -> tuple[Miss, ...]:
        """The Allow statements of a layer closest to applying, with why each did not."""
        found = sorted(
            self.misses.get((layer, Effect.ALLOW), []), key=lambda miss: _CLOSENESS[miss.stage]
        )[:_NEAREST]
        policies = self.sets.get(layer)
        if len(found) < _NEAREST and policies is not None:
            for statement in policies.statements:
                if len(found) >= _NEAREST:
                    break
                if statement.is_deny or statement.matches_action(request.action_key):
                    continue
                miss = statement.diagnose(request)
                if miss is not None:
                    found.append(miss)
        return tuple(found)

    def _scan(self, layer: Layer, policies: PolicySet, request: Request, effect: Effect) -> bool:
        # Only statements whose action matches are diagnosed here, so an explanation costs what
        # the matching statements cost; action misses are added later, for the denying layer.
        # SCP levels share a layer: matches add up, misses are those of the level seen last.
        self.sets[layer] = policies
        matched = self.matched.setdefault((layer, effect), [])
        misses = self.misses[(layer, effect)] = []
        found = False
        for statement in policies.candidates(request.action_key):
            if statement.ref.effect is not effect:
                continue
            miss = statement.diagnose(request)
            if miss is None:
                matched.append(statement.ref)
                found = True
            else:
                misses.append(miss)
        return found

    def denies(self, layer: Layer, policies: PolicySet, request: Request) -> bool:
        denied = self._scan(layer, policies, request, Effect.DENY)
        if denied:
            self.layer_outcomes[layer] = Outcome.EXPLICIT_DENY
        return denied

    def allows(self, layer: Layer, policies: PolicySet, request: Request) -> bool:
        allowed = self._scan(layer, policies, request, Effect.ALLOW)
        if self.layer_outcomes.get(layer) is not Outcome.EXPLICIT_DENY:
            self.layer_outcomes[layer] = Outcome.ALLOWED if allowed else Outcome.IMPLICIT_DENY
        return allowed

    def resource_allow(self, policies: PolicySet, request: Request) -> PrincipalMatch | None:
        self.allows(Layer.RESOURCE, policies, request)
        return policies.strongest_allow(request)

    def missing_keys(self) -> tuple[str, ...]:
        keys: dict[str, None] = {}
        for misses in self.misses.values():
            for miss in misses:
                keys.update(dict.fromkeys(miss.missing_keys))
        return tuple(keys)


def explain(request: Request, policies: Policies) -> Explanation:
    """Decide a request and say why. Slower than `evaluate`; the outcome is always the same."""
    probe = _ExplainingProbe()
    outcome, layer = _decide(request, policies, probe)
    missing = probe.missing_keys()
    if outcome is Outcome.EXPLICIT_DENY:
        assert layer is not None
        matched = tuple(probe.matched[(layer, Effect.DENY)])
        summary = f"explicitly denied by a Deny statement in a{_an(layer.wording)} {layer.wording}"
        return Explanation(outcome, layer, summary, matched, (), missing, probe.layer_outcomes)
    if outcome is Outcome.ALLOWED:
        matched = tuple(
            ref
            for (_, effect), refs in probe.matched.items()
            if effect is Effect.ALLOW
            for ref in refs
        )
        principal = request.principal
        if request.action_key in _ALWAYS_ALLOWED:
            summary = f"allowed: {request.action} needs no permission and cannot be denied"
        elif principal is not None and principal.type is PrincipalType.ROOT:
            summary = "allowed: the account root user has full access in its own account"
        elif layer is Layer.RESOURCE:
            summary = "allowed by a resource-based policy that names the caller"
        else:
            summary = "allowed: every applicable layer has a matching Allow and no Deny matches"
        return Explanation(outcome, layer, summary, matched, (), missing, probe.layer_outcomes)
    assert layer is not None
    nearest = probe.nearest(layer, request)
    if layer is Layer.SESSION and policies.session is None:
        summary = "implicitly denied: a federated-user session has no session policy"
    else:
        summary = (
            f"implicitly denied: no {layer.wording} allows {request.action} on {request.resource}"
        )
    return Explanation(outcome, layer, summary, (), nearest, missing, probe.layer_outcomes)
