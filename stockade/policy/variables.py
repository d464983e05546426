"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}` `${?}` `${$}`.

A pattern with variables compiles once into a Template; at decision time it is filled from the
request context. A variable with no value and no default leaves the pattern unfillable: it then
matches nothing (IAM User Guide, "Variables and tags").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stockade.policy.patterns import LITERAL_QUESTION, LITERAL_STAR

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_BODY = re.compile(r"\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?")
_LITERALS = {"*": LITERAL_STAR, "?": LITERAL_QUESTION, "$": "$"}

ContextValue = str | Sequence[str]


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower case: variable names are case-insensitive
    default: str | None
    name: str  # as written, for explanations


Part = str | Variable


@dataclass(frozen=True, slots=True)
class Template:
    """A pattern split into literal text and variables."""

    parts: tuple[Part, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(part.key for part in self.parts if isinstance(part, Variable))

    def unset_keys(self, context: Mapping[str, ContextValue]) -> list[str]:
        """The variables with neither a value in the context nor a default."""
        return [
            part.name
            for part in self.parts
            if isinstance(part, Variable)
            and part.default is None
            and not isinstance(context.get(part.key), str)
        ]

    def fill(self, context: Mapping[str, ContextValue], *, glob: bool) -> str | None:
        """The pattern with values in place, or None if a variable has no value.

        With `glob`, `*` and `?` that come from values (or `${*}`/`${?}`) are marked literal, so
        that only the policy author's own wildcards stay wildcards.
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = context.get(part.key)
            if not isinstance(value, str):  # absent, or a multivalued key: no substitution
                if part.default is None:
                    return None
                value = part.default
            if glob:
                value = value.replace("*", LITERAL_STAR).replace("?", LITERAL_QUESTION)
            out.append(value)
        filled = "".join(out)
        if not glob:
            filled = filled.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")
        return filled


def parse_template(text: str) -> Template | None:
    """Split `text` at its variables; None when it holds none (the common, fast case)."""
    if "${" not in text:
        return None
    parts: list[Part] = []
    position = 0
    found = False
    for match in _VARIABLE.finditer(text):
        body = match.group(1)
        literal = _LITERALS.get(body)
        parsed = _BODY.fullmatch(body)
        if literal is None and parsed is None:
            continue  # not a variable: the text stays as written
        found = True
        parts.append(text[position : match.start()])
        position = match.end()
        if literal is not None:
            parts.append(literal)
        else:
            assert parsed is not None
            name = parsed.group(1)
            parts.append(Variable(name.lower(), parsed.group(2), name))
    if not found:
        return None
    parts.append(text[position:])
    return Template(tuple(part for part in parts if part != ""))
