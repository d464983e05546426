"""botocore's service model, copied into small typed classes once per service.

botocore has no type information and its `Shape` objects resolve members lazily through dicts;
the wire layer reads shapes on every request, so each shape is converted once into the classes
below (constraints parsed, Java patterns compiled, wire names settled) and botocore is not
consulted again. Shapes are shared by name, as in the model, so the tree stays small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import botocore.session

from stockade.protocol.javaregex import compile_java

SCALAR_KINDS = frozenset(
    {"string", "integer", "long", "float", "double", "boolean", "timestamp", "blob"}
)


class Shape:
    """One shape of the model; `kind` is botocore's `type_name`."""

    __slots__ = ("kind", "name", "sensitive")

    def __init__(self, name: str, kind: str, sensitive: bool) -> None:
        self.name = name
        self.kind = kind
        self.sensitive = sensitive


class ScalarShape(Shape):
    """string, integer, long, float, double, boolean, timestamp or blob, with its constraints."""

    __slots__ = (
        "enum",
        "max_length",
        "max_value",
        "min_length",
        "min_value",
        "pattern",
        "regex",
        "timestamp_format",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        sensitive: bool,
        *,
        min_length: int | None = None,
        max_length: int | None = None,
        min_value: int | float | None = None,
        max_value: int | float | None = None,
        pattern: str | None = None,
        enum: tuple[str, ...] | None = None,
        timestamp_format: str | None = None,
    ) -> None:
        super().__init__(name, kind, sensitive)
        self.min_length = min_length
        self.max_length = max_length
        self.min_value = min_value
        self.max_value = max_value
        self.pattern = pattern
        # None when the pattern is absent or has no Python equivalent (see javaregex).
        self.regex: re.Pattern[str] | None = compile_java(pattern) if pattern else None
        self.enum = enum
        self.timestamp_format = timestamp_format


@dataclass(slots=True)
class Member:
    """A structure member: its model name, shape and how the wire spells it."""

    name: str
    shape: Shape
    # The Query key segment and the XML element name: the member's locationName, or for a
    # flattened list whose member has a locationName, that name (botocore does the same).
    wire_name: str
    # How AWS's validation messages name the member: the model name, first letter lower-cased.
    location: str
    required: bool


class StructureShape(Shape):
    __slots__ = ("members",)

    def __init__(self, name: str, sensitive: bool) -> None:
        super().__init__(name, "structure", sensitive)
        self.members: tuple[Member, ...] = ()


class ListShape(Shape):
    __slots__ = ("flattened", "max_length", "member", "member_wire_name", "min_length")

    def __init__(
        self,
        name: str,
        sensitive: bool,
        *,
        flattened: bool,
        member_wire_name: str,
        min_length: int | None,
        max_length: int | None,
    ) -> None:
        super().__init__(name, "list", sensitive)
        self.member: Shape = _PLACEHOLDER
        self.flattened = flattened
        # The element name inside a non-flattened list (`member` unless the model says otherwise).
        self.member_wire_name = member_wire_name
        self.min_length = min_length
        self.max_length = max_length


class MapShape(Shape):
    __slots__ = (
        "flattened",
        "key",
        "key_wire_name",
        "max_length",
        "min_length",
        "value",
        "value_wire_name",
    )

    def __init__(
        self,
        name: str,
        sensitive: bool,
        *,
        flattened: bool,
        key_wire_name: str,
        value_wire_name: str,
        min_length: int | None,
        max_length: int | None,
    ) -> None:
        super().__init__(name, "map", sensitive)
        self.key: Shape = _PLACEHOLDER
        self.value: Shape = _PLACEHOLDER
        self.flattened = flattened
        self.key_wire_name = key_wire_name
        self.value_wire_name = value_wire_name
        self.min_length = min_length
        self.max_length = max_length


_PLACEHOLDER = Shape("", "placeholder", False)


@dataclass(frozen=True, slots=True)
class ErrorShape:
    code: str
    status: int
    sender: bool


@dataclass(slots=True)
class Operation:
    name: str
    input: StructureShape | None
    output: StructureShape | None
    # The element wrapping the output inside `<{name}Response>`; None when there is no output.
    result_wrapper: str | None
    error_codes: tuple[str, ...]


@dataclass(slots=True)
class ServiceModel:
    name: str
    api_version: str
    xml_namespace: str
    protocol: str
    operations: dict[str, Operation]
    errors: dict[str, ErrorShape] = field(default_factory=dict)


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


class _Builder:
    """Converts botocore shapes, memoised by name and the reference-level traits that matter."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, bool, bool, str], Shape] = {}

    def shape(self, bshape: Any, inherited_sensitive: bool = False) -> Shape:
        # Members of a sensitive structure or list are as secret as their container.
        sensitive = inherited_sensitive or bool(bshape.metadata.get("sensitive", False))
        serialization = bshape.serialization
        key = (
            str(bshape.name),
            sensitive,
            bool(serialization.get("flattened", False)),
            str(serialization.get("timestampFormat", "")),
        )
        built = self._built.get(key)
        if built is not None:
            return built
        kind = str(bshape.type_name)
        meta = bshape.metadata
        if kind == "structure":
            struct = StructureShape(key[0], sensitive)
            self._built[key] = struct  # registered before members: recursive shapes terminate
            required = set(meta.get("required", ()))
            members = []
            for name, mshape in bshape.members.items():
                built_member = self.shape(mshape, sensitive)
                members.append(
                    Member(
                        name=name,
                        shape=built_member,
                        wire_name=_wire_name(mshape, name),
                        location=lower_first(name),
                        required=name in required,
                    )
                )
            struct.members = tuple(members)
            return struct
        if kind == "list":
            lst = ListShape(
                key[0],
                sensitive,
                flattened=bool(bshape.serialization.get("flattened", False)),
                member_wire_name=str(bshape.member.serialization.get("name", "member")),
                min_length=_int_or_none(meta.get("min")),
                max_length=_int_or_none(meta.get("max")),
            )
            self._built[key] = lst
            lst.member = self.shape(bshape.member, sensitive)
            return lst
        if kind == "map":
            mp = MapShape(
                key[0],
                sensitive,
                flattened=bool(bshape.serialization.get("flattened", False)),
                key_wire_name=str(bshape.key.serialization.get("name") or "key"),
                value_wire_name=str(bshape.value.serialization.get("name") or "value"),
                min_length=_int_or_none(meta.get("min")),
                max_length=_int_or_none(meta.get("max")),
            )
            self._built[key] = mp
            mp.key = self.shape(bshape.key, sensitive)
            mp.value = self.shape(bshape.value, sensitive)
            return mp
        if kind not in SCALAR_KINDS:
            raise ValueError(f"shape {bshape.name} has unsupported type {kind}")
        numeric = kind in ("integer", "long", "float", "double")
        enum = getattr(bshape, "enum", None) if kind == "string" else None
        scalar = ScalarShape(
            key[0],
            kind,
            sensitive,
            # botocore puts `min`/`max` in metadata for both lengths and numeric ranges.
            min_length=None if numeric else _int_or_none(meta.get("min")),
            max_length=None if numeric else _int_or_none(meta.get("max")),
            min_value=meta.get("min") if numeric else None,
            max_value=meta.get("max") if numeric else None,
            pattern=meta.get("pattern") if kind == "string" else None,
            enum=tuple(str(v) for v in enum) if enum else None,
            timestamp_format=bshape.serialization.get("timestampFormat"),
        )
        self._built[key] = scalar
        return scalar


def _wire_name(mshape: Any, member_name: str) -> str:
    if mshape.type_name == "list" and mshape.serialization.get("flattened"):
        list_member_name = mshape.member.serialization.get("name")
        if list_member_name:
            return str(list_member_name)
    return str(mshape.serialization.get("name", member_name))


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def load_service_model(service_name: str) -> ServiceModel:
    """Read botocore's model for a service and convert it."""
    return convert_service_model(botocore.session.get_session().get_service_model(service_name))


def convert_service_model(bmodel: Any) -> ServiceModel:
    """Convert a `botocore.model.ServiceModel`: every operation and error shape."""
    builder = _Builder()
    errors: dict[str, ErrorShape] = {}
    for shape_name in bmodel.shape_names:
        bshape = bmodel.shape_for(shape_name)
        if not bshape.metadata.get("exception", False):
            continue
        error_meta = bshape.metadata.get("error") or {}
        # Without an `error` trait the code is the shape name and the status Query's default.
        code = str(error_meta.get("code", shape_name))
        status = int(error_meta.get("httpStatusCode", 400))
        errors[code] = ErrorShape(code, status, bool(error_meta.get("senderFault", status < 500)))
    operations: dict[str, Operation] = {}
    for op_name in bmodel.operation_names:
        bop = bmodel.operation_model(op_name)
        input_shape = builder.shape(bop.input_shape) if bop.input_shape is not None else None
        output_shape = builder.shape(bop.output_shape) if bop.output_shape is not None else None
        assert input_shape is None or isinstance(input_shape, StructureShape)
        assert output_shape is None or isinstance(output_shape, StructureShape)
        wrapper = None
        if output_shape is not None:
            wrapper = str(bop.output_shape.serialization.get("resultWrapper", f"{op_name}Result"))
        error_codes = tuple(
            str((e.metadata.get("error") or {}).get("code", e.name)) for e in bop.error_shapes
        )
        operations[op_name] = Operation(
            name=op_name,
            input=input_shape,
            output=output_shape,
            result_wrapper=wrapper,
            error_codes=error_codes,
        )
    metadata = bmodel.metadata
    return ServiceModel(
        name=str(bmodel.service_name),
        api_version=str(metadata["apiVersion"]),
        xml_namespace=str(metadata.get("xmlNamespace", "")),
        protocol=str(metadata.get("protocol", "")),
        operations=operations,
        errors=errors,
    )
