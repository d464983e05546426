"""The IAM policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) and the context keys
its policies use (GetContextKeysFor*), decided by the engine that authorizes every request.

What the IAM API Reference (EvaluationResult, ResourceSpecificResult, Statement, ContextEntry)
and AWS's recorded answers say, and what Stockade does where they are silent:

- One EvaluationResult per action. Without ResourceArns (or with just `*`) it is the decision on
  `*`. With ResourceArns, ResourceSpecificResults holds one decision per resource and the
  top-level fields aggregate them: the most restrictive decision, the statements behind it, every
  missing key. EvalResourceName is then the resource if there is one, else the ARN template of
  the action's resource type that all of them match (`*` if none does).
- MatchedStatements name their policy as the simulator does: `PolicyInputList.N`,
  `PermissionsBoundaryPolicyInputList.N`, `ResourcePolicy`, `user_NAME_POLICY` (`group_`,
  `role_`) for inline policies, the policy name for managed ones. SourcePolicyType is the
  documented enum (AWS has been seen to send `IAM Policy` instead). Start and end are the
  1-based line and column of the statement's opening and closing braces, as AWS reports them.
- Only ContextEntries fill the request context, so a key a condition needs and the entries do
  not give shows in MissingContextValues. A `…List` type, or several values, make a key
  multivalued.
- The resource owner is the account the resource's ARN names, else ResourceOwner, else the
  caller's. When it is not the caller's account the simulation is cross-account: both the
  caller's policies and the resource policy must allow, and EvalDecisionDetails gives each policy
  type's decision. Within one account EvalDecisionDetails is empty when resources were named and
  absent otherwise.
- Context keys: the condition keys, and the policy variables of Resource, NotResource and of
  condition values, as written, without duplicates regardless of case, in the order the policies
  use them (AWS's example lists the `${aws:username}` of a Resource before the `aws:CurrentTime`
  of the Condition after it). A principal's permissions boundary counts, since its simulation
  evaluates it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from stockade.identity.entities import Kind
from stockade.identity.errors import InvalidInput
from stockade.identity.principals import PrincipalPolicies, Source, principal_policies
from stockade.policy import (
    EMPTY,
    Effect,
    Outcome,
    Policies,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    StatementRef,
    explain,
    parse_policy,
)
from stockade.policy.catalogue import load_catalogue
from stockade.policy.operators import VARIABLE_FAMILIES, parse_operator
from stockade.policy.request import ContextValue
from stockade.policy.values import parse_binary, parse_instant, parse_network, parse_number
from stockade.policy.variables import Variable, parse_template

_ENTITY_ARN = re.compile(
    r"arn:aws:iam::(?P<account_id>[0-9]{12}):(?P<kind>user|group|role)"
    r"/(?:[\x21-\x7e]*/)?(?P<name>[\w+=,.@-]+)"
)
_ACCOUNT = re.compile(r"([0-9]{12})|arn:aws:iam::([0-9]{12}):root")
_ARN_ACCOUNT = re.compile(r"[0-9]{12}")
_SEVERITY = {Outcome.ALLOWED: 0, Outcome.IMPLICIT_DENY: 1, Outcome.EXPLICIT_DENY: 2}
# EvalDecisionDetails keys; AWS documents the map but not its keys.
_IDENTITY_DETAIL = "IAM Policy"
_BOUNDARY_DETAIL = "Permissions Boundary Policy"
_RESOURCE_DETAIL = "Resource Policy"
# How each ContextKeyType reads a value; None means the value is not of the type.
_VALUE_READERS: dict[str, Callable[[str], object | None]] = {
    "string": str,
    "numeric": parse_number,
    "boolean": lambda value: value if value.lower() in ("true", "false") else None,
    "ip": parse_network,
    "binary": parse_binary,
    "date": parse_instant,
}
# A string token or a bracket of a JSON text, to find where a statement closes.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[][{}]')


@dataclass(frozen=True, slots=True)
class EntityArn:
    account_id: str
    kind: str  # user, group or role
    name: str


def entity_arn(text: str, parameter: str) -> EntityArn:
    """A user, group or role ARN, as PolicySourceArn and CallerArn take; else InvalidInput."""
    match = _ENTITY_ARN.fullmatch(text)
    if match is None:
        raise InvalidInput(f"{parameter} {text} is not the ARN of an IAM user, group or role.")
    return EntityArn(**match.groupdict())


def check_actions(actions: Sequence[str]) -> None:
    """Each action simulated is one `service:Action`: the simulator takes no wildcards."""
    for action in actions:
        service, colon, name = action.partition(":")
        if not (service and colon and name) or "*" in action or "?" in action:
            raise InvalidInput(
                f"Action {action} is not valid: name one action, as service:Action, without "
                "wildcards."
            )


@dataclass(frozen=True, slots=True)
class SimulationInput:
    """The parameters both Simulate operations share, as the caller sent them."""

    policy_inputs: Sequence[str] = ()
    boundary_inputs: Sequence[str] = ()
    resource_policy: str | None = None
    organization_inputs: Sequence[Sequence[str]] = ()  # SCPs, one list per level
    caller_arn: str | None = None
    resource_owner: str | None = None
    context_entries: Sequence[Mapping[str, Any]] = ()


def principal_simulation(
    account_id: str,
    kind: Kind,
    row: Mapping[str, Any],
    held: PrincipalPolicies,
    compiled: Policies,
    given: SimulationInput,
) -> Simulation:
    """SimulatePrincipalPolicy: the entity's policies (`held`, and `compiled` from them, as
    `PolicyCache.principal` keeps them) plus the ones given; the caller is the entity unless
    CallerArn says otherwise."""
    added = _inputs(given.policy_inputs, "PolicyInputList", PolicyKind.IDENTITY)
    caller = given.caller_arn or kind.arn(account_id, row)
    # Compiling is most of a simulation's cost: reuse the cached sets where nothing replaces them.
    reuse = compiled.identity if not added else None
    return _simulation(account_id, held.identity + added, held.boundary, caller, given, reuse)


def custom_simulation(account_id: str, given: SimulationInput) -> Simulation:
    """SimulateCustomPolicy: only the policies given."""
    if given.resource_policy is not None and given.caller_arn is None:
        # A resource policy's Principal element needs a caller to be compared with.
        raise InvalidInput("CallerArn is required when a ResourcePolicy is included.")
    identity = _inputs(given.policy_inputs, "PolicyInputList", PolicyKind.IDENTITY)
    return _simulation(account_id, identity, None, given.caller_arn, given)


def principal_context_keys(
    tx: Connection,
    account_id: str,
    kind: Kind,
    row: Mapping[str, Any],
    documents: Sequence[str],
) -> list[str]:
    held = principal_policies(tx, account_id, kind, row)
    sources = [*held.identity, *_inputs(documents, "PolicyInputList", PolicyKind.IDENTITY)]
    if held.boundary is not None:
        sources.append(held.boundary)
    return context_keys(source.policy for source in sources)


def custom_context_keys(documents: Sequence[str]) -> list[str]:
    sources = _inputs(documents, "PolicyInputList", PolicyKind.IDENTITY)
    return context_keys(source.policy for source in sources)


# -- building a simulation -------------------------------------------------------------------
def _parse(document: str, kind: PolicyKind, source_id: str, source_type: str) -> Source:
    try:
        policy = parse_policy(document, kind=kind, policy_id=source_id)
    except PolicyError as exc:
        # The simulator's operations declare InvalidInput, not MalformedPolicyDocument.
        raise InvalidInput(f"The policy in {source_id} is not valid: {exc.message}") from None
    return Source(policy, source_id, source_type)


def _inputs(documents: Sequence[str], parameter: str, kind: PolicyKind) -> tuple[Source, ...]:
    """Policies passed as text; `none` is the source type of a policy attached to nothing."""
    return tuple(
        _parse(document, kind, f"{parameter}.{number}", "none")
        for number, document in enumerate(documents, 1)
    )


def _simulation(
    account_id: str,
    identity: tuple[Source, ...],
    boundary: Source | None,
    caller_arn: str | None,
    given: SimulationInput,
    compiled_identity: PolicySet | None = None,
) -> Simulation:
    # A boundary given as text replaces the entity's own.
    boundary = _boundary_input(given.boundary_inputs) or boundary
    resource = (
        None
        if given.resource_policy is None
        else _parse(given.resource_policy, PolicyKind.RESOURCE, "ResourcePolicy", "resource")
    )
    levels = tuple(
        _inputs(level, f"OrderedOrganizationPolicyInputList.{number}", PolicyKind.SCP)
        for number, level in enumerate(given.organization_inputs, 1)
    )
    principal, caller_account = _caller(caller_arn, account_id)
    sources = [*identity, *(s for level in levels for s in level)]
    sources += [s for s in (boundary, resource) if s is not None]
    policies = Policies(
        identity=compiled_identity or PolicySet(source.policy for source in identity),
        boundary=None if boundary is None else PolicySet([boundary.policy]),
        resource=None if resource is None else PolicySet([resource.policy]),
        scps=tuple(PolicySet(s.policy for s in level) for level in levels) or None,
    )
    return Simulation(
        policies,
        {source.policy.policy_id: source for source in sources},
        principal,
        caller_account,
        _resource_owner(given.resource_owner),
        _context(given.context_entries),
    )


def _boundary_input(documents: Sequence[str]) -> Source | None:
    boundaries = _inputs(documents, "PermissionsBoundaryPolicyInputList", PolicyKind.BOUNDARY)
    if len(boundaries) > 1:
        raise InvalidInput("Only one permissions boundary policy can be simulated at a time.")
    return boundaries[0] if boundaries else None


def _caller(caller_arn: str | None, account_id: str) -> tuple[Principal | None, str]:
    """The simulated caller and its account. A group or a role is matched against Principal
    elements by its ARN, as a user is."""
    if caller_arn is None:
        return None, account_id
    return Principal(caller_arn), entity_arn(caller_arn, "CallerArn").account_id


def _resource_owner(given: str | None) -> str | None:
    """ResourceOwner: an account id (SimulatePrincipalPolicy) or an account's root ARN
    (SimulateCustomPolicy); either is taken by both."""
    if given is None:
        return None
    match = _ACCOUNT.fullmatch(given)
    if match is None:
        raise InvalidInput(f"ResourceOwner {given} is not an account id or an account ARN.")
    return match.group(1) or match.group(2)


def _context(entries: Sequence[Mapping[str, Any]]) -> dict[str, ContextValue]:
    """ContextEntries as a request context, each value checked against its ContextKeyType."""
    context: dict[str, ContextValue] = {}
    for entry in entries:
        name = entry.get("ContextKeyName")
        key_type = entry.get("ContextKeyType")
        if not name or not key_type:
            raise InvalidInput("A context entry needs a ContextKeyName and a ContextKeyType.")
        values = [str(value) for value in entry.get("ContextKeyValues") or ()]
        read = _VALUE_READERS.get(str(key_type).removesuffix("List"))
        for value in values:
            if read is None or read(value) is None:
                raise InvalidInput(
                    f"The value {value} of context key {name} is not of type {key_type}."
                )
        multivalued = str(key_type).endswith("List") or len(values) != 1
        context[str(name)] = tuple(values) if multivalued else values[0]
    return context


# -- deciding --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Decision:
    """The simulator's answer for one action on one resource (or on several, aggregated)."""

    outcome: Outcome
    matched: tuple[StatementRef, ...]
    missing: tuple[str, ...]
    details: dict[str, Outcome] | None  # per policy type, for a cross-account simulation
    boundary_allows: bool | None  # None without a permissions boundary
    organizations_allow: bool | None  # None without SCPs


@dataclass(frozen=True, slots=True)
class Simulation:
    """Policies by layer, who calls, and the request context: ready to answer per action."""

    policies: Policies
    sources: Mapping[str, Source]  # by policy id, to name matched statements
    principal: Principal | None
    caller_account: str
    resource_owner: str | None
    context: Mapping[str, ContextValue]

    def result(self, action: str, resource_arns: Sequence[str]) -> dict[str, Any]:
        """The EvaluationResult of one action on the resources (none, or `*`: on everything)."""
        if not resource_arns or list(resource_arns) == ["*"]:
            decision = self._decide(action, "*")
            return {
                "EvalActionName": action,
                "EvalResourceName": "*",
                **self._fields(decision, "EvalDecision"),
                **_details(decision.details),
                **_organizations(decision),
            }
        decisions = [self._decide(action, resource) for resource in resource_arns]
        overall = _aggregate(decisions)
        return {
            "EvalActionName": action,
            "EvalResourceName": _resource_name(action, resource_arns),
            **self._fields(overall, "EvalDecision"),
            # Present, and empty within one account, when resources are named.
            **_details(overall.details or {}),
            **_organizations(overall),
            "ResourceSpecificResults": [
                {
                    "EvalResourceName": resource,
                    **self._fields(decision, "EvalResourceDecision"),
                    **_details(decision.details),
                }
                for resource, decision in zip(resource_arns, decisions, strict=True)
            ],
        }

    def _fields(self, decision: _Decision, decision_key: str) -> dict[str, Any]:
        fields: dict[str, Any] = {
            decision_key: decision.outcome.value,
            "MatchedStatements": [self._statement(ref) for ref in decision.matched],
            "MissingContextValues": list(decision.missing),
        }
        if decision.boundary_allows is not None:
            fields["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": decision.boundary_allows
            }
        return fields

    def _statement(self, ref: StatementRef) -> dict[str, Any]:
        source = self.sources[ref.policy_id]
        end_line, end_column = statement_end(source.policy.text, ref.line, ref.column)
        return {
            "SourcePolicyId": source.source_id,
            "SourcePolicyType": source.source_type,
            "StartPosition": {"Line": ref.line, "Column": ref.column},
            "EndPosition": {"Line": end_line, "Column": end_column},
        }

    def _owner(self, resource: str) -> str:
        parts = resource.split(":")
        if len(parts) > 4 and _ARN_ACCOUNT.fullmatch(parts[4]):
            return parts[4]
        return self.resource_owner or self.caller_account

    def _decide(self, action: str, resource: str) -> _Decision:
        request = Request(action, resource, self.context, self.principal)
        policies = self.policies
        boundary = None if policies.boundary is None else _allowed(policies.boundary, request)
        organizations = (
            None
            if policies.scps is None
            else all(_allowed(level, request) for level in policies.scps)
        )
        if self._owner(resource) != self.caller_account:
            return _cross_account(request, policies, boundary, organizations)
        explanation = explain(request, policies)
        return _Decision(
            explanation.outcome,
            _shown(explanation.matched),
            _unique(explanation.missing_context_values),
            None,
            boundary,
            organizations,
        )


def _cross_account(
    request: Request, policies: Policies, boundary: bool | None, organizations: bool | None
) -> _Decision:
    """AWS decides a cross-account request in both accounts: the caller's policies must allow
    it, and so must the resource owner's resource policy (naming the caller's account is enough
    there); an explicit deny in either wins."""
    own = explain(
        request,
        Policies(identity=policies.identity, boundary=policies.boundary, scps=policies.scps),
    )
    resource = policies.resource or EMPTY
    granted, allow_missing = _applying(resource, request, Effect.ALLOW)
    denied, deny_missing = _applying(resource, request, Effect.DENY)
    details = {
        _IDENTITY_DETAIL: _layer_outcome(policies.identity, request),
        _RESOURCE_DETAIL: _outcome(allowed=bool(granted), denied=bool(denied)),
    }
    if policies.boundary is not None:
        details[_BOUNDARY_DETAIL] = _layer_outcome(policies.boundary, request)
    if own.outcome is Outcome.EXPLICIT_DENY or denied:
        outcome = Outcome.EXPLICIT_DENY
        own_denies = own.matched if own.outcome is Outcome.EXPLICIT_DENY else ()
        matched = (*own_denies, *denied)
    elif own.outcome is Outcome.ALLOWED and granted:
        outcome, matched = Outcome.ALLOWED, (*own.matched, *granted)
    else:
        outcome, matched = Outcome.IMPLICIT_DENY, ()
    missing = (*own.missing_context_values, *allow_missing, *deny_missing)
    return _Decision(outcome, _shown(matched), _unique(missing), details, boundary, organizations)


def _applying(
    policies: PolicySet, request: Request, effect: Effect
) -> tuple[tuple[StatementRef, ...], tuple[str, ...]]:
    """The statements of one effect that apply to the request, and the keys the others miss."""
    refs: list[StatementRef] = []
    missing: list[str] = []
    for statement in policies.candidates(request.action_key):
        if statement.ref.effect is not effect:
            continue
        miss = statement.diagnose(request)
        if miss is None:
            refs.append(statement.ref)
        else:
            missing.extend(miss.missing_keys)
    return tuple(refs), tuple(missing)


def _layer_outcome(policies: PolicySet, request: Request) -> Outcome:
    return _outcome(allowed=policies.allows(request), denied=policies.denies(request))


def _outcome(*, allowed: bool, denied: bool) -> Outcome:
    if denied:
        return Outcome.EXPLICIT_DENY
    return Outcome.ALLOWED if allowed else Outcome.IMPLICIT_DENY


def _allowed(policies: PolicySet, request: Request) -> bool:
    return _layer_outcome(policies, request) is Outcome.ALLOWED


def _shown(refs: Iterable[StatementRef]) -> tuple[StatementRef, ...]:
    """Matched statements as the simulator lists them: once each, and none from an SCP."""
    return tuple(dict.fromkeys(ref for ref in refs if ref.kind is not PolicyKind.SCP))


def _unique(keys: Iterable[str]) -> tuple[str, ...]:
    """Keys without repeats, regardless of case (condition keys ignore case), first spelling."""
    found: dict[str, str] = {}
    for key in keys:
        found.setdefault(key.lower(), key)
    return tuple(found.values())


def _aggregate(decisions: Sequence[_Decision]) -> _Decision:
    """The top-level answer over several resources: the most restrictive decision with the
    statements behind it, every missing key, and each detail at its most restrictive."""
    outcome = _worst(d.outcome for d in decisions)
    matched = _shown(ref for d in decisions if d.outcome is outcome for ref in d.matched)
    crossed = [d.details for d in decisions if d.details is not None]
    details = None
    if crossed:
        types = dict.fromkeys(key for each in crossed for key in each)
        details = {key: _worst(each[key] for each in crossed if key in each) for key in types}
    return _Decision(
        outcome,
        matched,
        _unique(key for d in decisions for key in d.missing),
        details,
        _all(d.boundary_allows for d in decisions),
        _all(d.organizations_allow for d in decisions),
    )


def _worst(outcomes: Iterable[Outcome]) -> Outcome:
    return max(outcomes, key=_SEVERITY.__getitem__)


def _all(flags: Iterable[bool | None]) -> bool | None:
    """Whether every resource passed; None when the detail does not apply (no boundary, no
    SCPs), which is so for all of them or none."""
    given = list(flags)
    return None if None in given else all(given)


def _details(details: Mapping[str, Outcome] | None) -> dict[str, Any]:
    if details is None:
        return {}
    return {"EvalDecisionDetails": {key: outcome.value for key, outcome in details.items()}}


def _organizations(decision: _Decision) -> dict[str, Any]:
    if decision.organizations_allow is None:
        return {}
    return {"OrganizationsDecisionDetail": {"AllowedByOrganizations": decision.organizations_allow}}


def _resource_name(action: str, resources: Sequence[str]) -> str:
    """EvalResourceName for named resources: the one resource, or the ARN template of the
    action's resource type they all match (API Reference, EvaluationResult), or `*`."""
    if len(resources) == 1:
        return resources[0]
    catalogue = load_catalogue()
    found = catalogue.action(action)
    service = catalogue.service(action.partition(":")[0])
    if found is None or service is None:
        return "*"
    for accepted in found.resource_types:
        resource_type = service.resource_types.get(accepted.name)
        if resource_type is not None and all(map(resource_type.matches_arn, resources)):
            return resource_type.arn_pattern
    return "*"


# -- positions -------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def statement_end(text: str, line: int, column: int) -> tuple[int, int]:
    """The line and column of the brace that closes the statement opening at (line, column)."""
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    depth = 0
    for token in _JSON_TOKENS.finditer(text, start + column - 1):
        bracket = token.group()
        if bracket in ("{", "["):
            depth += 1
        elif bracket in ("}", "]"):
            depth -= 1
            if depth == 0:
                offset = token.start()
                return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    raise ValueError(f"no statement closes after line {line}, column {column}")


# -- context keys ----------------------------------------------------------------------------
def context_keys(policies: Iterable[Policy]) -> list[str]:
    """The context keys the policies use (see the module's notes for which and in what order)."""
    return list(_unique(key for policy in policies for key in _policy_keys(policy)))


def _policy_keys(policy: Policy) -> Iterator[str]:
    for statement in policy.statements:
        for resource in (*(statement.resources or ()), *(statement.not_resources or ())):
            yield from _variables(policy, resource)
        for condition in statement.conditions:
            yield condition.key
            operator = parse_operator(condition.operator)
            # Only these operators substitute variables; elsewhere `${…}` is plain text.
            if operator is not None and operator.family in VARIABLE_FAMILIES:
                for value in condition.values:
                    yield from _variables(policy, value)


def _variables(policy: Policy, text: str) -> Iterator[str]:
    template = parse_template(text) if policy.variables_enabled else None
    if template is not None:
        yield from (part.name for part in template.parts if isinstance(part, Variable))
