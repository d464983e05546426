"""AWS Query requests: the flat form (`Tags.member.1.Key=a`) to botocore-style input, validated.

Each input shape is compiled once into a decoder. A request walks only the decoders of the
members it could contain: scalar members are one dict lookup, and keys are grouped by their first
segment only for members that are lists, maps or structures.

Validation follows the model's constraints (messages.py has AWS's wording). Lists and maps of
scalars are reported once, at the container, with the element shape's constraints in brackets,
as AWS does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from stockade.protocol.errors import AWSError
from stockade.protocol.messages import failure, null_failure, show, validation_message
from stockade.protocol.model import ListShape, MapShape, ScalarShape, Shape, StructureShape
from stockade.protocol.scalars import ABSENT, INVALID, ScalarDecoder

Params = Mapping[str, str]


def _is_index(text: str) -> bool:
    # Canonical decimal only, so `1` and `01` cannot name the same element twice.
    return text.isascii() and text.isdigit() and text[0] != "0"


def _index_order(text: str) -> tuple[int, str]:
    return (len(text), text)  # numeric order of canonical decimals without int() on huge ones


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
                    errors.append(null_failure(member_loc))
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
                    item_errors.append(failure(shown, where, item.type_phrase))
                    continue
                if item.constrained and not failed and not item.ok(value):
                    failed = True
                out.append(value)
            if failed:
                phrase = "Member must satisfy constraint: [" + ", ".join(item.all_constraints) + "]"
                item_errors.append(failure(self._shown(out), loc, phrase))
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
                item_errors.append(failure(key_text, where, key_decoder.type_phrase))
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
                    item_errors.append(failure(shown, where, value_decoder.type_phrase))
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
            item_errors.append(failure(self._shown(out), loc, phrase + "]"))
        if values_failed and isinstance(value_decoder, ScalarDecoder):
            phrase = "Map value must satisfy constraint: [" + ", ".join(
                value_decoder.all_constraints
            )
            item_errors.append(failure(self._shown(out), loc, phrase + "]"))
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
            failure(shown(value), loc, f"Member must have length less than or equal to {high}")
        )
    if low is not None and len(value) < low:
        errors.append(
            failure(shown(value), loc, f"Member must have length greater than or equal to {low}")
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
