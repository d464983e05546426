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
from collections.abc import Iterable
from enum import Enum

# Policy variables may insert `*` and `?` that must match only themselves (`${*}`, or a value that
# holds one). Substitution writes them as these two private characters, which match literally.
LITERAL_STAR = "\x00"
LITERAL_QUESTION = "\x01"


class Mode(Enum):
    ACTION = "action"
    RESOURCE = "resource"
    ARN_CONDITION = "arn-condition"
    STRING_LIKE = "string-like"


def _escape(char: str) -> str:
    if char == LITERAL_STAR:
        return re.escape("*")
    if char == LITERAL_QUESTION:
        return re.escape("?")
    return re.escape(char)


def _glob_atoms(text: str, star: str, question: str, trailing_star: str) -> list[str]:
    atoms: list[str] = []
    last = len(text) - 1
    for i, char in enumerate(text):
        if char == "*":
            atom = trailing_star if i == last else star
            if atoms and atoms[-1] == atom:
                continue  # `**` means the same as `*`; keep the regex from backtracking twice
            atoms.append(atom)
        elif char == "?":
            atoms.append(question)
        else:
            atoms.append(_escape(char))
    return atoms


def pattern_atoms(pattern: str, mode: Mode) -> list[str]:
    """The regex pieces of one pattern, one per character, for joining or merging into a trie."""
    if mode is Mode.ACTION:
        return _glob_atoms(pattern.lower(), ".*", ".", ".*")
    if mode is Mode.STRING_LIKE:
        return _glob_atoms(pattern, ".*", ".", ".*")
    segments = pattern.split(":", 5)
    atoms: list[str] = []
    for number, segment in enumerate(segments):
        if number:
            atoms.append(":")
        if number == 5:
            atoms += _glob_atoms(segment, ".*", ".", ".*")
        elif mode is Mode.RESOURCE:
            atoms += _glob_atoms(segment, "[^:]*", "[^:]", ".*")
        else:
            atoms += _glob_atoms(segment, "[^:]*", "[^:]", "[^:]*")
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


def compile_patterns(patterns: Iterable[str], mode: Mode) -> re.Pattern[str]:
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
