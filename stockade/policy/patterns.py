"""Wildcard patterns compiled to anchored regular expressions.

Four matching rules, from the IAM User Guide (see docs/policy-engine.md):
- actions: `*` and `?` over the whole `service:name`, case-insensitive;
- resources: case-sensitive and segment-wise: `*`/`?` stay inside a `:`-segment, except that a `*`
  ending a segment may run past colons; in the sixth segment (the resource id) `*` spans anything;
- ArnLike/ArnEquals conditions: segment-wise with no overflow, so the segment counts must agree;
- StringLike conditions: `*`/`?` anywhere over the whole string.
Every other character is literal. Patterns sharing prefixes are merged into one regex by a trie,
so matching many patterns costs one pass over the candidate, not one pass per pattern.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Filled:
    """A pattern after policy-variable substitution. The characters at `literal` positions came
    from a value or from `${*}`/`${?}`: a `*` or `?` there matches only itself."""

    text: str
    literal: frozenset[int]


PatternText = str | Filled
_NONE: frozenset[int] = frozenset()


class Mode(Enum):
    ACTION = "action"
    RESOURCE = "resource"
    ARN_CONDITION = "arn-condition"
    STRING_LIKE = "string-like"


def _glob_atoms(
    text: str,
    start: int,
    literal: Container[int],
    wildcards: tuple[str, str, str],
) -> list[str]:
    """Regex atoms for `text`, which begins at position `start` of the whole pattern.

    `wildcards` is what `*`, `?` and a `*` ending the text become.
    """
    star, question, trailing_star = wildcards
    atoms: list[str] = []
    last = len(text) - 1
    for i, char in enumerate(text):
        if start + i in literal or char not in "*?":
            atoms.append(re.escape(char))
        elif char == "?":
            atoms.append(question)
        else:
            atom = trailing_star if i == last else star
            if atoms and atoms[-1] == atom:
                continue  # `**` means the same as `*`; keep the regex from backtracking twice
            atoms.append(atom)
    return atoms


_ANYTHING = (".*", ".", ".*")
_IN_SEGMENT = {
    Mode.RESOURCE: ("[^:]*", "[^:]", ".*"),  # a `*` ending a segment may run past colons
    Mode.ARN_CONDITION: ("[^:]*", "[^:]", "[^:]*"),
}


def pattern_atoms(pattern: PatternText, mode: Mode) -> list[str]:
    """The regex pieces of one pattern, one per character, for joining or merging into a trie."""
    text, literal = (
        (pattern, _NONE) if isinstance(pattern, str) else (pattern.text, pattern.literal)
    )
    if mode is Mode.ACTION:
        return _glob_atoms(text.lower(), 0, literal, _ANYTHING)
    if mode is Mode.STRING_LIKE:
        return _glob_atoms(text, 0, literal, _ANYTHING)
    atoms: list[str] = []
    start = 0
    for number, segment in enumerate(text.split(":", 5)):
        if number:
            atoms.append(":")
        wildcards = _ANYTHING if number == 5 else _IN_SEGMENT[mode]
        atoms += _glob_atoms(segment, start, literal, wildcards)
        start += len(segment) + 1
    return atoms


_END = ""


def union_regex(patterns: Iterable[list[str]]) -> str:
    """One regex source matching any of the patterns, their common prefixes factored out."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for atoms in patterns:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[_END] = {}
    if not trie:
        return "(?!)"  # no pattern: match nothing
    return _emit(trie)


def _emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    pieces: list[str] = []
    while len(node) == 1 and _END not in node:
        ((atom, node),) = node.items()
        pieces.append(atom)
    if len(node) == 1:  # only the end marker: the pattern stops here
        return "".join(pieces)
    branches = [_END if atom == _END else atom + _emit(child) for atom, child in node.items()]
    branches.sort(key=lambda branch: branch == _END)  # try longer matches first
    return "".join(pieces) + "(?:" + "|".join(branches) + ")"


def compile_patterns(patterns: Iterable[PatternText], mode: Mode) -> re.Pattern[str]:
    """A compiled regex that fully matches any of `patterns` under `mode`'s rules."""
    return re.compile(union_regex(pattern_atoms(p, mode) for p in patterns), re.DOTALL)


def is_match_all(pattern: str) -> bool:
    """`*` alone matches every action or resource."""
    return pattern == "*"


def action_service(pattern: str) -> str | None:
    """The lower-case service prefix of an action pattern; None when the prefix has a wildcard."""
    service, _, _ = pattern.lower().partition(":")
    if "*" in service or "?" in service:
        return None
    return service
