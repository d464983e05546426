"""Condition blocks compiled to tests on a request context.

Block logic (IAM User Guide, "Creating a condition with multiple keys or values"): operators and
keys are ANDed, the values of one key ORed; a negated operator is true only when no value matches
(NOR). A missing key makes a positive operator false and a negated one true, unless `IfExists`
(true) or `Null`. `ForAllValues:` is true for an absent or empty key, `ForAnyValue:` false.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stockade.policy.model import Condition
from stockade.policy.operators import VARIABLE_FAMILIES, Family, Operator, SetQualifier
from stockade.policy.operators import parse_operator as _parse_operator
from stockade.policy.patterns import Mode, PatternText, compile_patterns
from stockade.policy.request import ContextValue
from stockade.policy.values import (
    parse_address,
    parse_binary,
    parse_instant,
    parse_network,
    parse_number,
)
from stockade.policy.variables import Template, parse_template

ValueTest = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    """How one operator/key pair fared, for explanations."""

    passed: bool
    detail: str
    missing_keys: tuple[str, ...] = ()


def _compare(op: str) -> Callable[[Any, Any], bool]:
    if op.endswith("LessThanEquals"):
        return lambda request, policy: request <= policy
    if op.endswith("LessThan"):
        return lambda request, policy: request < policy
    if op.endswith("GreaterThanEquals"):
        return lambda request, policy: request >= policy
    if op.endswith("GreaterThan"):
        return lambda request, policy: request > policy
    return lambda request, policy: request == policy


def _value_test(base: str, family: Family, patterns: tuple[PatternText, ...]) -> ValueTest:
    """A test of one request value against all policy values of a positive operator."""
    if base == "StringLike" or family is Family.ARN:
        mode = Mode.STRING_LIKE if base == "StringLike" else Mode.ARN_CONDITION
        regex = compile_patterns(patterns, mode)
        return lambda value: regex.fullmatch(value) is not None
    values = tuple(p if isinstance(p, str) else p.text for p in patterns)
    if family is Family.STRING:
        if base == "StringEqualsIgnoreCase":
            folded = frozenset(v.casefold() for v in values)
            return lambda value: value.casefold() in folded
        exact = frozenset(values)
        return lambda value: value in exact
    if family is Family.BOOL:
        truths = frozenset(v.lower() for v in values)
        return lambda value: value.lower() in truths
    if family is Family.NUMERIC:
        numbers = [n for n in map(parse_number, values) if n is not None]
        compare = _compare(base)

        def numeric(value: str) -> bool:
            number = parse_number(value)
            return number is not None and any(compare(number, n) for n in numbers)

        return numeric
    if family is Family.DATE:
        dates = [d for d in map(parse_instant, values) if d is not None]
        compare_dates = _compare(base)

        def date(value: str) -> bool:
            moment = parse_instant(value)
            return moment is not None and any(compare_dates(moment, d) for d in dates)

        return date
    if family is Family.IP:
        networks = [n for n in map(parse_network, values) if n is not None]

        def ip(value: str) -> bool:
            address = parse_address(value)
            return address is not None and any(
                address.version == n.version and address in n for n in networks
            )

        return ip
    if family is Family.BINARY:
        blobs = frozenset(b for b in map(parse_binary, values) if b is not None)

        def binary(value: str) -> bool:
            return parse_binary(value) in blobs

        return binary
    raise AssertionError(f"no value test for {family}")  # Null is handled by the caller


class CompiledCondition:
    """One operator/key pair of a Condition block, ready to test a context."""

    __slots__ = ("_static_values", "_templates", "_test", "condition", "key", "operator")

    def __init__(self, condition: Condition, operator: Operator, variables_enabled: bool) -> None:
        self.condition = condition
        self.operator = operator
        self.key = condition.key.lower()
        templates: list[Template | None] = [None] * len(condition.values)
        if variables_enabled and operator.family in VARIABLE_FAMILIES:
            templates = [parse_template(v) for v in condition.values]
        self._templates = tuple(templates)
        self._static_values = condition.values
        self._test: ValueTest | None = None
        if operator.family is not Family.NULL and not any(templates):
            self._test = _value_test(operator.positive_base, operator.family, condition.values)

    def _value_test(self, context: Mapping[str, ContextValue]) -> ValueTest:
        if self._test is not None:
            return self._test
        glob = self.operator.positive_base == "StringLike" or self.operator.family is Family.ARN
        values: list[PatternText] = []
        for text, template in zip(self._static_values, self._templates, strict=True):
            filled: PatternText | None = text
            if template is not None:
                filled = template.fill_pattern(context) if glob else template.fill(context)
            if filled is not None:  # a variable with no value matches nothing
                values.append(filled)
        return _value_test(self.operator.positive_base, self.operator.family, tuple(values))

    def test(self, context: Mapping[str, ContextValue]) -> bool:
        """Whether the condition holds for a context with lower-case keys."""
        operator = self.operator
        value = context.get(self.key)
        present = value is not None and value != ()
        if operator.family is Family.NULL:
            return any((v.lower() == "true") != present for v in self._static_values)
        if not present:
            if operator.qualifier is SetQualifier.FOR_ALL_VALUES:
                return True
            if operator.qualifier is SetQualifier.FOR_ANY_VALUE:
                return operator.if_exists  # no value to satisfy it, negated or not
            return operator.if_exists or operator.negated
        matches = self._value_test(context)
        assert value is not None
        if operator.qualifier is None:
            hit = matches(value) if isinstance(value, str) else any(map(matches, value))
            return not hit if operator.negated else hit
        items = (value,) if isinstance(value, str) else value
        per_value: ValueTest = (lambda v: not matches(v)) if operator.negated else matches
        if operator.qualifier is SetQualifier.FOR_ALL_VALUES:
            return all(map(per_value, items))
        return any(map(per_value, items))

    def outcome(self, context: Mapping[str, ContextValue]) -> ConditionOutcome:
        """The result with the reason a person needs: which key, which values, what is missing."""
        passed = self.test(context)
        condition = self.condition
        shown = ", ".join(repr(v) for v in condition.values)
        unset = [
            key
            for template in self._templates
            if template is not None
            for key in template.unset_keys(context)
        ]
        note = "".join(f"; policy variable {key} has no value" for key in unset)
        value = context.get(self.key)
        if value is None or value == ():
            missing = () if self.operator.family is Family.NULL else (condition.key,)
            detail = f"{condition.operator}: {condition.key} is missing from the request"
            return ConditionOutcome(passed, f"{detail} (policy: {shown}){note}", missing)
        got = repr(value) if isinstance(value, str) else repr(list(value))
        verdict = "holds" if passed else "fails"
        return ConditionOutcome(
            passed,
            f"{condition.operator}: {condition.key} is {got}; {verdict} against {shown}{note}",
            tuple(unset),
        )


def compile_condition(condition: Condition, variables_enabled: bool) -> CompiledCondition | None:
    """None for an unknown operator IAM let through because it was empty: it constrains nothing."""
    operator = _parse_operator(condition.operator)
    if operator is None:
        return None
    return CompiledCondition(condition, operator, variables_enabled)
