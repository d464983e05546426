"""A strict JSON reader that remembers where each value starts.

The standard `json` module loses positions, and explanations must point at the line and column of
the statement that decided. This reader returns plain Python values plus a map from each value's
path (`("Statement", 0, "Condition")`) to its 1-based (line, column). It rejects what AWS rejects
as "Syntax errors in policy.": NaN/Infinity, trailing garbage, control characters in strings.
"""

from __future__ import annotations

import json.decoder
import re
from typing import Any

Path = tuple[str | int, ...]
Positions = dict[Path, tuple[int, int]]

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_WHITESPACE = " \t\n\r"
_MAX_DEPTH = 64
# The standard library's own string scanner (C-accelerated); typeshed does not declare it.
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009


class JSONSyntaxError(ValueError):
    """Raised for any text that is not one strict JSON value; says where."""

    def __init__(self, what: str, line: int, column: int) -> None:
        super().__init__(f"{what} at line {line}, column {column}")
        self.line = line
        self.column = column


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.positions: Positions = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self._line_starts[lo] + 1

    def skip_whitespace(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def fail(self, what: str) -> JSONSyntaxError:
        return JSONSyntaxError(what, *self.where(self.pos))

    def value(self, path: Path, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail("nesting too deep")
        self.skip_whitespace()
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of document")
        self.positions[path] = self.where(self.pos)
        char = self.text[self.pos]
        if char == "{":
            return self.object(path, depth)
        if char == "[":
            return self.array(path, depth)
        if char == '"':
            return self.string()
        for literal, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, self.pos):
                self.pos += len(literal)
                return result
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.fail("unexpected character")
        token = match.group()
        try:
            number = float(token) if any(c in token for c in ".eE") else int(token)
        except ValueError:  # past Python's limit on digits in an integer
            raise self.fail("number too long") from None
        self.pos = match.end()
        return number

    def string(self) -> str:
        try:
            result, self.pos = _scanstring(self.text, self.pos + 1, True)
        except ValueError as exc:
            raise self.fail("bad string") from exc
        return str(result)

    def object(self, path: Path, depth: int) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        self.skip_whitespace()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return result
        while True:
            self.skip_whitespace()
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a member name")
            key = self.string()
            self.skip_whitespace()
            if not self.text.startswith(":", self.pos):
                raise self.fail("expected ':'")
            self.pos += 1
            result[key] = self.value((*path, key), depth + 1)
            self.skip_whitespace()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            else:
                raise self.fail("expected ',' or '}'")

    def array(self, path: Path, depth: int) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        self.skip_whitespace()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return result
        while True:
            result.append(self.value((*path, len(result)), depth + 1))
            self.skip_whitespace()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            else:
                raise self.fail("expected ',' or ']'")


def load_with_positions(text: str) -> tuple[Any, Positions]:
    """Parse `text` as one strict JSON value; return it and the position of every value in it."""
    reader = _Reader(text)
    result = reader.value((), 0)
    reader.skip_whitespace()
    if reader.pos != len(text):
        raise reader.fail("unexpected text after the document")
    return result, reader.positions
