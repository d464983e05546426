"""Property tests: whatever botocore signs verifies, and no single-byte change survives.

Bodies are arbitrary bytes; query parameters are arbitrary Unicode (surrogates aside), sent
either as botocore's `params` (form-encoded on the wire) or in the URL as the REST protocols do;
header values are printable ASCII with runs of spaces and tabs, which both sides must fold alike.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.utils import percent_encode_sequence
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockade.auth import SignatureError
from tests.auth.signing import T0, Wire, check, presign, sign

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

bodies = st.binary(max_size=512)
names = st.text(min_size=1, max_size=12)
values = st.text(max_size=24)
queries = st.lists(st.tuples(names, values), max_size=6)
header_values = st.text(alphabet=st.sampled_from("ab Z09-_;=/ \t"), max_size=20)
skews = st.integers(min_value=-15 * 60, max_value=15 * 60)


def _flip(data: bytes, index: int, mask: int) -> bytes:
    index %= len(data)
    return data[:index] + bytes([data[index] ^ mask]) + data[index + 1 :]


@SETTINGS
@given(
    body=bodies,
    query=queries,
    in_url=st.booleans(),
    header=header_values,
    skew=skews,
    method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE"]),
)
def test_botocore_signed_requests_verify(
    body: bytes, query: list[tuple[str, str]], in_url: bool, header: str, skew: int, method: str
) -> None:
    url = "https://team.example.com/things/x%20y"
    params = None
    if in_url and query:
        url += "?" + percent_encode_sequence(query)
    else:
        params = query
    wire = sign(method, url, body=body, params=params, headers={"X-Thing": header}, service="t")
    check(wire, now=T0 + timedelta(seconds=skew))


@SETTINGS
@given(body=bodies.filter(bool), index=st.integers(min_value=0), mask=st.integers(1, 255))
def test_any_single_byte_change_of_the_body_fails(body: bytes, index: int, mask: int) -> None:
    wire = sign("POST", "https://iam.amazonaws.com/", body=body)
    check(wire)
    tampered = Wire(wire.method, wire.path, wire.query, wire.headers, _flip(body, index, mask))
    with pytest.raises(SignatureError) as caught:
        check(tampered)
    assert caught.value.code == "SignatureDoesNotMatch"


@SETTINGS
@given(
    query=queries.filter(bool),
    index=st.integers(min_value=0),
    replacement=st.characters(codec="utf-8"),
)
def test_a_changed_query_value_fails(
    query: list[tuple[str, str]], index: int, replacement: str
) -> None:
    index %= len(query)
    name, value = query[index]
    changed = value + replacement
    wire = sign("GET", "https://iam.amazonaws.com/?" + percent_encode_sequence(query))
    altered = [*query[:index], (name, changed), *query[index + 1 :]]
    tampered = Wire("GET", "/", percent_encode_sequence(altered), wire.headers)
    with pytest.raises(SignatureError) as caught:
        check(tampered)
    assert caught.value.code == "SignatureDoesNotMatch"


@SETTINGS
@given(query=queries, expires=st.integers(1, 604800), age=st.integers(0, 604800))
def test_presigned_urls_verify_until_they_expire(
    query: list[tuple[str, str]], expires: int, age: int
) -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params=dict(query), expires=expires)
    now = T0 + timedelta(seconds=age)
    if age <= expires:
        check(wire, now=now)
    else:
        with pytest.raises(SignatureError) as caught:
            check(wire, now=now)
        assert caught.value.code == "AccessDenied"


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=120)
auth_words = st.sampled_from(
    [
        "AWS4-HMAC-SHA256 ",
        "Credential=",
        "SignedHeaders=",
        "Signature=",
        ", ",
        "/",
        ";",
        "=",
        "aws4_request",
        "20260101",
        "AKIA",
        "host",
        " ",
    ]
)
auth_headers = st.lists(st.one_of(auth_words, header_text), max_size=12).map("".join)
query_words = st.sampled_from(
    [
        "X-Amz-Algorithm=",
        "X-Amz-Credential=",
        "X-Amz-Date=",
        "X-Amz-Expires=",
        "X-Amz-Signature=",
        "X-Amz-SignedHeaders=",
        "AWS4-HMAC-SHA256",
        "&",
        "%2F",
        "%",
        "+",
        "=",
        "20260101T000000Z",
    ]
)
raw_queries = st.lists(st.one_of(query_words, header_text), max_size=12).map("".join)


@SETTINGS
@given(
    authorization=auth_headers,
    query=raw_queries,
    amz_date=st.one_of(st.none(), header_text, st.just("20260101T000000Z")),
    date=st.one_of(st.none(), header_text, st.just("Fri, 31 Dec 9999 23:59:59 -0100")),
)
def test_garbage_is_refused_with_signature_errors_only(
    authorization: str, query: str, amz_date: str | None, date: str | None
) -> None:
    headers = {"host": "iam.amazonaws.com", "authorization": authorization}
    if amz_date is not None:
        headers["x-amz-date"] = amz_date
    if date is not None:
        headers["date"] = date
    try:
        wire = Wire("GET", "/", query, headers)
        check(wire, now=T0)
    except SignatureError as error:
        assert error.code in {
            "MissingAuthenticationToken",
            "IncompleteSignature",
            "SignatureDoesNotMatch",
            "AccessDenied",
        }
