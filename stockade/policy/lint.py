"""Findings beyond IAM's write-time checks, graded like IAM Access Analyzer's policy validation.

A document can be valid for IAM and still be wrong: an action that does not exist, a resource the
action cannot take, a condition key the action never sets, or one of the documented traps (Allow
with NotAction, `iam:PassRole` on `*`, `Bool` where `BoolIfExists` is meant, a set operator on a
single-valued key). The catalogue of AWS actions behind these checks is generated data (see
data/CATALOGUE-PROVENANCE.md); where it does not know a thing, the linter stays silent rather than
raise a false alarm.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from stockade.policy.catalogue import Action, Catalogue, load_catalogue
from stockade.policy.model import CURRENT_VERSION, Effect, Policy, Statement
from stockade.policy.operators import Family, SetQualifier, parse_operator
from stockade.policy.patterns import Mode, compile_patterns
from stockade.policy.values import parse_network, parse_number


class Severity(StrEnum):
    ERROR = "error"
    SECURITY_WARNING = "security_warning"
    WARNING = "warning"
    SUGGESTION = "suggestion"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Severity.ERROR: 3,
    Severity.SECURITY_WARNING: 2,
    Severity.WARNING: 1,
    Severity.SUGGESTION: 0,
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    statement: int | None
    sid: str | None
    line: int
    column: int

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "statement": self.statement,
            "sid": self.sid,
            "line": self.line,
            "column": self.column,
        }


_MFA_KEY = "aws:multifactorauthpresent"
# Prefixes whose several reference pages the catalogue's source merges, losing resource types and
# keys of all but one page: checks that need those lists stay silent for them.
_MERGED_SERVICES = frozenset({"apigateway", "elasticloadbalancing", "ses", "lex", "greengrass"})
_PASS_ROLE = "iam:passrole"


def lint_policy(policy: Policy, catalogue: Catalogue | None = None) -> list[Finding]:
    """Every finding for a valid policy, most severe first, then in document order."""
    catalogue = catalogue or load_catalogue()
    findings = list(_document_findings(policy))
    for statement in policy.statements:
        findings += _StatementLinter(statement, catalogue).findings()
    findings += _redundant_statements(policy)
    findings.sort(key=lambda f: (-f.severity.rank, f.line, f.column, f.code))
    return findings


def _document_findings(policy: Policy) -> Iterator[Finding]:
    if policy.version != CURRENT_VERSION:
        if "${" in policy.text:
            yield Finding(
                "VARIABLES_NEED_CURRENT_VERSION",
                Severity.WARNING,
                'Without "Version": "2012-10-17" IAM reads ${...} as literal text, not as a '
                "policy variable.",
                None,
                None,
                1,
                1,
            )
        else:
            yield Finding(
                "MISSING_VERSION",
                Severity.SUGGESTION,
                'Add "Version": "2012-10-17"; older versions do not support policy variables.',
                None,
                None,
                1,
                1,
            )


class _StatementLinter:
    def __init__(self, statement: Statement, catalogue: Catalogue) -> None:
        self.statement = statement
        self.catalogue = catalogue
        self.actions: list[Action] = []  # what the Action element can mean, for later checks
        self.out: list[Finding] = []

    def add(
        self, code: str, severity: Severity, message: str, line: int = 0, column: int = 0
    ) -> None:
        s = self.statement
        self.out.append(
            Finding(code, severity, message, s.index, s.sid, line or s.line, column or s.column)
        )

    def findings(self) -> list[Finding]:
        self.check_negations()
        self.check_actions()
        self.check_pass_role()
        self.check_resources()
        for condition in self.statement.conditions:
            self.check_condition(
                condition.operator,
                condition.key,
                condition.values,
                condition.line,
                condition.column,
            )
        return self.out

    def check_negations(self) -> None:
        s = self.statement
        if s.effect is not Effect.ALLOW:
            return
        if s.not_actions is not None:
            self.add(
                "ALLOW_WITH_NOT_ACTION",
                Severity.SECURITY_WARNING,
                "Allow with NotAction allows every action not listed, including actions of "
                "services added later; list the allowed actions instead.",
            )
        if s.not_resources is not None:
            self.add(
                "ALLOW_WITH_NOT_RESOURCE",
                Severity.SECURITY_WARNING,
                "Allow with NotResource allows every resource not listed, including ones created "
                "later; list the allowed resources instead.",
            )
        if s.not_principals is not None:
            self.add(
                "ALLOW_WITH_NOT_PRINCIPAL",
                Severity.SECURITY_WARNING,
                "Allow with NotPrincipal allows every principal not listed, anonymous callers "
                "included; name the principals instead.",
            )

    def check_actions(self) -> None:
        for pattern in self.statement.actions or ():
            if pattern == "*":
                continue
            service = pattern.partition(":")[0]
            if "*" in service or "?" in service:
                continue
            if self.catalogue.service(service) is None:
                self.add(
                    "UNKNOWN_SERVICE",
                    Severity.ERROR,
                    f'The service prefix "{service}" in {pattern} is not an AWS service.',
                )
                continue
            matched = self.catalogue.expand(pattern)
            if not matched:
                self.add(
                    "UNKNOWN_ACTION",
                    Severity.ERROR,
                    f"{pattern} matches no action of the {service} service.",
                )
            self.actions += matched

    def check_pass_role(self) -> None:
        s = self.statement
        if s.effect is not Effect.ALLOW or s.actions is None:
            return
        passes_role = any(
            compile_patterns([a], Mode.ACTION).fullmatch(_PASS_ROLE) for a in s.actions
        )
        broad = s.not_resources is not None or any(r == "*" for r in s.resources or ())
        if passes_role and broad:
            self.add(
                "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                Severity.SECURITY_WARNING,
                "iam:PassRole on every resource lets the caller hand any role, administrators' "
                "included, to a service; name the roles it may pass.",
            )

    def check_resources(self) -> None:
        s = self.statement
        if s.actions is None or not self.actions or s.resources is None:
            return
        if any(a.service in _MERGED_SERVICES for a in self.actions):
            return
        names = sorted({a.full_name for a in self.actions})
        only_star = all(a.accepts_any_resource for a in self.actions)
        for resource in s.resources:
            if resource == "*" or "${" in resource:
                continue
            if not any(_takes(self.catalogue, action, resource) for action in self.actions):
                shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
                tail = " These actions only take Resource '*'." if only_star else ""
                self.add(
                    "UNSUPPORTED_RESOURCE",
                    Severity.WARNING,
                    f"No action in the statement ({shown}) can take the resource {resource}; "
                    f"the statement never applies to it.{tail}",
                )

    def check_condition(
        self, operator_name: str, key: str, values: tuple[str, ...], line: int, column: int
    ) -> None:
        operator = parse_operator(operator_name)
        if operator is None:
            self.add(
                "UNKNOWN_OPERATOR",
                Severity.WARNING,
                f"{operator_name} is not a condition operator; IAM ignores it.",
                line,
                column,
            )
            return
        lowered = key.lower()
        effect = self.statement.effect
        if lowered == _MFA_KEY and operator.base == "Bool":
            self.check_mfa(operator.if_exists, {v.lower() for v in values}, line, column)
        key_type = self.catalogue.condition_key_type(key)
        if (
            operator.qualifier is not None
            and key_type is not None
            and not self.catalogue.is_multivalued(key)
        ):
            self.add(
                f"{operator.qualifier.value.upper()}_WITH_SINGLE_VALUED_KEY",
                Severity.SECURITY_WARNING,
                f"{operator.qualifier.value}: is for multivalued keys; {key} has one value, "
                "and the set operator makes the condition more permissive than it reads.",
                line,
                column,
            )
        if (
            operator.qualifier is SetQualifier.FOR_ALL_VALUES
            and effect is Effect.ALLOW
            and key_type is not None
            and self.catalogue.is_multivalued(key)
            and not self._checks_present(lowered)
        ):
            self.add(
                "FORALLVALUES_WITH_ALLOW",
                Severity.WARNING,
                f"ForAllValues: is true when the request has no {key} at all; pair it with "
                f'"Null": {{"{key}": "false"}}.',
                line,
                column,
            )
        if key_type is None:
            self.check_unknown_key(key, line, column)
        else:
            self.check_key_supported(key, line, column)
        self.check_values(operator.family, operator_name, key, values, line, column)

    def check_mfa(self, if_exists: bool, said: set[str], line: int, column: int) -> None:
        """The two documented aws:MultiFactorAuthPresent traps: long-term keys lack the key."""
        effect = self.statement.effect
        if effect is Effect.DENY and not if_exists and "false" in said:
            self.add(
                "MFA_BOOL_DENY_MISSES_ACCESS_KEYS",
                Severity.SECURITY_WARNING,
                "Deny with Bool aws:MultiFactorAuthPresent false does not deny long-term access "
                "keys, which carry no such key; use BoolIfExists.",
                line,
                column,
            )
        if effect is Effect.ALLOW and if_exists and "true" in said:
            self.add(
                "MFA_BOOLIFEXISTS_ALLOW_ADMITS_ACCESS_KEYS",
                Severity.SECURITY_WARNING,
                "Allow with BoolIfExists aws:MultiFactorAuthPresent true also allows long-term "
                "access keys, which never use MFA; use Bool.",
                line,
                column,
            )

    def _checks_present(self, lowered_key: str) -> bool:
        return any(
            c.operator == "Null"
            and c.key.lower() == lowered_key
            and all(v.lower() == "false" for v in c.values)
            for c in self.statement.conditions
        )

    def check_unknown_key(self, key: str, line: int, column: int) -> None:
        service = key.partition(":")[0].lower()
        if service == "aws" or self.catalogue.service(service) is not None:
            self.add(
                "UNKNOWN_CONDITION_KEY",
                Severity.WARNING,
                f"{key} is not a condition key of "
                + ("AWS's global keys." if service == "aws" else f"the {service} service."),
                line,
                column,
            )

    def check_key_supported(self, key: str, line: int, column: int) -> None:
        if self.catalogue.is_global_condition_key(key) or not self.actions:
            return
        if any(a.service in _MERGED_SERVICES for a in self.actions):
            return
        supported = {
            supported_key.lower()
            for action in self.actions
            for supported_key in _supported_keys(self.catalogue, action)
        }
        canonical = self.catalogue.canonical_condition_key(key)
        if key.lower() not in supported and canonical not in supported:
            self.add(
                "UNSUPPORTED_CONDITION_KEY",
                Severity.WARNING,
                f"No action in the statement supports the condition key {key}; the condition "
                "is never true for them.",
                line,
                column,
            )

    def check_values(
        self,
        family: Family,
        operator: str,
        key: str,
        values: tuple[str, ...],
        line: int,
        column: int,
    ) -> None:
        readers = {
            Family.NUMERIC: parse_number,
            Family.IP: parse_network,
        }
        reader = readers.get(family)
        bad = [v for v in values if reader is not None and reader(v) is None]
        if family is Family.BOOL:
            bad = [v for v in values if v.lower() not in ("true", "false") and "${" not in v]
        if family is Family.NULL:
            bad = [v for v in values if v.lower() not in ("true", "false")]
        if bad:
            self.add(
                "INVALID_CONDITION_VALUE",
                Severity.ERROR,
                f"{operator} cannot compare {key} with {', '.join(repr(v) for v in bad)}; "
                "that value never matches.",
                line,
                column,
            )


def _supported_keys(catalogue: Catalogue, action: Action) -> Iterator[str]:
    """The keys an action sets: its own and those of the resource types it takes."""
    yield from action.condition_keys
    service = catalogue.service(action.service)
    if service is not None:
        for accepted in action.resource_types:
            resource_type = service.resource_types.get(accepted.name)
            if resource_type is not None:
                yield from resource_type.condition_keys


def _takes(catalogue: Catalogue, action: Action, resource: str) -> bool:
    if action.accepts_any_resource:
        return False
    service = catalogue.service(action.service)
    if service is None:
        return True
    for accepted in action.resource_types:
        resource_type = service.resource_types.get(accepted.name)
        if resource_type is None or resource_type.matches_arn(resource):
            return True
    return False


def _covers(wide: tuple[str, ...], narrow: tuple[str, ...], mode: Mode) -> bool:
    """Every pattern of `narrow` is matched, read as literal text, by some pattern of `wide`."""
    if "*" in wide:
        return True
    regex = compile_patterns(wide, mode)
    return all(regex.fullmatch(p.lower() if mode is Mode.ACTION else p) for p in narrow)


def _redundant_statements(policy: Policy) -> Iterator[Finding]:
    statements = policy.statements
    for narrow in statements:
        if narrow.actions is None or narrow.resources is None:
            continue
        for wide in statements:
            if (
                wide is narrow
                or wide.effect is not narrow.effect
                or wide.conditions
                or wide.actions is None
                or wide.resources is None
                or wide.principals != narrow.principals
            ):
                continue
            same = wide.actions == narrow.actions and wide.resources == narrow.resources
            if same and not narrow.conditions and wide.index > narrow.index:
                continue  # report the later of two identical statements only
            if _covers(wide.actions, narrow.actions, Mode.ACTION) and _covers(
                wide.resources, narrow.resources, Mode.RESOURCE
            ):
                yield Finding(
                    "REDUNDANT_STATEMENT",
                    Severity.SUGGESTION,
                    f"Statement {narrow.index} adds nothing: statement {wide.index} already "
                    f"{'allows' if narrow.effect is Effect.ALLOW else 'denies'} all of it.",
                    narrow.index,
                    narrow.sid,
                    narrow.line,
                    narrow.column,
                )
                break
