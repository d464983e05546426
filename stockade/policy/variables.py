"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}` `${?}` `${$}`.

A pattern with variables compiles once into a Template; at decision time it is filled from the
request context. A variable with no value and no default leaves the pattern unfillable: it then
matches nothing (IAM User Guide, "Variables and tags").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stockade.policy.patterns import Filled

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_BODY = re.compile(r"\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?")
_LITERALS = frozenset("*?$")

ContextValue = str | Sequence[str]


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower case: variable names are case-insensitive
    default: str | None
    name: str  # as written, for explanations


@dataclass(frozen=True, slots=True)
class Literal:
    """`${*}`, `${?}` or `${$}`: the character itself, never a wildcard."""

    char: str


Part = str | Variable | Literal


@dataclass(frozen=True, slots=True)
class Template:
    """A pattern split into literal text and variables."""

    parts: tuple[Part, ...]

    def unset_keys(self, context: Mapping[str, ContextValue]) -> list[str]:
        """The variables with neither a value in the context nor a default."""
        return [
            part.name
            for part in self.parts
            if isinstance(part, Variable)
            and part.default is None
            and not isinstance(context.get(part.key), str)
        ]

    def fill_pattern(self, context: Mapping[str, ContextValue]) -> Filled | None:
        """The pattern with values in place, or None if a variable has no value.

        Characters that come from values (and from `${*}`, `${?}`) are marked literal, so that
        only the policy author's own `*` and `?` stay wildcards.
        """
        text: list[str] = []
        literal: list[int] = []
        length = 0
        for part in self.parts:
            if isinstance(part, str):
                piece = part
            else:
                if isinstance(part, Literal):
                    piece = part.char
                else:
                    value = context.get(part.key)
                    if not isinstance(value, str):  # absent, or multivalued: no substitution
                        if part.default is None:
                            return None
                        value = part.default
                    piece = value
                literal.extend(range(length, length + len(piece)))
            text.append(piece)
            length += len(piece)
        return Filled("".join(text), frozenset(literal))

    def fill(self, context: Mapping[str, ContextValue]) -> str | None:
        """The plain text with values in place, for exact comparisons; None if one is missing."""
        filled = self.fill_pattern(context)
        return None if filled is None else filled.text


def parse_template(text: str) -> Template | None:
    """Split `text` at its variables; None when it holds none (the common, fast case)."""
    if "${" not in text:
        return None
    parts: list[Part] = []
    position = 0
    found = False
    for match in _VARIABLE.finditer(text):
        body = match.group(1)
        parsed = _BODY.fullmatch(body)
        if body not in _LITERALS and parsed is None:
            continue  # not a variable: the text stays as written
        found = True
        parts.append(text[position : match.start()])
        position = match.end()
        if body in _LITERALS:
            parts.append(Literal(body))
        else:
            assert parsed is not None
            name = parsed.group(1)
            parts.append(Variable(name.lower(), parsed.group(2), name))
    if not found:
        return None
    parts.append(text[position:])
    return Template(tuple(part for part in parts if part != ""))
