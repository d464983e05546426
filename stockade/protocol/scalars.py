"""Scalar members of a Query request: text to a typed value, checked against its constraints."""

from __future__ import annotations

import base64
import binascii
import email.utils
import math
import re
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from stockade.protocol.messages import enum_phrase, failure, show
from stockade.protocol.model import ScalarShape

Params = Mapping[str, str]


class _Missing:
    """Sentinel type: the member is absent, or its value was rejected (an error is recorded)."""

    __slots__ = ()


ABSENT: Final = _Missing()
INVALID: Final = _Missing()

_INT_TEXT = re.compile(r"[+-]?[0-9]{1,20}", re.ASCII)
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)
_EPOCH_TEXT = re.compile(r"[+-]?[0-9]{1,12}(?:\.[0-9]{1,9})?", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}

# Type errors are not constraints in the model, so AWS has no fixed phrase for them; these read
# like the constraint phrases and say what would have been accepted.
_TYPE_PHRASES = {
    "integer": "Member must be an integer",
    "long": "Member must be an integer",
    "float": "Member must be a number",
    "double": "Member must be a number",
    "boolean": "Member must be true or false",
    "timestamp": "Member must be a timestamp (ISO 8601 or seconds since the epoch)",
    "blob": "Member must be base64-encoded",
}


def _convert_int(kind: str) -> Callable[[str], Any]:
    low, high = _INT_RANGE[kind]

    def convert(raw: str) -> Any:
        if not _INT_TEXT.fullmatch(raw):
            return INVALID
        value = int(raw)
        return value if low <= value <= high else INVALID

    return convert


def _convert_float(raw: str) -> Any:
    if not _FLOAT_TEXT.fullmatch(raw):
        return INVALID
    value = float(raw)
    return value if math.isfinite(value) else INVALID


def _convert_boolean(raw: str) -> Any:
    lowered = raw.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return INVALID


def _convert_timestamp(raw: str) -> Any:
    try:
        if _EPOCH_TEXT.fullmatch(raw):
            # Exact decimal arithmetic: a float would round some microsecond values wrongly.
            negative = raw.startswith("-")
            whole, _, fraction = raw.lstrip("+-").partition(".")
            micros = int(whole) * 1_000_000 + int((fraction + "000000")[:6])
            return _EPOCH + timedelta(microseconds=-micros if negative else micros)
        if len(raw) <= 64:
            try:
                parsed = datetime.fromisoformat(raw)
            except ValueError:
                parsed = email.utils.parsedate_to_datetime(raw)  # the rfc822 timestampFormat
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    except (ValueError, TypeError, OverflowError, OSError, IndexError):
        pass
    return INVALID


def _convert_blob(raw: str) -> Any:
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return INVALID


def _convert_string(raw: str) -> Any:
    return raw


class ScalarDecoder:
    """Converts one scalar from its text and checks it against the shape's constraints."""

    __slots__ = (
        "_enum",
        "_enum_phrase",
        "_max_length",
        "_max_value",
        "_min_length",
        "_min_value",
        "_regex",
        "all_constraints",
        "constrained",
        "convert",
        "ok",
        "pattern_phrase",
        "sensitive",
        "type_phrase",
    )

    def __init__(self, shape: ScalarShape) -> None:
        kind = shape.kind
        self.sensitive = shape.sensitive
        self.convert: Callable[[str], Any]
        if kind == "string":
            self.convert = _convert_string
        elif kind in _INT_RANGE:
            self.convert = _convert_int(kind)
        elif kind in ("float", "double"):
            self.convert = _convert_float
        elif kind == "boolean":
            self.convert = _convert_boolean
        elif kind == "timestamp":
            self.convert = _convert_timestamp
        else:
            self.convert = _convert_blob
        self.type_phrase = _TYPE_PHRASES.get(kind, "")
        self._min_length = shape.min_length
        self._max_length = shape.max_length
        self._min_value = shape.min_value
        self._max_value = shape.max_value
        self._regex = shape.regex
        self.pattern_phrase = (
            f"Member must satisfy regular expression pattern: {shape.pattern}"
            if shape.pattern
            else ""
        )
        self._enum = frozenset(shape.enum) if shape.enum else None
        # The order AWS lists an element shape's constraints in "[...]" for lists and maps.
        listed: list[str] = []
        if shape.max_length is not None:
            listed.append(f"Member must have length less than or equal to {shape.max_length}")
        if shape.min_length is not None:
            listed.append(f"Member must have length greater than or equal to {shape.min_length}")
        if shape.pattern:
            listed.append(self.pattern_phrase)
        if shape.enum:
            listed.append(enum_phrase(shape.enum))
        if shape.max_value is not None:
            listed.append(f"Member must have value less than or equal to {shape.max_value}")
        if shape.min_value is not None:
            listed.append(f"Member must have value greater than or equal to {shape.min_value}")
        self.all_constraints = tuple(listed)
        self.constrained = bool(listed)
        self._enum_phrase = enum_phrase(shape.enum) if shape.enum else ""
        self.ok = _fast_check(shape)

    def violations(self, value: Any) -> list[str]:
        """The constraint phrases `value` fails, in the order AWS reports them."""
        found: list[str] = []
        if isinstance(value, str | bytes):
            if isinstance(value, str):
                if self._regex is not None and self._regex.fullmatch(value) is None:
                    found.append(self.pattern_phrase)
                if self._enum is not None and value not in self._enum:
                    found.append(self._enum_phrase)
            size = len(value)
            if self._max_length is not None and size > self._max_length:
                found.append(f"Member must have length less than or equal to {self._max_length}")
            if self._min_length is not None and size < self._min_length:
                found.append(f"Member must have length greater than or equal to {self._min_length}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if self._max_value is not None and value > self._max_value:
                found.append(f"Member must have value less than or equal to {self._max_value}")
            if self._min_value is not None and value < self._min_value:
                found.append(f"Member must have value greater than or equal to {self._min_value}")
        return found

    def shown(self, value: Any) -> str | None:
        return None if self.sensitive else show(value)

    def decode(self, raw: str | None, sub: Params | None, loc: str, errors: list[str]) -> Any:
        if raw is None:
            return ABSENT
        value = self.convert(raw)
        if value is INVALID:
            errors.append(failure(None if self.sensitive else raw, loc, self.type_phrase))
            return INVALID
        if self.constrained and not self.ok(value):
            shown = self.shown(value)
            errors.extend(failure(shown, loc, phrase) for phrase in self.violations(value))
        return value


def _fast_check(shape: ScalarShape) -> Callable[[Any], bool]:
    """Whether a converted value meets every constraint: the common, passing case, without
    building messages (`violations` says which failed when this is False)."""
    if shape.kind in ("string", "blob"):
        low = shape.min_length or 0
        high = shape.max_length if shape.max_length is not None else sys.maxsize
        fullmatch = shape.regex.fullmatch if shape.regex is not None else None
        enum = frozenset(shape.enum) if shape.enum else None
        if enum is not None:
            return lambda v: (
                v in enum
                and low <= len(v) <= high
                and (fullmatch is None or fullmatch(v) is not None)
            )
        if fullmatch is not None:
            return lambda v: low <= len(v) <= high and fullmatch(v) is not None
        return lambda v: low <= len(v) <= high
    if shape.kind in ("integer", "long", "float", "double"):
        least = shape.min_value if shape.min_value is not None else -math.inf
        most = shape.max_value if shape.max_value is not None else math.inf
        return lambda v: bool(least <= v <= most)
    return lambda v: True
