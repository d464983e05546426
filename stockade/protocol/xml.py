"""AWS Query responses: botocore-style output dicts to the XML AWS sends, by the output shape.

Each output shape is compiled once into an encoder; serialising appends strings to one list and
joins it. Element names come from the model (locationName, flattened lists and maps), so the
XML is what botocore's own parser expects for the operation.
"""

from __future__ import annotations

import base64
import email.utils
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from stockade.protocol.model import ListShape, MapShape, ScalarShape, Shape, StructureShape

Parts = list[str]

# Text that needs work: markup characters, CR (an XML parser would turn a raw CR into LF), and
# characters XML 1.0 cannot carry at all, even escaped (they become U+FFFD).
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENTS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _replace(match: re.Match[str]) -> str:
    return _REPLACEMENTS.get(match.group(), "\ufffd")


def escape_text(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    return _NEEDS_ESCAPE.sub(_replace, text)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value if value.tzinfo is UTC else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def format_iso8601(value: datetime) -> str:
    """`2026-11-29T08:25:10Z`, with milliseconds only when there are any (as AWS writes them)."""
    # `value` is in UTC: isoformat gives `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`, and slicing that
    # is the cheapest spelling (timestamps are in every listing).
    text = value.isoformat()
    return (text[:23] if value.microsecond else text[:19]) + "Z"


def _format_timestamp(value: Any, timestamp_format: str) -> str:
    moment = _as_datetime(value)
    if moment is None:
        return str(value)  # already text: trust the handler
    if timestamp_format == "unixtimestamp":
        seconds = moment.timestamp()
        return str(int(seconds)) if seconds.is_integer() else f"{seconds:.3f}"
    if timestamp_format == "rfc822":
        return email.utils.format_datetime(moment, usegmt=True)
    return format_iso8601(moment)


def _string_text(value: Any) -> str:
    return escape_text(value if isinstance(value, str) else str(value))


def _boolean_text(value: Any) -> str:
    return "true" if value else "false"


def _integer_text(value: Any) -> str:
    return str(int(value))


def _float_text(value: Any) -> str:
    return repr(float(value))


def _blob_text(value: Any) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")


def _timestamp_text(timestamp_format: str) -> Callable[[Any], str]:
    def text(value: Any) -> str:
        formatted = _format_timestamp(value, timestamp_format)
        # Only text handed in as a timestamp can hold markup; formatted dates cannot.
        return escape_text(formatted) if isinstance(value, str) else formatted

    return text


def _text_function(shape: ScalarShape) -> Callable[[Any], str]:
    kind = shape.kind
    if kind == "string":
        return _string_text
    if kind == "boolean":
        return _boolean_text
    if kind in ("integer", "long"):
        return _integer_text
    if kind in ("float", "double"):
        return _float_text
    if kind == "timestamp":
        return _timestamp_text((shape.timestamp_format or "iso8601").lower())
    return _blob_text


class ScalarEncoder:
    __slots__ = ("text",)

    def __init__(self, shape: ScalarShape) -> None:
        self.text = _text_function(shape)

    def emit(self, parts: Parts, value: Any, open_tag: str, close_tag: str) -> None:
        parts.append(open_tag + self.text(value) + close_tag)


class StructureEncoder:
    __slots__ = ("_members",)

    def __init__(self) -> None:
        # (member name, open tag, close tag, text function for scalars else None, encoder):
        # filled in by compile_encoder.
        self._members: tuple[tuple[str, str, str, Callable[[Any], str] | None, Encoder], ...] = ()

    def body(self, parts: Parts, value: Mapping[str, Any]) -> None:
        get = value.get
        append = parts.append
        search = _NEEDS_ESCAPE.search
        for name, open_tag, close_tag, text, encoder in self._members:
            member = get(name)
            if member is None:
                continue
            # Scalars, most of them plain strings, are written inline: this loop is the hot
            # path of every large listing.
            if text is _string_text and isinstance(member, str) and search(member) is None:
                append(open_tag + member + close_tag)
            elif text is not None:
                append(open_tag + text(member) + close_tag)
            else:
                encoder.emit(parts, member, open_tag, close_tag)

    def emit(self, parts: Parts, value: Any, open_tag: str, close_tag: str) -> None:
        parts.append(open_tag)
        self.body(parts, value)
        parts.append(close_tag)


class ListEncoder:
    __slots__ = ("_close", "_flattened", "_item", "_open")

    def __init__(self, shape: ListShape) -> None:
        self._flattened = shape.flattened
        self._open = f"<{shape.member_wire_name}>"
        self._close = f"</{shape.member_wire_name}>"
        self._item: Encoder = _UNSET

    def emit(self, parts: Parts, value: Any, open_tag: str, close_tag: str) -> None:
        item = self._item
        if self._flattened:
            # Each element is an element of the enclosing structure, named like the member.
            for element in value:
                if element is not None:
                    item.emit(parts, element, open_tag, close_tag)
            return
        parts.append(open_tag)
        item_open = self._open
        item_close = self._close
        for element in value:
            if element is not None:
                item.emit(parts, element, item_open, item_close)
        parts.append(close_tag)


class MapEncoder:
    __slots__ = ("_flattened", "_key", "_key_tags", "_value", "_value_tags")

    def __init__(self, shape: MapShape) -> None:
        self._flattened = shape.flattened
        self._key_tags = (f"<{shape.key_wire_name}>", f"</{shape.key_wire_name}>")
        self._value_tags = (f"<{shape.value_wire_name}>", f"</{shape.value_wire_name}>")
        self._key: Encoder = _UNSET
        self._value: Encoder = _UNSET

    def emit(self, parts: Parts, value: Any, open_tag: str, close_tag: str) -> None:
        key_open, key_close = self._key_tags
        value_open, value_close = self._value_tags
        entry_open, entry_close = (
            (open_tag, close_tag) if self._flattened else ("<entry>", "</entry>")
        )
        if not self._flattened:
            parts.append(open_tag)
        for key, item in value.items():
            if item is None:
                continue
            parts.append(entry_open)
            self._key.emit(parts, key, key_open, key_close)
            self._value.emit(parts, item, value_open, value_close)
            parts.append(entry_close)
        if not self._flattened:
            parts.append(close_tag)


Encoder = ScalarEncoder | StructureEncoder | ListEncoder | MapEncoder
_UNSET = StructureEncoder()  # placeholder until compile_encoder fills the real one in


def compile_encoder(shape: Shape, cache: dict[int, Encoder] | None = None) -> Encoder:
    """The encoder for a shape; `cache` shares encoders between operations of one service."""
    if cache is None:
        cache = {}
    found = cache.get(id(shape))
    if found is not None:
        return found
    if isinstance(shape, ScalarShape):
        scalar = ScalarEncoder(shape)
        cache[id(shape)] = scalar
        return scalar
    if isinstance(shape, ListShape):
        lst = ListEncoder(shape)
        cache[id(shape)] = lst
        lst._item = compile_encoder(shape.member, cache)
        return lst
    if isinstance(shape, MapShape):
        mp = MapEncoder(shape)
        cache[id(shape)] = mp
        mp._key = compile_encoder(shape.key, cache)
        mp._value = compile_encoder(shape.value, cache)
        return mp
    if not isinstance(shape, StructureShape):
        raise TypeError(f"cannot encode shape {shape.name} of kind {shape.kind}")
    struct = StructureEncoder()
    cache[id(shape)] = struct
    members = []
    for member in shape.members:
        encoder = compile_encoder(member.shape, cache)
        text = encoder.text if isinstance(encoder, ScalarEncoder) else None
        members.append(
            (member.name, f"<{member.wire_name}>", f"</{member.wire_name}>", text, encoder)
        )
    struct._members = tuple(members)
    return struct


def response_document(
    action: str,
    namespace: str,
    result_wrapper: str | None,
    encoder: StructureEncoder | None,
    result: Mapping[str, Any] | None,
    request_id: str,
) -> bytes:
    parts: Parts = [f'<{action}Response xmlns="{namespace}">']
    if result_wrapper is not None and encoder is not None:
        parts.append(f"<{result_wrapper}>")
        if result:
            encoder.body(parts, result)
        parts.append(f"</{result_wrapper}>")
    parts.append("<ResponseMetadata><RequestId>")
    parts.append(escape_text(request_id))
    parts.append(f"</RequestId></ResponseMetadata></{action}Response>")
    return "".join(parts).encode("utf-8")


def error_document(namespace: str, sender: bool, code: str, message: str, request_id: str) -> bytes:
    fault = "Sender" if sender else "Receiver"
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{fault}</Type>'
        f"<Code>{escape_text(code)}</Code><Message>{escape_text(message)}</Message></Error>"
        f"<RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>"
    ).encode()
