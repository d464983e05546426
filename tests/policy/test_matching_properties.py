"""Property tests: the engine's compiled wildcard matchers agree with a slow reference matcher.

The reference below is written straight from the documented matching rules (IAM User Guide,
Action / Resource / Condition operator pages) as a backtracking glob over explicit tokens. It
shares no code with `stockade.policy.patterns`, which translates each pattern to a regular
expression and merges many patterns into one regex through a prefix trie.

Rules under test:
- Action: `*` any run, `?` exactly one character, over the whole `service:name`, case-insensitive.
- Resource: case-sensitive; the pattern splits at `:` into at most six segments (the sixth, the
  resource id, keeps its colons); in segments 1-5 `*`/`?` stay inside the segment, except that a
  `*` that is the last character of a segment may run past colons; in the sixth segment `*` spans
  anything and `?` is any one character.
- ArnLike / ArnEquals: the six `:`-segments of pattern and value are matched one by one and their
  counts must agree; only the sixth segment may hold colons.
- StringLike: `*`/`?` over the whole string, case-sensitive.
Every other character is literal, and so is every character a policy variable puts in a pattern
(`${aws:PrincipalTag/team}` whose value holds a `*` matches only a `*` there).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stockade.policy import (
    Outcome,
    Policies,
    PolicySet,
    Principal,
    Request,
    evaluate,
    explain,
    parse_policy,
)
from stockade.policy.patterns import Mode, compile_patterns

# -- the reference matcher ---------------------------------------------------------------------

CharTest = Callable[[str], bool]


def any_char(_char: str) -> bool:
    return True


def not_colon(char: str) -> bool:
    return char != ":"


@dataclass(frozen=True)
class Literal:
    """Matches exactly this one character."""

    char: str


@dataclass(frozen=True)
class AnyOne:
    """Matches one character the test accepts (`?`)."""

    accepts: CharTest


@dataclass(frozen=True)
class AnyRun:
    """Matches zero or more characters the test accepts (`*`)."""

    accepts: CharTest


Token = Literal | AnyOne | AnyRun


def glob_match(tokens: Sequence[Token], value: str) -> bool:
    """Backtracking match of a token list against the whole of `value`."""

    @cache
    def match_from(token_index: int, value_index: int) -> bool:
        if token_index == len(tokens):
            return value_index == len(value)
        token = tokens[token_index]
        at_end = value_index == len(value)
        if isinstance(token, Literal):
            return (
                not at_end
                and value[value_index] == token.char
                and match_from(token_index + 1, value_index + 1)
            )
        if isinstance(token, AnyOne):
            return (
                not at_end
                and token.accepts(value[value_index])
                and match_from(token_index + 1, value_index + 1)
            )
        # AnyRun: match nothing, or take one acceptable character and stay on this token.
        if match_from(token_index + 1, value_index):
            return True
        return (
            not at_end
            and token.accepts(value[value_index])
            and match_from(token_index, value_index + 1)
        )

    return match_from(0, 0)


NO_LITERALS: frozenset[int] = frozenset()


def wildcard_tokens(
    text: str, start: int, literal: frozenset[int], accepts: CharTest, trailing_star: CharTest
) -> list[Token]:
    """Tokens for `text`, which begins at position `start` of the whole pattern.

    `*` and `?` become wildcards taking characters `accepts` allows (a `*` ending the text:
    `trailing_star`), except at `literal` positions: those characters were substituted from a
    policy variable and stand for themselves. Every other character is literal.
    """
    tokens: list[Token] = []
    last = len(text) - 1
    for offset, char in enumerate(text):
        if start + offset in literal or char not in "*?":
            tokens.append(Literal(char))
        elif char == "?":
            tokens.append(AnyOne(accepts))
        else:
            tokens.append(AnyRun(trailing_star if offset == last else accepts))
    return tokens


def reference_action_match(
    pattern: str, action: str, literal: frozenset[int] = NO_LITERALS
) -> bool:
    tokens = wildcard_tokens(pattern.lower(), 0, literal, any_char, any_char)
    return glob_match(tokens, action.lower())


def reference_string_like(pattern: str, value: str, literal: frozenset[int] = NO_LITERALS) -> bool:
    return glob_match(wildcard_tokens(pattern, 0, literal, any_char, any_char), value)


def reference_resource_match(
    pattern: str, resource: str, literal: frozenset[int] = NO_LITERALS
) -> bool:
    tokens: list[Token] = []
    start = 0
    for number, segment in enumerate(pattern.split(":", 5)):
        if number:
            tokens.append(Literal(":"))
        if number == 5:  # the resource id: wildcards span anything
            tokens += wildcard_tokens(segment, start, literal, any_char, any_char)
        else:  # inside the segment, but a `*` ending the segment may run past colons
            tokens += wildcard_tokens(segment, start, literal, not_colon, any_char)
        start += len(segment) + 1
    return glob_match(tokens, resource)


def reference_arn_like(pattern: str, value: str, literal: frozenset[int] = NO_LITERALS) -> bool:
    pattern_segments = pattern.split(":", 5)
    value_segments = value.split(":", 5)
    if len(pattern_segments) != len(value_segments):
        return False
    start = 0
    for number, (pattern_segment, value_segment) in enumerate(
        zip(pattern_segments, value_segments, strict=True)
    ):
        accepts = any_char if number == 5 else not_colon
        tokens = wildcard_tokens(pattern_segment, start, literal, accepts, accepts)
        if not glob_match(tokens, value_segment):
            return False
        start += len(pattern_segment) + 1
    return True


REFERENCE: dict[Mode, Callable[[str, str, frozenset[int]], bool]] = {
    Mode.ACTION: reference_action_match,
    Mode.RESOURCE: reference_resource_match,
    Mode.ARN_CONDITION: reference_arn_like,
    Mode.STRING_LIKE: reference_string_like,
}


def engine_match(patterns: Sequence[str], mode: Mode, value: str) -> bool:
    """The engine's answer; for actions the caller lower-cases the request (Request.action_key)."""
    candidate = value.lower() if mode is Mode.ACTION else value
    return compile_patterns(patterns, mode).fullmatch(candidate) is not None


# -- the reference checked by hand: it must be right before it can judge the engine -----------

HAND_CASES: list[tuple[Mode, str, str, bool]] = [
    (Mode.ACTION, "iam:*AccessKey*", "iam:ListAccessKeys", True),
    (Mode.ACTION, "iam:*AccessKey*", "iam:ListUsers", False),
    (Mode.ACTION, "IAM:listaccesskeys", "iam:ListAccessKeys", True),
    (Mode.ACTION, "iam:Get?ser", "iam:GetUser", True),
    (Mode.ACTION, "iam:Get?ser", "iam:GetUsser", False),
    (Mode.ACTION, "s3:Get.bject", "s3:GetObject", False),
    (Mode.ACTION, "s3:*", "s3:", True),
    (
        Mode.RESOURCE,
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:user/Alice",
        False,
    ),
    (
        Mode.RESOURCE,
        "arn:aws:iam::111122223333:user/*",
        "arn:aws:iam::111122223333:user/a/b/c",
        True,
    ),
    (Mode.RESOURCE, "arn:aws:s3:::bucket/???.txt", "arn:aws:s3:::bucket/abc.txt", True),
    (Mode.RESOURCE, "arn:aws:s3:::bucket/???.txt", "arn:aws:s3:::bucket/abcd.txt", False),
    (Mode.RESOURCE, "arn:aws:s3:::bucket/a.c", "arn:aws:s3:::bucket/abc", False),
    (Mode.RESOURCE, "arn:aws:ec2:*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", True),
    (Mode.RESOURCE, "arn:aws:ec2:us-*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", True),
    (
        Mode.RESOURCE,
        "arn:aws:ec2:*-1:111122223333:instance/*",
        "arn:aws:ec2:us:x-1:111122223333:instance/i",
        False,
    ),
    (Mode.RESOURCE, "arn:aws:ec2:us-?ast-1:*:*", "arn:aws:ec2:us-east-1:1:instance/i", True),
    (Mode.RESOURCE, "arn:aws:ec2:us-?east-1:*:*", "arn:aws:ec2:us-:east-1:1:i", False),
    (
        Mode.RESOURCE,
        "arn:aws:logs:*:*:log-group:*",
        "arn:aws:logs:eu-west-1:1:log-group:g:log-stream:s",
        True,
    ),
    (Mode.RESOURCE, "arn:aws:s3:::bucket/a?c", "arn:aws:s3:::bucket/a:c", True),
    (
        Mode.ARN_CONDITION,
        "arn:aws:iam::*:role/Dev*",
        "arn:aws:iam::111122223333:role/Developer",
        True,
    ),
    (Mode.ARN_CONDITION, "arn:aws:*", "arn:aws:iam::111122223333:role/Dev", False),
    (Mode.ARN_CONDITION, "arn:aws:*:*:*:*", "arn:aws:iam::111122223333:role/a:b", True),
    (Mode.ARN_CONDITION, "arn:aws:s3:*:*:bucket", "arn:aws:s3:::bucket", True),
    (
        Mode.ARN_CONDITION,
        "arn:aws:iam::111122223333:role/dev",
        "arn:aws:iam::111122223333:role/Dev",
        False,
    ),
    (Mode.STRING_LIKE, "arn:aws:*", "arn:aws:iam::111122223333:role/Dev", True),
    (Mode.STRING_LIKE, "home/?", "home/ab", False),
    (Mode.STRING_LIKE, "home/*", "HOME/x", False),
    (Mode.STRING_LIKE, "a+b", "aab", False),
    (Mode.STRING_LIKE, "(a|b)", "a", False),
    (Mode.STRING_LIKE, "[ab]", "[ab]", True),
]


@pytest.mark.parametrize(
    ("mode", "pattern", "value", "expected"),
    HAND_CASES,
    ids=[f"{mode.value}:{pattern}~{value}" for mode, pattern, value, _ in HAND_CASES],
)
def test_reference_and_engine_on_documented_examples(
    mode: Mode, pattern: str, value: str, expected: bool
) -> None:
    assert REFERENCE[mode](pattern, value, NO_LITERALS) is expected
    assert engine_match([pattern], mode, value) is expected


# -- generated patterns and values -------------------------------------------------------------

# Characters that stress the translation: wildcards, the segment separator, regex syntax, case
# pairs, characters whose case mapping is unusual, and control characters.
TRICKY = [
    "a", "b", "A", "B", "z", "0", "9", ":", "/", "*", "?", ".", "-", "_", "+", "(", ")", "[",
    "]", "{", "}", "\\", "$", "^", "|", "#", " ", "\n", "é", "É", "ß", "İ", "\u0131", "Σ", "ς",
    "ǅ", "日", "\U0001f600", "\x00", "\x01",
]  # fmt: skip
OTHER_CHARACTERS = st.characters(exclude_categories=["Cs"])


def weighted(*branches: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A union of character strategies that keeps its weights.

    Given a plain union of single characters as a text alphabet, hypothesis merges it into one
    wide character range, where `*` and `:` become rare; the map keeps the branches apart.
    """
    return st.one_of(*branches).map(str)


# Mostly the tricky characters, wildcards and `:` weighted up; now and then any character at all.
PATTERN_CHARACTER = weighted(
    st.sampled_from(TRICKY + ["*", "?", ":"] * 4),
    st.sampled_from(["*", "*", "?", ":", "a", "/"]),
    OTHER_CHARACTERS,
)
FILL_CHARACTER = weighted(st.sampled_from(TRICKY), st.sampled_from(TRICKY), OTHER_CHARACTERS)
# What a `*` is filled with: separators often, so that crossing a `:` or `/` is tried a lot.
FILL_TEXT = st.one_of(
    st.text(alphabet=FILL_CHARACTER, max_size=5),
    st.text(alphabet=st.sampled_from([":", "/", "a", "B", "."]), max_size=5),
    st.sampled_from([":", "a:b", "::", "x/y:z"]),
)

SEGMENT = st.text(alphabet=PATTERN_CHARACTER, max_size=6)
WHOLE_PATTERN = st.text(alphabet=PATTERN_CHARACTER, max_size=16)
ARN_SHAPED_PATTERN = st.lists(SEGMENT, min_size=1, max_size=8).map(":".join)
PATTERNS: dict[Mode, st.SearchStrategy[str]] = {
    Mode.ACTION: st.one_of(WHOLE_PATTERN, st.tuples(SEGMENT, SEGMENT).map(":".join)),
    Mode.RESOURCE: st.one_of(ARN_SHAPED_PATTERN, WHOLE_PATTERN).filter(lambda p: p != "*"),
    Mode.ARN_CONDITION: st.one_of(ARN_SHAPED_PATTERN, WHOLE_PATTERN),
    Mode.STRING_LIKE: st.one_of(WHOLE_PATTERN, ARN_SHAPED_PATTERN),
}


@st.composite
def value_for(draw: st.DrawFn, pattern: str, mode: Mode) -> str:
    """A value built from the pattern (wildcards filled in, sometimes slightly wrong) or free text.

    Filling the wildcards makes matches common, so both outcomes are exercised; the fill text may
    hold `:` and `/`, so whether a wildcard may cross a segment boundary is exercised too.
    """
    if draw(st.integers(0, 5)) == 0:
        return draw(st.text(alphabet=FILL_CHARACTER, max_size=24))
    pieces: list[str] = []
    for char in pattern:
        if char == "*":
            pieces.append(draw(FILL_TEXT))
        elif char == "?":
            pieces.append(draw(FILL_CHARACTER))
        elif mode is Mode.ACTION and draw(st.booleans()):
            pieces.append(char.swapcase())
        else:
            pieces.append(char)
    value = "".join(pieces)
    mutation = draw(st.sampled_from(["none", "none", "insert", "delete", "swapcase"]))
    if value and mutation != "none":
        position = draw(st.integers(0, len(value) - 1))
        if mutation == "insert":
            value = value[:position] + draw(FILL_CHARACTER) + value[position:]
        elif mutation == "delete":
            value = value[:position] + value[position + 1 :]
        else:
            value = value[:position] + value[position].swapcase() + value[position + 1 :]
    return value


PROPERTY_SETTINGS = settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_single_pattern(mode: Mode, data: st.DataObject) -> None:
    pattern = data.draw(PATTERNS[mode], label="pattern")
    value = data.draw(value_for(pattern, mode), label="value")
    expected = REFERENCE[mode](pattern, value, NO_LITERALS)
    event("matches" if expected else "does not match")
    assert engine_match([pattern], mode, value) is expected, (
        f"{mode.value} pattern {pattern!r} on {value!r}: reference says {expected}"
    )


@PROPERTY_SETTINGS
@given(data=st.data())
def test_action_matching_agrees_with_reference(data: st.DataObject) -> None:
    check_single_pattern(Mode.ACTION, data)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_resource_matching_agrees_with_reference(data: st.DataObject) -> None:
    check_single_pattern(Mode.RESOURCE, data)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_arn_condition_matching_agrees_with_reference(data: st.DataObject) -> None:
    check_single_pattern(Mode.ARN_CONDITION, data)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_string_like_matching_agrees_with_reference(data: st.DataObject) -> None:
    check_single_pattern(Mode.STRING_LIKE, data)


# -- merged pattern sets (the prefix trie of patterns.union_regex) ------------------------------

# A small alphabet makes shared prefixes, and so real trie branching, common.
SMALL_PATTERN = st.text(
    alphabet=st.sampled_from(["a", "b", "A", ":", "/", "*", "?", "."]), max_size=10
)


@st.composite
def pattern_sets(draw: st.DrawFn, mode: Mode) -> list[str]:
    if draw(st.booleans()):
        prefix = draw(SMALL_PATTERN)
        suffixes = draw(st.lists(SMALL_PATTERN, min_size=1, max_size=6))
        patterns = [prefix + suffix for suffix in suffixes]
    else:
        patterns = draw(st.lists(st.one_of(SMALL_PATTERN, PATTERNS[mode]), min_size=1, max_size=6))
    if mode is Mode.RESOURCE:
        patterns = [pattern for pattern in patterns if pattern != "*"] or ["a*"]
    return patterns


@PROPERTY_SETTINGS
@given(data=st.data(), mode=st.sampled_from(list(Mode)))
def test_merged_pattern_set_matches_iff_some_pattern_matches(
    data: st.DataObject, mode: Mode
) -> None:
    patterns = data.draw(pattern_sets(mode), label="patterns")
    source = data.draw(st.sampled_from(patterns), label="value built from")
    value = data.draw(value_for(source, mode), label="value")
    reference = REFERENCE[mode]
    expected = any(reference(pattern, value, NO_LITERALS) for pattern in patterns)
    event("matches" if expected else "does not match")
    assert engine_match(patterns, mode, value) is expected, (
        f"{mode.value} patterns {patterns!r} on {value!r}: reference says {expected}"
    )
    # The merged regex must also agree with the patterns compiled one at a time.
    assert expected is any(engine_match([pattern], mode, value) for pattern in patterns)


@pytest.mark.parametrize("mode", list(Mode), ids=lambda mode: mode.value)
def test_merged_set_with_shared_prefixes_and_ends(mode: Mode) -> None:
    """A trie node that is both the end of one pattern and the start of others."""
    patterns = ["ab", "ab*", "abc", "a?c", "abcd"]
    for value, expected in [("ab", True), ("abx", True), ("axc", True), ("a", False)]:
        assert engine_match(patterns, mode, value) is expected, value
        assert any(REFERENCE[mode](p, value, NO_LITERALS) for p in patterns) is expected, value


@pytest.mark.parametrize("mode", list(Mode), ids=lambda mode: mode.value)
def test_empty_pattern_set_matches_nothing(mode: Mode) -> None:
    """No pattern at all matches nothing, not even the empty string.

    The engine compiles an empty set when every value of a StringLike/ArnLike condition is a
    policy variable with no value ("the variable matches nothing", IAM User Guide, Variables).
    """
    for value in ["", "a", "arn:aws:s3:::b"]:
        assert engine_match([], mode, value) is False, repr(value)


@pytest.mark.parametrize("mode", list(Mode), ids=lambda mode: mode.value)
def test_every_non_wildcard_character_is_literal(mode: Mode) -> None:
    """U+0000 and U+0001 are characters like any other in a policy (JSON can carry them).

    The engine once used them as private markers for a `*`/`?` that came from a policy variable,
    so a pattern written with them matched a literal `*` or `?` instead of themselves.
    """
    for private in ["\x00", "\x01"]:
        pattern = f"a{private}b"
        assert engine_match([pattern], mode, f"a{private}b") is True, repr(pattern)
        assert engine_match([pattern], mode, "a*b") is False, repr(pattern)
        assert engine_match([pattern], mode, "a?b") is False, repr(pattern)


# -- characters substituted from policy variables are literal -----------------------------------

VARIABLE = "${aws:PrincipalTag/v}"
# Pattern text around the variable: anything but another variable.
AROUND = st.text(alphabet=PATTERN_CHARACTER, max_size=8).filter(lambda text: "${" not in text)
VARIABLE_VALUE = st.one_of(
    FILL_TEXT, st.text(alphabet=st.sampled_from(["*", "?", ":", "a", "/"]), max_size=4)
)
VARIABLE_SITES = {
    "Resource": Mode.RESOURCE,
    "StringLike": Mode.STRING_LIKE,
    "ArnLike": Mode.ARN_CONDITION,
}


def decide_with_variable(where: str, template: str, tag_value: str, candidate: str) -> bool:
    """Whether an Allow whose `where` (Resource, or a StringLike/ArnLike value) is `template`
    applies to `candidate`, the caller's tag `v` being `tag_value`."""
    statement: dict[str, object] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    context = {"aws:PrincipalTag/v": tag_value}
    resource = "*"
    if where == "Resource":
        statement["Resource"] = template
        resource = candidate
    elif where == "StringLike":
        statement["Condition"] = {"StringLike": {"s3:prefix": template}}
        context["s3:prefix"] = candidate
    else:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": template}}
        context["aws:SourceArn"] = candidate
    policy = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": statement}))
    policies = Policies(identity=PolicySet([policy]))
    request = Request("s3:GetObject", resource, context, Principal("arn:aws:iam::1:user/u"))
    outcome = evaluate(request, policies)
    assert explain(request, policies).outcome is outcome
    return outcome is Outcome.ALLOWED


@PROPERTY_SETTINGS
@given(data=st.data(), where=st.sampled_from(sorted(VARIABLE_SITES)))
def test_characters_from_policy_variables_are_literal(data: st.DataObject, where: str) -> None:
    mode = VARIABLE_SITES[where]
    prefix = data.draw(AROUND, label="before the variable")
    if where == "Resource":
        prefix = "arn:aws:s3:::" + prefix  # IAM refuses a Resource that is not an ARN
    suffix = data.draw(AROUND, label="after the variable")
    tag_value = data.draw(VARIABLE_VALUE, label="the variable's value")
    filled = prefix + tag_value + suffix
    from_value = frozenset(range(len(prefix), len(prefix) + len(tag_value)))
    candidate = data.draw(
        st.one_of(st.just(filled), value_for(filled, mode), value_for(prefix + suffix, mode)),
        label="candidate",
    )
    expected = REFERENCE[mode](filled, candidate, from_value)
    event("matches" if expected else "does not match")
    assert decide_with_variable(where, prefix + VARIABLE + suffix, tag_value, candidate) is (
        expected
    ), f"{where} {prefix + VARIABLE + suffix!r} with v={tag_value!r} on {candidate!r}"
