"""Hypothesis strategies for values of any botocore shape: random inputs and outputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

# Characters XML 1.0 can carry (the response side cannot send the others at all).
XML_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=["Cs"],
        exclude_characters="".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)]))
        + "\ufffe\uffff",
    ),
    max_size=12,
)


# Anything a form can carry (UTF-8 encodable): requests are not limited to XML's characters.
FORM_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


def _timestamps(millis: bool) -> st.SearchStrategy[datetime]:
    moments = st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
    )
    if millis:
        # AWS writes milliseconds; finer digits would not survive the trip.
        return moments.map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
    return moments


def value_of(shape: Any, *, request: bool, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for `shape`. `request` leaves out what the Query form cannot express: empty maps and
    empty structures (botocore sends nothing for them, so they come back absent)."""
    kind = shape.type_name
    if kind == "string":
        enum = getattr(shape, "enum", None)
        text = FORM_TEXT if request else XML_TEXT
        return st.sampled_from(enum) | text if enum else text
    if kind == "integer":
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "long":
        return st.integers(-(2**63), 2**63 - 1)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return _timestamps(millis=not request)
    if kind == "blob":
        return st.binary(max_size=16)
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "list":
        return st.lists(value_of(shape.member, request=request, depth=depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(
            value_of(shape.key, request=request, depth=depth + 1),
            value_of(shape.value, request=request, depth=depth + 1),
            min_size=1 if request else 0,
            max_size=3,
        )
    assert kind == "structure", kind
    members = {
        name: value_of(member, request=request, depth=depth + 1)
        for name, member in shape.members.items()
        # Recursive shapes stop growing: deep down, only scalar members.
        if depth < 6 or member.type_name not in ("structure", "list", "map")
    }
    structs = st.fixed_dictionaries({}, optional=members)
    if request and depth > 0:
        structs = structs.filter(bool)
    return structs
