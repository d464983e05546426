"""Condition operator names: the grammar `[ForAllValues:|ForAnyValue:]Base[IfExists]`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Family(StrEnum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class SetQualifier(StrEnum):
    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


# Base operator → (family, negated). A negated operator is true when no policy value matches,
# and true when the key is absent.
BASE_OPERATORS: dict[str, tuple[Family, bool]] = {
    "StringEquals": (Family.STRING, False),
    "StringNotEquals": (Family.STRING, True),
    "StringEqualsIgnoreCase": (Family.STRING, False),
    "StringNotEqualsIgnoreCase": (Family.STRING, True),
    "StringLike": (Family.STRING, False),
    "StringNotLike": (Family.STRING, True),
    "NumericEquals": (Family.NUMERIC, False),
    "NumericNotEquals": (Family.NUMERIC, True),
    "NumericLessThan": (Family.NUMERIC, False),
    "NumericLessThanEquals": (Family.NUMERIC, False),
    "NumericGreaterThan": (Family.NUMERIC, False),
    "NumericGreaterThanEquals": (Family.NUMERIC, False),
    "DateEquals": (Family.DATE, False),
    "DateNotEquals": (Family.DATE, True),
    "DateLessThan": (Family.DATE, False),
    "DateLessThanEquals": (Family.DATE, False),
    "DateGreaterThan": (Family.DATE, False),
    "DateGreaterThanEquals": (Family.DATE, False),
    "Bool": (Family.BOOL, False),
    "BinaryEquals": (Family.BINARY, False),
    "IpAddress": (Family.IP, False),
    "NotIpAddress": (Family.IP, True),
    "ArnEquals": (Family.ARN, False),
    "ArnLike": (Family.ARN, False),
    "ArnNotEquals": (Family.ARN, True),
    "ArnNotLike": (Family.ARN, True),
    "Null": (Family.NULL, False),
}

# Families whose values may hold policy variables (IAM User Guide, "Variables and tags").
VARIABLE_FAMILIES = frozenset({Family.STRING, Family.BOOL, Family.ARN})

_IF_EXISTS = "IfExists"


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    base: str
    family: Family
    negated: bool
    qualifier: SetQualifier | None
    if_exists: bool

    @property
    def positive_base(self) -> str:
        """The operator whose result this one negates (StringNotLike → StringLike)."""
        return _POSITIVE_OF.get(self.base, self.base)


_POSITIVE_OF = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def parse_operator(name: str) -> Operator | None:
    """Split an operator name into its parts; None for a name that is not an operator."""
    rest = name
    qualifier: SetQualifier | None = None
    for candidate in SetQualifier:
        prefix = candidate.value + ":"
        if rest.startswith(prefix):
            qualifier, rest = candidate, rest[len(prefix) :]
            break
    if_exists = rest.endswith(_IF_EXISTS) and rest != _IF_EXISTS
    if if_exists:
        rest = rest[: -len(_IF_EXISTS)]
    spec = BASE_OPERATORS.get(rest)
    if spec is None or (if_exists and rest == "Null"):
        return None
    family, negated = spec
    return Operator(name, rest, family, negated, qualifier, if_exists)
