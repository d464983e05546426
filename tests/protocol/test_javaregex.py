"""Java patterns from the models, as Python's `re` runs them."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.protocol.javaregex import compile_java
from tests.protocol.peer import service_model


def test_every_model_pattern_translates() -> None:
    untranslated = []
    for service in ("iam", "sts"):
        model = service_model(service)
        for name in model.shape_names:
            pattern = model.shape_for(name).metadata.get("pattern")
            if pattern and compile_java(pattern) is None:
                untranslated.append((service, name, pattern))
    assert untranslated == []


@settings(max_examples=500)
@given(st.characters())
def test_unicode_property_classes_follow_unicodedata(char: str) -> None:
    category = unicodedata.category(char)
    for java, expected in [
        (r"\p{L}", category[0] == "L"),
        (r"\p{N}", category[0] == "N"),
        (r"\p{Z}", category[0] == "Z"),
        (r"\p{Lu}", category == "Lu"),
        (r"\p{IsL}", category[0] == "L"),
        (r"\P{L}", category[0] != "L"),
        (r"[\P{L}]", category[0] != "L"),
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]", category[0] in "LZN" or char in "_.:/=+-@"),
    ]:
        regex = compile_java(java)
        assert regex is not None, java
        assert (regex.fullmatch(char) is not None) == expected, (java, char, category)


@pytest.mark.parametrize(
    ("pattern", "accepted", "rejected"),
    [
        (r"[\w+=,.@-]+", ["bob", "a_b+c=d,e.f@g-h"], ["josé", "bob smith", "", "Ⅻ"]),
        (r"\d{12}", ["123456789012"], ["١٢٣٤٥٦٧٨٩٠١٢", "12345678901"]),
        (
            r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+",
            ["plain", "emoji 🙂", "tab\tnew\nline"],
            ["nul\x00", "bell\x07"],
        ),
        (r"^o-[0-9a-z]{10,32}\/r-[0-9a-z]{4,32}[0-9a-z-\/]*", ["o-abcdefghij/r-abcd-x/"], ["o-x"]),
        (r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?", ["v1", "v12.beta-1"], ["v0", "1"]),
        (r"\Q.*\E[a]", [".*a"], ["xxa"]),
        (r"a\z", ["a"], ["a\n"]),
        (r"\x{1F600}", ["😀"], ["x"]),
        (r"[\p{Alpha}]+", ["abc"], ["é"]),
        (r"\h", [" ", "\u3000"], ["\n"]),
    ],
)
def test_translations(pattern: str, accepted: list[str], rejected: list[str]) -> None:
    regex = compile_java(pattern)
    assert regex is not None
    for text in accepted:
        assert regex.fullmatch(text), text
    for text in rejected:
        assert not regex.fullmatch(text), text


@pytest.mark.parametrize(
    "pattern",
    [
        r"[a-z&&[^aeiou]]",
        r"[a[bc]]",
        r"\R",
        r"\X",
        r"\p{InGreek}",
        r"\p{IsLatin}",
        r"\p{javaLowerCase}",
        r"(?<year>\d{4})\k<year>",
        r"[a-",
        "trailing\\",
        r"\u12",
        r"(unbalanced",
    ],
)
def test_untranslatable_patterns_are_skipped_not_fatal(pattern: str) -> None:
    assert compile_java(pattern) is None


def test_named_group_is_python_spelled() -> None:
    regex = compile_java(r"(?<year>\d{4})(?=-)(?<!x)")
    assert regex is not None and regex.groupindex == {"year": 1}
