"""Policies compiled once into matchers, indexed by action, so a decision does no parsing.

A PolicySet holds the statements of every policy of one layer (say, a user's inline, attached
and group policies). For each action it is asked about, it builds once an ActionView: the
statements that can match that action, per effect, with the plain ones (no condition, principal
or variable) merged into a single resource regex. A decision then costs a dict lookup and a
regex match or two, whatever the number of policies the principal holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from stockade.policy.conditions import CompiledCondition, ConditionOutcome, compile_condition
from stockade.policy.model import Effect, Policy, PolicyKind, Statement
from stockade.policy.patterns import (
    Filled,
    Mode,
    action_service,
    compile_patterns,
    pattern_atoms,
)
from stockade.policy.patterns import union_regex as _union_regex
from stockade.policy.request import Principal, PrincipalType, Request
from stockade.policy.variables import Template, parse_template

_ANY_SERVICE = "*"
_VIEW_CACHE_LIMIT = 8192


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Where a statement is: the policy, its index and Sid, and its line and column."""

    policy_id: str
    kind: PolicyKind
    index: int
    sid: str | None
    effect: Effect
    line: int
    column: int

    def describe(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        return (
            f"{self.policy_id} statement {self.index}{sid}, line {self.line} column {self.column}"
        )


class PrincipalMatch(IntEnum):
    """How a resource-policy statement named the caller; it decides which implicit denies bite."""

    ACCOUNT = 1  # the caller's account: the caller still needs an identity-policy Allow
    ROLE = 2  # the role of a role session: boundary and session policy still apply
    EXACT = 3  # the user, the session or everyone ("*"): enough on its own


@dataclass(frozen=True, slots=True)
class Miss:
    """Why a statement did not apply to a request."""

    ref: StatementRef
    stage: str  # "action", "resource", "principal" or "condition"
    detail: str
    missing_keys: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def _filled_pattern(pattern: Filled, mode: Mode) -> re.Pattern[str]:
    return compile_patterns([pattern], mode)


class CompiledStatement:
    __slots__ = (
        "action_negated",
        "action_regex",
        "conditions",
        "is_deny",
        "not_principals",
        "order",
        "principals",
        "ref",
        "resource_all",
        "resource_negated",
        "resource_regex",
        "resource_templates",
        "services",
        "statement",
    )

    def __init__(self, statement: Statement, policy: Policy, order: int) -> None:
        self.statement = statement
        self.order = order
        self.ref = StatementRef(
            policy.policy_id,
            policy.kind,
            statement.index,
            statement.sid,
            statement.effect,
            statement.line,
            statement.column,
        )
        self.is_deny = statement.effect is Effect.DENY
        actions = statement.actions if statement.actions is not None else statement.not_actions
        self.action_negated = statement.actions is None
        action_list = actions or ()
        self.action_regex: re.Pattern[str] | None = (
            None if "*" in action_list else compile_patterns(action_list, Mode.ACTION)
        )
        services = {action_service(a) for a in action_list}
        self.services: frozenset[str] = (
            frozenset({_ANY_SERVICE})
            if self.action_negated or None in services or "*" in action_list
            else frozenset(s for s in services if s is not None)
        )
        resources = (
            statement.resources if statement.resources is not None else statement.not_resources
        )
        self.resource_negated = statement.resources is None and statement.not_resources is not None
        static: list[str] = []
        templates: list[Template] = []
        for resource in resources or ():
            template = parse_template(resource) if policy.variables_enabled else None
            if template is None:
                static.append(resource)
            else:
                templates.append(template)
        # A trust policy has no Resource: it is about the role it is attached to.
        self.resource_all = "*" in static or resources is None
        self.resource_regex = (
            compile_patterns(static, Mode.RESOURCE) if static and not self.resource_all else None
        )
        self.resource_templates = tuple(templates)
        self.principals = statement.principals
        self.not_principals = statement.not_principals
        compiled = (compile_condition(c, policy.variables_enabled) for c in statement.conditions)
        self.conditions: tuple[CompiledCondition, ...] = tuple(c for c in compiled if c is not None)

    # -- the parts of a match --------------------------------------------------------------
    @property
    def is_plain(self) -> bool:
        """No condition, principal, variable or NotResource: it can be merged into a view regex."""
        return not (
            self.conditions
            or self.principals is not None
            or self.not_principals is not None
            or self.resource_templates
            or self.resource_negated
        )

    def matches_action(self, action_key: str) -> bool:
        hit = self.action_regex is None or self.action_regex.fullmatch(action_key) is not None
        return hit != self.action_negated

    def matches_resource(self, request: Request) -> bool:
        resource = request.resource
        hit = self.resource_all or (
            self.resource_regex is not None and self.resource_regex.fullmatch(resource) is not None
        )
        if not hit and self.resource_templates:
            context = request.lower_context
            for template in self.resource_templates:
                filled = template.fill_pattern(context)
                if filled is not None and _filled_pattern(filled, Mode.RESOURCE).fullmatch(
                    resource
                ):
                    hit = True
                    break
        return hit != self.resource_negated

    def principal_match(self, principal: Principal | None) -> PrincipalMatch | None:
        """How the Principal element names the caller; None if not (or if NotPrincipal does)."""
        if self.not_principals is not None:
            named = principal is not None and _names(
                self.not_principals, principal, exact_only=True
            )
            return None if named else PrincipalMatch.EXACT
        if self.principals is None:
            return PrincipalMatch.EXACT
        return _names(self.principals, principal, exact_only=False)

    def conditions_hold(self, request: Request) -> bool:
        if not self.conditions:
            return True
        context = request.lower_context
        return all(condition.test(context) for condition in self.conditions)

    def applies(self, request: Request) -> bool:
        """Resource, principal and conditions (the action was matched by the index)."""
        return (
            self.matches_resource(request)
            and (
                (self.principals is None and self.not_principals is None)
                or self.principal_match(request.principal) is not None
            )
            and self.conditions_hold(request)
        )

    def diagnose(self, request: Request) -> Miss | None:
        """None when the statement applies; otherwise the first reason it does not."""
        if not self.matches_action(request.action_key):
            return Miss(self.ref, "action", f"action {request.action} is not in {self._actions()}")
        if not self.matches_resource(request):
            return Miss(
                self.ref,
                "resource",
                f"resource {request.resource} is not in {self._resources()}"
                + self._filled_resources(request),
            )
        if self.principal_match(request.principal) is None:
            who = request.principal.arn if request.principal else "an anonymous caller"
            return Miss(self.ref, "principal", f"the principal element does not name {who}")
        context = request.lower_context
        failed: list[ConditionOutcome] = [
            outcome
            for outcome in (c.outcome(context) for c in self.conditions)
            if not outcome.passed
        ]
        if failed:
            missing = tuple(key for o in failed for key in o.missing_keys)
            return Miss(self.ref, "condition", "; ".join(o.detail for o in failed), missing)
        return None

    def _actions(self) -> str:
        s = self.statement
        return (
            f"NotAction {list(s.not_actions or ())}"
            if self.action_negated
            else str(list(s.actions or ()))
        )

    def _filled_resources(self, request: Request) -> str:
        """The variable patterns as this request filled them, since that is what was compared."""
        shown = []
        for template in self.resource_templates:
            filled = template.fill(request.lower_context)
            if filled is None:
                shown.append(
                    "no value for " + ", ".join(template.unset_keys(request.lower_context))
                )
            else:
                shown.append(filled)
        return f" (filled in: {shown})" if shown else ""

    def _resources(self) -> str:
        s = self.statement
        if self.resource_negated:
            return f"NotResource {list(s.not_resources or ())}"
        return str(list(s.resources or ()))


_FEDERATED = frozenset({PrincipalType.WEB_IDENTITY, PrincipalType.SAML_USER})


def _names(
    pairs: tuple[tuple[str, str], ...], principal: Principal | None, *, exact_only: bool
) -> PrincipalMatch | None:
    best: PrincipalMatch | None = None
    for principal_type, value in pairs:
        if principal_type == "*" or (principal_type == "AWS" and value == "*"):
            if not exact_only:
                return PrincipalMatch.EXACT
            continue
        if principal is None:
            continue
        if principal_type == "Federated":
            # An identity provider, matched by its ARN, only for the callers it federates.
            if principal.type in _FEDERATED and value == principal.arn:
                return PrincipalMatch.EXACT
            continue
        if principal_type != "AWS" or principal.type in _FEDERATED:
            continue
        if value == principal.arn:
            return PrincipalMatch.EXACT
        if exact_only:
            continue
        if principal.type is PrincipalType.ASSUMED_ROLE and value == principal.role_arn:
            best = max(best or PrincipalMatch.ROLE, PrincipalMatch.ROLE)
        elif value == principal.account_arn:
            best = best or PrincipalMatch.ACCOUNT
    return best


@dataclass(frozen=True, slots=True)
class _EffectView:
    """The statements of one effect that can match one action."""

    match_all: bool
    regex: re.Pattern[str] | None
    others: tuple[CompiledStatement, ...]
    statements: tuple[CompiledStatement, ...]

    def any_applies(self, request: Request) -> bool:
        if self.match_all:
            return True
        if self.regex is not None and self.regex.fullmatch(request.resource) is not None:
            return True
        # The guard matters: most views have no such statements, and an empty any() costs more
        # than the regex match above.
        return bool(self.others) and any(statement.applies(request) for statement in self.others)


def _effect_view(statements: list[CompiledStatement]) -> _EffectView:
    plain = [s for s in statements if s.is_plain]
    others = tuple(s for s in statements if not s.is_plain)
    match_all = any(s.resource_all for s in plain)
    regex = None
    if plain and not match_all:
        atoms = [
            pattern_atoms(resource, Mode.RESOURCE)
            for s in plain
            for resource in s.statement.resources or ()
        ]
        regex = re.compile(_union_regex(atoms), re.DOTALL)
    return _EffectView(match_all, regex, others, tuple(statements))


@dataclass(frozen=True, slots=True)
class ActionView:
    deny: _EffectView
    allow: _EffectView


class PolicySet:
    """The compiled statements of one evaluation layer (identity, boundary, SCP level, …)."""

    def __init__(self, policies: Iterable[Policy] = ()) -> None:
        self.policies = tuple(policies)
        statements: list[CompiledStatement] = []
        for policy in self.policies:
            for statement in policy.statements:
                statements.append(CompiledStatement(statement, policy, len(statements)))
        self.statements = tuple(statements)
        self._by_service: dict[str, list[CompiledStatement]] = {}
        for compiled in statements:
            for service in compiled.services:
                self._by_service.setdefault(service, []).append(compiled)
        self._views: dict[str, ActionView] = {}

    def __len__(self) -> int:
        return len(self.statements)

    def candidates(self, action_key: str) -> list[CompiledStatement]:
        """Statements whose Action or NotAction matches the action, in document order."""
        service = action_key.partition(":")[0]
        pool = self._by_service.get(service, []) + self._by_service.get(_ANY_SERVICE, [])
        pool.sort(key=lambda s: s.order)
        return [s for s in pool if s.matches_action(action_key)]

    def view(self, action_key: str) -> ActionView:
        view = self._views.get(action_key)
        if view is None:
            matching = self.candidates(action_key)
            view = ActionView(
                deny=_effect_view([s for s in matching if s.is_deny]),
                allow=_effect_view([s for s in matching if not s.is_deny]),
            )
            if len(self._views) >= _VIEW_CACHE_LIMIT:
                self._views.clear()
            self._views[action_key] = view
        return view

    def denies(self, request: Request) -> bool:
        return self.view(request.action_key).deny.any_applies(request)

    def allows(self, request: Request) -> bool:
        return self.view(request.action_key).allow.any_applies(request)

    def strongest_allow(self, request: Request) -> PrincipalMatch | None:
        """For a resource policy: the strongest way an applying Allow names the caller."""
        best: PrincipalMatch | None = None
        for statement in self.view(request.action_key).allow.statements:
            if statement.applies(request):
                match = statement.principal_match(request.principal)
                if match is not None and (best is None or match > best):
                    best = match
        return best


EMPTY = PolicySet()
