"""Java regular expressions, as botocore's models carry them, translated for Python's `re`.

AWS evaluates a shape's `pattern` with java.util.regex against the whole value, so the
translation is compiled once and applied with `fullmatch`. The differences that matter for the
models are handled here:

- `\\w`, `\\d`, `\\s`, `\\b` are ASCII-only in Java; the patterns are compiled with `re.ASCII`.
- `\\p{L}`-style Unicode classes (and `\\P{..}`, POSIX `\\p{Alpha}` and friends) do not exist in
  `re`; they become explicit code point ranges built from `unicodedata`.
- `\\x{h..h}` and the models' `\\u10000-\\u10FFFF` (meant as the supplementary planes, though Java
  would read `\\u1000` then `0`) become `\\U` escapes.
- `\\Q..\\E`, `\\z`, `\\Z`, `(?<name>..)` are rewritten to their Python spelling.

Anything else Java-only (nested classes, `&&` intersections, `\\R`, `\\X`, `\\G`, ...) makes the
pattern untranslatable: `compile_java` returns None and the caller skips that check rather than
enforce a different rule than AWS's.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
import warnings

_HEX = frozenset("0123456789abcdefABCDEF")

# Java's POSIX classes are ASCII-only unless UNICODE_CHARACTER_CLASS is set, which AWS doesn't.
_POSIX: dict[str, str] = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}

# Java's \h: horizontal whitespace.
_HORIZONTAL = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"


class Untranslatable(ValueError):
    """A Java construct with no faithful Python equivalent."""


@functools.cache
def _category_table() -> dict[str, tuple[tuple[int, int], ...]]:
    """Code point ranges per Unicode general category (one scan of the code space, ~0.2 s)."""
    table: dict[str, list[tuple[int, int]]] = {}
    start = 0
    for category, run in itertools.groupby(map(unicodedata.category, map(chr, range(0x110000)))):
        length = sum(1 for _ in run)
        table.setdefault(category, []).append((start, start + length - 1))
        start += length
    return {category: tuple(ranges) for category, ranges in table.items()}


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    next_low = 0
    for low, high in ranges:
        if low > next_low:
            out.append((next_low, low - 1))
        next_low = high + 1
    if next_low <= 0x10FFFF:
        out.append((next_low, 0x10FFFF))
    return out


def _escape_cp(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


def _class_text(ranges: list[tuple[int, int]]) -> str:
    return "".join(
        _escape_cp(low) if low == high else f"{_escape_cp(low)}-{_escape_cp(high)}"
        for low, high in ranges
    )


@functools.cache
def _property_class(name: str, negated: bool) -> str:
    """The body of a character class (no brackets) for Java's `\\p{name}` / `\\P{name}`."""
    if name in _POSIX and not negated:
        return _POSIX[name]
    category = name
    for prefix in ("general_category=", "gc=", "Is"):
        if category.startswith(prefix):
            category = category[len(prefix) :]
            break
    table = _category_table()
    if len(category) == 1 and any(key[0] == category for key in table):
        ranges = [r for key, rs in table.items() if key[0] == category for r in rs]
    elif len(category) == 2 and category in table:
        ranges = list(table[category])
    elif category == "LC":  # Java's cased letter
        ranges = [r for key in ("Lu", "Ll", "Lt") for r in table[key]]
    else:
        raise Untranslatable(f"unsupported property class \\p{{{name}}}")
    merged = _merge(ranges)
    return _class_text(_complement(merged) if negated else merged)


def translate(pattern: str) -> str:
    """Python `re` source for a Java pattern; raises `Untranslatable`."""
    out: list[str] = []
    in_class = False
    class_start = 0  # index in `out` where the current class's body starts
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise Untranslatable("trailing backslash")
            e = pattern[i + 1]
            i += 2
            if e in "pP":
                if i < n and pattern[i] == "{":
                    end = pattern.find("}", i)
                    if end < 0:
                        raise Untranslatable("unterminated \\p{")
                    name = pattern[i + 1 : end]
                    i = end + 1
                elif i < n:
                    name = pattern[i]
                    i += 1
                else:
                    raise Untranslatable("dangling \\p")
                if in_class:
                    if e == "P" and name not in _POSIX:
                        out.append(_property_class(name, True))
                    elif e == "P":
                        raise Untranslatable("negated POSIX class inside a class")
                    else:
                        out.append(_property_class(name, False))
                else:
                    body = _property_class(name, e == "P" and name not in _POSIX)
                    negate = "^" if e == "P" and name in _POSIX else ""
                    out.append(f"[{negate}{body}]")
            elif e == "u":
                digits = pattern[i : i + 4]
                if len(digits) != 4 or not set(digits) <= _HEX:
                    raise Untranslatable("malformed \\u escape")
                # The models write the supplementary planes as \u10000-\u10FFFF; read 5-6 hex
                # digits as one code point when that is what the digits can only mean.
                longer = i + 4
                while longer < n and longer < i + 6 and pattern[longer] in _HEX:
                    longer += 1
                wide = int(pattern[i:longer], 16) if longer > i + 4 else 0
                if in_class and 0x10000 <= wide <= 0x10FFFF:
                    out.append(_escape_cp(wide))
                    i = longer
                else:
                    out.append("\\u" + digits)
                    i += 4
            elif e == "x" and i < n and pattern[i] == "{":
                end = pattern.find("}", i)
                digits = pattern[i + 1 : end] if end > 0 else ""
                if not digits or not set(digits) <= _HEX or int(digits, 16) > 0x10FFFF:
                    raise Untranslatable("malformed \\x{..} escape")
                out.append(_escape_cp(int(digits, 16)))
                i = end + 1
            elif e == "Q":
                end = pattern.find("\\E", i)
                literal = pattern[i:] if end < 0 else pattern[i:end]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
            elif e == "z" and not in_class:
                out.append("\\Z")
            elif e == "Z" and not in_class:
                out.append("(?=\\n?\\Z)")
            elif e == "h":
                out.append(_HORIZONTAL if in_class else f"[{_HORIZONTAL}]")
            elif e == "e":
                out.append("\\x1b")
            elif e in "RXGkKcvVHN":
                raise Untranslatable(f"Java-only escape \\{e}")
            else:
                out.append("\\" + e)
            continue
        if in_class:
            if c == "[":
                raise Untranslatable("nested character class")
            if c == "&" and pattern.startswith("&&", i):
                raise Untranslatable("character class intersection")
            if c == "]" and len(out) > class_start:
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append("[")
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            class_start = len(out)
            continue
        if c == "(" and pattern.startswith("(?<", i) and i + 3 < n and pattern[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        out.append(c)
        i += 1
    if in_class:
        raise Untranslatable("unterminated character class")
    return "".join(out)


@functools.cache
def compile_java(pattern: str) -> re.Pattern[str] | None:
    """The compiled translation of a Java pattern, or None when it cannot be translated."""
    try:
        source = translate(pattern)
        # A FutureWarning from `re` flags set syntax (`--`, `||`, `[[`) whose meaning differs from
        # Java's; treat it like any other construct we cannot carry over faithfully.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(source, re.ASCII)
    except (Untranslatable, re.error, FutureWarning, OverflowError, RecursionError):
        return None
