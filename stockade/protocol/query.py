"""AWS Query requests: the flat form (`Tags.member.1.Key=a`) to botocore-style input, validated.

Each input shape is compiled once into a decoder. A request walks only the decoders of the
members it could contain: scalar members are one dict lookup, and keys are grouped by their first
segment only for members that are lists, maps or structures.

Validation follows the model's constraints and reports in AWS's words (Coral's validator):
`Value 'x' at 'userName' failed to satisfy constraint: Member must ...`, every failure of the
request collected into one `ValidationError`. Lists and maps of scalars are reported once, at the
container, with the element shape's constraints in brackets, as AWS does.
"""

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

from stockade.protocol.errors import AWSError
from stockade.protocol.model import ListShape, MapShape, ScalarShape, Shape, StructureShape

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


def validation_message(errors: list[str]) -> str:
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors)


def _failure(shown: str | None, loc: str, phrase: str) -> str:
    # AWS leaves the value out for members the model marks sensitive (passwords, secrets).
    value = "Value" if shown is None else f"Value '{shown}'"
    return f"{value} at '{loc}' failed to satisfy constraint: {phrase}"


def _null(loc: str) -> str:
    return f"Value null at '{loc}' failed to satisfy constraint: Member must not be null"


def show(value: Any) -> str:
    """A value as AWS's (Java) messages print it: lists `[a, b]`, maps `{k=v}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k)}={show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _is_index(text: str) -> bool:
    # Canonical decimal only, so `1` and `01` cannot name the same element twice.
    return text.isascii() and text.isdigit() and text[0] != "0"


def _index_order(text: str) -> tuple[int, str]:
    return (len(text), text)  # numeric order of canonical decimals without int() on huge ones


# -- scalars ---------------------------------------------------------------------------------


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
            listed.append(_enum_phrase(shape.enum))
        if shape.max_value is not None:
            listed.append(f"Member must have value less than or equal to {shape.max_value}")
        if shape.min_value is not None:
            listed.append(f"Member must have value greater than or equal to {shape.min_value}")
        self.all_constraints = tuple(listed)
        self.constrained = bool(listed)
        self._enum_phrase = _enum_phrase(shape.enum) if shape.enum else ""
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
            errors.append(_failure(None if self.sensitive else raw, loc, self.type_phrase))
            return INVALID
        if self.constrained and not self.ok(value):
            shown = self.shown(value)
            errors.extend(_failure(shown, loc, phrase) for phrase in self.violations(value))
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


def _enum_phrase(values: tuple[str, ...]) -> str:
    return "Member must satisfy enum value set: [" + ", ".join(values) + "]"


# -- containers ------------------------------------------------------------------------------


class StructureDecoder:
    """A structure: members by wire name; nested keys grouped only for container members."""

    __slots__ = ("_containers", "_members")

    def __init__(self) -> None:
        # (name, wire name, key of a bare value, location, required, decoder): filled in by
        # `compile_decoder` after registration, so a recursive shape reuses this object.
        self._members: tuple[tuple[str, str, str, str, bool, Decoder], ...] = ()
        self._containers: frozenset[str] = frozenset()

    def decode(self, raw: str | None, sub: Params | None, loc: str, errors: list[str]) -> Any:
        if sub is None:
            return ABSENT
        return self.decode_params(sub, loc, errors)

    def decode_params(self, params: Params, loc: str, errors: list[str]) -> dict[str, Any]:
        groups: dict[str, dict[str, str]] = {}
        if self._containers:
            containers = self._containers
            for key, text in params.items():
                head, dot, rest = key.partition(".")
                if dot and head in containers:
                    group = groups.get(head)
                    if group is None:
                        group = groups[head] = {}
                    group[rest] = text
        out: dict[str, Any] = {}
        for name, wire, bare, location, required, decoder in self._members:
            member_loc = f"{loc}.{location}" if loc else location
            value = decoder.decode(params.get(bare), groups.get(wire), member_loc, errors)
            if value is ABSENT:
                if required:
                    errors.append(_null(member_loc))
            elif value is not INVALID:
                out[name] = value
        return out


class ListDecoder:
    """`Name.member.N` (or `Name.N` when flattened), N from 1; gaps are closed up in order."""

    __slots__ = ("_flattened", "_item", "_item_wire", "_max", "_min", "_sensitive")

    def __init__(self, shape: ListShape) -> None:
        self._flattened = shape.flattened
        self._item_wire = shape.member_wire_name
        self._min = shape.min_length
        self._max = shape.max_length
        self._sensitive = shape.sensitive
        self._item: Decoder = _UNSET

    def decode(self, raw: str | None, sub: Params | None, loc: str, errors: list[str]) -> Any:
        if sub is None:
            # botocore sends an empty list as the bare name with an empty value.
            return [] if raw == "" else ABSENT
        raws: dict[str, str] = {}
        subs: dict[str, dict[str, str]] = {}
        for key, text in sub.items():
            if not self._flattened:
                head, dot, key = key.partition(".")
                if not dot or head != self._item_wire:
                    continue
            index, dot, rest = key.partition(".")
            if not _is_index(index):
                continue
            if dot:
                group = subs.get(index)
                if group is None:
                    group = subs[index] = {}
                group[rest] = text
            else:
                raws[index] = text
        indexes = sorted(raws.keys() | subs.keys(), key=_index_order)
        item = self._item
        item_errors: list[str] = []
        out: list[Any] = []
        if isinstance(item, ScalarDecoder):
            # AWS reports scalar elements once, at the list, with the element's constraints.
            failed = False
            for index in indexes:
                element = raws.get(index)
                if element is None:
                    continue
                value = item.convert(element)
                if value is INVALID:
                    where = f"{loc}.{len(out) + 1}.member"
                    shown = None if item.sensitive else element
                    item_errors.append(_failure(shown, where, item.type_phrase))
                    continue
                if item.constrained and not failed and not item.ok(value):
                    failed = True
                out.append(value)
            if failed:
                phrase = "Member must satisfy constraint: [" + ", ".join(item.all_constraints) + "]"
                item_errors.append(_failure(self._shown(out), loc, phrase))
        else:
            for index in indexes:
                where = f"{loc}.{len(out) + 1}.member"
                value = item.decode(raws.get(index), subs.get(index), where, item_errors)
                if value is ABSENT or value is INVALID:
                    continue
                out.append(value)
        _check_size(out, self._min, self._max, loc, self._shown, errors)
        errors.extend(item_errors)
        return out

    def _shown(self, value: Any) -> str | None:
        return None if self._sensitive else show(value)


class MapDecoder:
    """`Name.entry.N.key` / `Name.entry.N.value` (key and value names from the model)."""

    __slots__ = (
        "_flattened",
        "_key",
        "_key_wire",
        "_max",
        "_min",
        "_sensitive",
        "_value",
        "_value_wire",
    )

    def __init__(self, shape: MapShape) -> None:
        self._flattened = shape.flattened
        self._key_wire = shape.key_wire_name
        self._value_wire = shape.value_wire_name
        self._min = shape.min_length
        self._max = shape.max_length
        self._sensitive = shape.sensitive
        self._key: Decoder = _UNSET
        self._value: Decoder = _UNSET

    def decode(self, raw: str | None, sub: Params | None, loc: str, errors: list[str]) -> Any:
        if sub is None:
            return {} if raw == "" else ABSENT
        entries: dict[str, dict[str, str]] = {}
        for key, text in sub.items():
            if not self._flattened:
                head, dot, key = key.partition(".")
                if not dot or head != "entry":
                    continue
            index, dot, rest = key.partition(".")
            if dot and _is_index(index):
                entry = entries.get(index)
                if entry is None:
                    entry = entries[index] = {}
                entry[rest] = text
        key_decoder = self._key
        value_decoder = self._value
        value_prefix = self._value_wire + "."
        item_errors: list[str] = []
        keys_failed = values_failed = False
        out: dict[Any, Any] = {}
        for index in sorted(entries, key=_index_order):
            entry = entries[index]
            key_text = entry.get(self._key_wire)
            if key_text is None or not isinstance(key_decoder, ScalarDecoder):
                continue
            key = key_decoder.convert(key_text)
            if key is INVALID:
                where = f"{loc}.entry.{index}.key"
                item_errors.append(_failure(key_text, where, key_decoder.type_phrase))
                continue
            if key_decoder.constrained and not key_decoder.ok(key):
                keys_failed = True
            value_text = entry.get(self._value_wire)
            if isinstance(value_decoder, ScalarDecoder):
                if value_text is None:
                    continue
                value = value_decoder.convert(value_text)
                if value is INVALID:
                    where = f"{loc}.{show(key)}.member"
                    shown = None if value_decoder.sensitive else value_text
                    item_errors.append(_failure(shown, where, value_decoder.type_phrase))
                    continue
                if value_decoder.constrained and not value_decoder.ok(value):
                    values_failed = True
            else:
                nested = {
                    k[len(value_prefix) :]: v
                    for k, v in entry.items()
                    if k.startswith(value_prefix)
                }
                where = f"{loc}.{show(key)}.member"
                value = value_decoder.decode(value_text, nested or None, where, item_errors)
                if value is ABSENT or value is INVALID:
                    continue
            out[key] = value
        if keys_failed and isinstance(key_decoder, ScalarDecoder):
            phrase = "Map keys must satisfy constraint: [" + ", ".join(key_decoder.all_constraints)
            item_errors.append(_failure(self._shown(out), loc, phrase + "]"))
        if values_failed and isinstance(value_decoder, ScalarDecoder):
            phrase = "Map value must satisfy constraint: [" + ", ".join(
                value_decoder.all_constraints
            )
            item_errors.append(_failure(self._shown(out), loc, phrase + "]"))
        _check_size(out, self._min, self._max, loc, self._shown, errors)
        errors.extend(item_errors)
        return out

    def _shown(self, value: Any) -> str | None:
        return None if self._sensitive else show(value)


def _check_size(
    value: list[Any] | dict[Any, Any],
    low: int | None,
    high: int | None,
    loc: str,
    shown: Callable[[Any], str | None],
    errors: list[str],
) -> None:
    if high is not None and len(value) > high:
        errors.append(
            _failure(shown(value), loc, f"Member must have length less than or equal to {high}")
        )
    if low is not None and len(value) < low:
        errors.append(
            _failure(shown(value), loc, f"Member must have length greater than or equal to {low}")
        )


Decoder = ScalarDecoder | StructureDecoder | ListDecoder | MapDecoder
_UNSET: Final = StructureDecoder()  # placeholder until compile_decoder fills the real one in


def compile_decoder(shape: Shape, cache: dict[int, Decoder] | None = None) -> Decoder:
    """The decoder for a shape; `cache` shares decoders between operations of one service."""
    if cache is None:
        cache = {}
    found = cache.get(id(shape))
    if found is not None:
        return found
    if isinstance(shape, ScalarShape):
        scalar = ScalarDecoder(shape)
        cache[id(shape)] = scalar
        return scalar
    if isinstance(shape, ListShape):
        lst = ListDecoder(shape)
        cache[id(shape)] = lst
        lst._item = compile_decoder(shape.member, cache)
        return lst
    if isinstance(shape, MapShape):
        mp = MapDecoder(shape)
        cache[id(shape)] = mp
        mp._key = compile_decoder(shape.key, cache)
        mp._value = compile_decoder(shape.value, cache)
        return mp
    if not isinstance(shape, StructureShape):
        raise TypeError(f"cannot decode shape {shape.name} of kind {shape.kind}")
    struct = StructureDecoder()
    cache[id(shape)] = struct
    members = []
    containers = set()
    for member in shape.members:
        decoder = compile_decoder(member.shape, cache)
        bare = member.wire_name
        if isinstance(member.shape, ListShape) and member.shape.flattened:
            # botocore marks an empty flattened list by the member's own name, even when its
            # elements are renamed (`Named=` but `Item.1=x`).
            bare = member.name
        members.append(
            (member.name, member.wire_name, bare, member.location, member.required, decoder)
        )
        if not isinstance(decoder, ScalarDecoder):
            containers.add(member.wire_name)
    struct._members = tuple(members)
    struct._containers = frozenset(containers)
    return struct


def parse_params(decoder: StructureDecoder, params: Params) -> dict[str, Any]:
    """Decode and validate a whole request's parameters; raises AWSError(ValidationError)."""
    errors: list[str] = []
    result = decoder.decode_params(params, "", errors)
    if errors:
        raise AWSError("ValidationError", validation_message(errors), 400)
    return result
