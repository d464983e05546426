"""SigV4 verification against requests signed by botocore itself.

Every valid request below is produced by botocore's signers (`SigV4Auth`, `SigV4QueryAuth`, the
S3 variants, and real boto3 clients), so "passes" means "Stockade agrees with the SDK"; every
failure checks the AWS error code, and the message where AWS's wording is known.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.utils import percent_encode_sequence

from stockade.auth import SignatureError, check_scope, read_signature, signing_key
from stockade.auth.sigv4 import MAX_PRESIGNED_EXPIRES
from tests.auth.signing import (
    ACCESS_KEY,
    SECRET_KEY,
    SESSION_TOKEN,
    T0,
    TEMP_ACCESS_KEY,
    S3SigV4Auth,
    S3SigV4QueryAuth,
    Wire,
    check,
    presign,
    sign,
    wire_from_prepared,
)

MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
IAM = "https://iam.amazonaws.com"


def refused(wire: Wire, code: str, **options: Any) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        check(wire, **options)
    assert caught.value.code == code, caught.value.message
    return caught.value


def post_form(body: bytes = b"Action=ListUsers&Version=2010-05-08", **kwargs: Any) -> Wire:
    return sign("POST", f"{IAM}/", body=body, headers=FORM, **kwargs)


# --- requests botocore signs: all verify --------------------------------------------------

QUERY_CASES = {
    "repeated keys": [("Tag", "b"), ("Tag", "a"), ("Tag", "a")],
    "empty values": [("Marker", ""), ("MaxItems", "")],
    "unicode": [("UserName", "Zoë-日本"), ("Ключ", "значение")],
    "spaces": [("Path", "/a b/  c/")],
    "plus": [("Value", "a+b"), ("Other", "+")],
    "tilde": [("Value", "~user~")],
    "slash": [("Path", "/division/abc/"), ("k/ey", "v")],
    "reserved": [("v", "!*'();:@&=+$,/?#[]%")],
    "case order": [("b", "1"), ("B", "2"), ("a", "3"), ("A", "4"), ("_", "5")],
}


@pytest.mark.parametrize("pairs", QUERY_CASES.values(), ids=QUERY_CASES.keys())
def test_get_with_params_verifies(pairs: list[tuple[str, str]]) -> None:
    # AWSRequest params go on the wire through urlencode: spaces as '+', a literal '+' as %2B.
    check(sign("GET", f"{IAM}/", params=[("Action", "ListUsers"), *pairs]))


@pytest.mark.parametrize("pairs", QUERY_CASES.values(), ids=QUERY_CASES.keys())
def test_get_with_query_in_url_verifies(pairs: list[tuple[str, str]]) -> None:
    # The REST protocols put the query in the URL with botocore's own %20-style encoding.
    check(sign("GET", f"{IAM}/?{percent_encode_sequence(pairs)}"))


def test_key_without_value_and_unsorted_query_verify() -> None:
    check(sign("GET", f"{IAM}/?versioning&b=2&a=1&a=0"))


def test_post_form_body_verifies() -> None:
    signed = check(post_form(b"Action=CreateUser&UserName=al%C3%ADce&Path=%2Fteam+a%2F"))
    assert signed.access_key_id == ACCESS_KEY
    assert (signed.region, signed.service) == ("us-east-1", "iam")
    assert signed.timestamp == T0
    assert signed.presigned is False and signed.expires is None and signed.security_token is None
    assert "host" in signed.signed_headers and "content-type" in signed.signed_headers


def test_json_body_with_target_verifies() -> None:
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSStockade.CreateThing",
    }
    body = json.dumps({"Name": "ünïcode", "Tags": [{"Key": "a", "Value": "b c"}]}).encode()
    wire = sign("POST", "https://stockade.example.com/", body=body, headers=headers, service="team")
    signed = check(wire)
    assert signed.service == "team"
    assert "x-amz-target" in signed.signed_headers


PATHS = [
    "/",
    "/users/alice",
    "/a%20b/%C3%BC%E6%97%A5/",
    "/reserved/%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D",
    "/encoded/slash%2Fin/segment",
    "/dots/./and/../up",
    "//double//slashes//",
    "/tilde~and-_.",
    "/%7Euser",
]


@pytest.mark.parametrize("path", PATHS)
def test_paths_verify(path: str) -> None:
    check(sign("GET", f"https://team.example.com{path}", service="team"))


@pytest.mark.parametrize("path", PATHS)
def test_s3_paths_are_signed_as_sent(path: str) -> None:
    check(sign("GET", f"https://bucket.s3.amazonaws.com{path}", service="s3", signer=S3SigV4Auth))


def test_port_in_host_verifies() -> None:
    check(sign("POST", "http://localhost:8080/", body=b"Action=ListUsers", headers=FORM))


def test_header_whitespace_is_folded_like_botocore() -> None:
    headers = {**FORM, "X-Custom": "  a   b \t c  ", "X-Empty": ""}
    check(sign("POST", f"{IAM}/", body=b"x=1", headers=headers))


def test_date_header_instead_of_x_amz_date() -> None:
    wire = sign("POST", f"{IAM}/", body=b"Action=ListUsers", headers={**FORM, "Date": "now"})
    assert "x-amz-date" not in wire.headers
    assert wire.headers["date"] == "Thu, 01 Jan 2026 00:00:00 -0000"
    assert check(wire).timestamp == T0


def test_temporary_credentials_carry_the_session_token() -> None:
    wire = post_form(access_key=TEMP_ACCESS_KEY, token=SESSION_TOKEN)
    signed = check(wire)
    assert signed.access_key_id == TEMP_ACCESS_KEY
    assert signed.security_token == SESSION_TOKEN
    assert "x-amz-security-token" in signed.signed_headers
    refused(wire.with_header("x-amz-security-token", SESSION_TOKEN + "x"), "SignatureDoesNotMatch")


def test_presigned_sts_url_verifies() -> None:
    params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}
    wire = presign("GET", "https://sts.amazonaws.com/", params=params, expires=900)
    signed = check(wire, now=T0 + timedelta(minutes=10))
    assert signed.presigned and signed.expires == 900 and signed.signed_headers == ("host",)


def test_presigned_with_session_token_in_query() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"}, token=SESSION_TOKEN)
    assert check(wire).security_token == SESSION_TOKEN


def test_presigned_s3_url_verifies() -> None:
    wire = presign(
        "GET",
        "https://bucket.s3.amazonaws.com/some%20key/x%2By",
        service="s3",
        signer=S3SigV4QueryAuth,
    )
    check(wire, now=T0 + timedelta(minutes=59))


def test_unsigned_payload_only_when_allowed() -> None:
    # botocore leaves the body out over HTTPS when an operation disables payload signing.
    wire = sign(
        "PUT",
        "https://team.example.com/blob",
        body=b"content",
        service="team",
        context={"payload_signing_enabled": False},
    )
    assert wire.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD"
    check(wire, allow_unsigned_payload=True)
    check(replace_body(wire, b"other content"), allow_unsigned_payload=True)
    refused(wire, "SignatureDoesNotMatch")


def test_declared_payload_hash_must_be_the_body_hash() -> None:
    wire = sign(
        "PUT", "https://team.example.com/x", body=b"abc", service="team", signer=S3SigV4Auth
    )
    check(wire)
    refused(replace_body(wire, b"abd"), "SignatureDoesNotMatch")


def replace_body(wire: Wire, body: bytes) -> Wire:
    return Wire(wire.method, wire.path, wire.query, wire.headers, body)


# --- real SDK clients ----------------------------------------------------------------------


class _Sent(Exception):
    def __init__(self, wire: Wire) -> None:
        super().__init__("captured")
        self.wire = wire


def _capture(request: Any, **_: Any) -> None:
    raise _Sent(wire_from_prepared(request))


def sdk_wire(service: str, operation: str, **kwargs: Any) -> Wire:
    client = boto3.client(
        service,
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id=TEMP_ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
    )
    client.meta.events.register("before-send", _capture)
    with pytest.raises(_Sent) as sent:
        getattr(client, operation)(**kwargs)
    return sent.value.wire


@pytest.mark.parametrize(
    ("service", "operation", "kwargs"),
    [
        ("iam", "list_users", {}),
        ("iam", "create_user", {"UserName": "zoë+1@example", "Path": "/team a/"}),
        ("iam", "tag_user", {"UserName": "u", "Tags": [{"Key": "k ~", "Value": "v/+="}]}),
        ("sts", "get_caller_identity", {}),
        (
            "sts",
            "assume_role",
            {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s1"},
        ),
    ],
)
def test_boto3_clients_verify(service: str, operation: str, kwargs: dict[str, Any]) -> None:
    wire = sdk_wire(service, operation, **kwargs)
    signed = check(wire, now=datetime.now(UTC))
    assert signed.service == service and signed.security_token == SESSION_TOKEN


def test_boto3_presigned_url_verifies() -> None:
    client = boto3.client(
        "sts",
        endpoint_url="https://sts.example.com",
        region_name="eu-west-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    url = client.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    path, _, query = url.removeprefix("https://sts.example.com").partition("?")
    wire = Wire("GET", path or "/", query, {"host": "sts.example.com"})
    signed = check(wire, now=datetime.now(UTC))
    assert (signed.region, signed.expires) == ("eu-west-1", 60)
    # Without HttpMethod botocore signs the operation's method, POST, and AWS then refuses the
    # URL when it is fetched with GET (boto/boto3#756); so do we.
    url = client.generate_presigned_url("get_caller_identity", ExpiresIn=60)
    path, _, query = url.removeprefix("https://sts.example.com").partition("?")
    refused(
        Wire("GET", path or "/", query, {"host": "sts.example.com"}),
        "SignatureDoesNotMatch",
        now=datetime.now(UTC),
    )
    check(Wire("POST", path or "/", query, {"host": "sts.example.com"}), now=datetime.now(UTC))


# --- tampering -----------------------------------------------------------------------------


def test_changed_body_fails() -> None:
    wire = post_form()
    refused(replace_body(wire, wire.body + b"&UserName=x"), "SignatureDoesNotMatch")


def test_changed_signed_header_value_fails() -> None:
    wire = post_form()
    bad = refused(wire.with_header("content-type", "application/json"), "SignatureDoesNotMatch")
    assert bad.message == MISMATCH


def test_unsigned_header_may_change() -> None:
    wire = post_form()
    check(wire.with_header("user-agent", "anything"))  # botocore never signs User-Agent


def test_changed_query_fails() -> None:
    wire = sign("GET", f"{IAM}/", params={"Action": "ListUsers", "PathPrefix": "/a/"})
    for query in (
        wire.query.replace("%2Fa%2F", "%2Fb%2F"),
        wire.query + "&Extra=1",
        wire.query.replace("Action=ListUsers&", ""),
    ):
        refused(Wire(wire.method, wire.path, query, wire.headers), "SignatureDoesNotMatch")


def test_literal_plus_and_space_are_different_values() -> None:
    # '+' on the wire is a space (form decoding); a value with a literal '+' is sent as %2B.
    wire = sign("GET", f"{IAM}/", params={"v": "a+b"})
    assert "v=a%2Bb" in wire.query
    refused(Wire("GET", "/", wire.query.replace("%2B", "+"), wire.headers), "SignatureDoesNotMatch")
    spaced = sign("GET", f"{IAM}/", params={"v": "a b"})
    assert "v=a+b" in spaced.query
    check(Wire("GET", "/", spaced.query.replace("+", "%20"), spaced.headers))


def test_changed_path_fails() -> None:
    wire = sign("GET", "https://team.example.com/users/alice", service="team")
    refused(Wire("GET", "/users/mallory", "", wire.headers), "SignatureDoesNotMatch")


def test_changed_method_fails() -> None:
    wire = sign("GET", "https://team.example.com/x", service="team")
    refused(Wire("DELETE", wire.path, "", wire.headers), "SignatureDoesNotMatch")


def test_wrong_secret_fails() -> None:
    bad = refused(post_form(), "SignatureDoesNotMatch", secret=SECRET_KEY[:-1] + "X")
    assert bad.message == MISMATCH


def test_header_claimed_signed_but_absent_fails() -> None:
    wire = post_form()
    authorization = wire.headers["authorization"].replace(
        "SignedHeaders=content-type;host;", "SignedHeaders=content-type;host;x-extra;"
    )
    assert authorization != wire.headers["authorization"]
    refused(wire.with_header("authorization", authorization), "SignatureDoesNotMatch")
    # Present but not what was signed over: still a mismatch.
    forged = wire.with_header("authorization", authorization).with_header("x-extra", "1")
    refused(forged, "SignatureDoesNotMatch")


def test_missing_host_fails() -> None:
    refused(post_form().with_header("host", None), "SignatureDoesNotMatch")


def test_host_must_be_signed_when_present() -> None:
    class NoHost(SigV4Auth):  # type: ignore[misc]
        def headers_to_sign(self, request: Any) -> Any:
            headers = super().headers_to_sign(request)
            del headers["host"]
            return headers

    wire = sign("POST", f"{IAM}/", body=b"x=1", headers=FORM, signer=NoHost)
    assert "host" not in read_signature("POST", "", wire.headers).signed_headers
    bad = refused(wire, "IncompleteSignature")
    assert (
        bad.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    )
    check(wire.with_header("host", None))  # no Host at all (HTTP/1.0): nothing to require


def test_wrong_scope_date_fails() -> None:
    wire = post_form()
    authorization = wire.headers["authorization"].replace("/20260101/", "/20251231/")
    with pytest.raises(SignatureError) as caught:
        check(wire.with_header("authorization", authorization))
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20251231' != '20260101', from '20260101T000000Z'."
    )


def test_signature_that_is_not_hex_fails_cleanly() -> None:
    wire = post_form()
    signature = wire.headers["authorization"].rsplit("Signature=", 1)[1]
    for other in ("é" * 64, signature.upper(), signature[:-1], ""):
        authorization = wire.headers["authorization"].replace(signature, other)
        code = "IncompleteSignature" if not other else "SignatureDoesNotMatch"
        refused(wire.with_header("authorization", authorization), code)


def test_tampered_presigned_signature_fails() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "GetCallerIdentity"})
    signature = wire.query.rsplit("X-Amz-Signature=", 1)[1]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    bad = Wire(wire.method, wire.path, wire.query.replace(signature, flipped), wire.headers)
    assert refused(bad, "SignatureDoesNotMatch").message == MISMATCH


def test_tampered_presigned_parameters_fail() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "GetCallerIdentity"})
    for query in (
        wire.query.replace("Action=GetCallerIdentity", "Action=AssumeRole"),
        wire.query.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"),
        wire.query + "&RoleArn=x",
    ):
        refused(Wire(wire.method, wire.path, query, wire.headers), "SignatureDoesNotMatch")


# --- time ----------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [-14, 14, 15, -15])
def test_skew_within_fifteen_minutes_passes(minutes: int) -> None:
    check(post_form(), now=T0 + timedelta(minutes=minutes))


def test_skew_sixteen_minutes_in_the_past_fails() -> None:
    bad = refused(post_form(), "SignatureDoesNotMatch", now=T0 + timedelta(minutes=16))
    assert bad.message == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z "
        "(20260101T001600Z - 15 min.)"
    )


def test_skew_sixteen_minutes_in_the_future_fails() -> None:
    bad = refused(post_form(), "SignatureDoesNotMatch", now=T0 - timedelta(minutes=16))
    assert bad.message == (
        "Signature not yet current: 20260101T000000Z is still later than 20251231T235900Z "
        "(20251231T234400Z + 15 min.)"
    )


def test_skew_is_configurable() -> None:
    now = T0 + timedelta(minutes=6)
    bad = refused(post_form(), "SignatureDoesNotMatch", now=now, max_skew=timedelta(minutes=5))
    assert bad.message.endswith("(20260101T000600Z - 5 min.)")


def test_presigned_expired_fails() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"}, expires=900)
    check(wire, now=T0 + timedelta(seconds=900))
    bad = refused(wire, "AccessDenied", now=T0 + timedelta(seconds=901))
    assert bad.message == "Request has expired"


def test_presigned_in_the_future_fails() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    check(wire, now=T0 - timedelta(minutes=14))
    bad = refused(wire, "SignatureDoesNotMatch", now=T0 - timedelta(minutes=16))
    assert bad.message.startswith("Signature not yet current: 20260101T000000Z")


def test_presigned_lifetime_cap() -> None:
    # AWS honours X-Amz-Expires only for S3; IAM/STS endpoints cap presigned URLs at 15 minutes.
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"}, expires=3600)
    cap = timedelta(minutes=15)
    check(wire, now=T0 + timedelta(minutes=15), presigned_max_age=cap)
    bad = refused(
        wire, "SignatureDoesNotMatch", now=T0 + timedelta(minutes=20), presigned_max_age=cap
    )
    assert bad.message == (
        "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z "
        "(20260101T002000Z - 15 min.)"
    )
    check(wire, now=T0 + timedelta(minutes=59))  # uncapped: the URL's own hour


def test_presigned_without_expires_lives_for_the_skew() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    query = "&".join(p for p in wire.query.split("&") if not p.startswith("X-Amz-Expires="))
    signed = read_signature("GET", query, wire.headers)
    assert signed.expires is None


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check(post_form(), now=T0.replace(tzinfo=None))


# --- reading: missing and malformed signatures ---------------------------------------------


def read_error(query: str = "", **headers: str) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        read_signature("GET", query, {"host": "iam.amazonaws.com", **headers})
    return caught.value


def test_no_signature_at_all() -> None:
    error = read_error("Action=ListUsers&Version=2010-05-08")
    assert (error.code, error.message) == (
        "MissingAuthenticationToken",
        "Request is missing Authentication Token",
    )
    assert read_error(authorization="   ").code == "MissingAuthenticationToken"


def test_bearer_token_lists_everything_missing() -> None:
    error = read_error(authorization="Bearer abc")
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=Bearer abc"
    )


def test_partial_authorization_header() -> None:
    header = f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/us-east-1/iam/aws4_request"
    error = read_error(authorization=header, **{"x-amz-date": "20260101T000000Z"})
    assert error.code == "IncompleteSignature"
    assert error.message == (
        "Authorization header requires 'Signature' parameter. "
        f"Authorization header requires 'SignedHeaders' parameter. Authorization={header}"
    )


def test_authorization_item_without_equals() -> None:
    header = "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders, Signature=x"
    error = read_error(authorization=header, **{"x-amz-date": "20260101T000000Z"})
    assert error.code == "IncompleteSignature"
    assert error.message.startswith("'SignedHeaders' not a valid key=value pair")


@pytest.mark.parametrize(
    ("credential", "code", "start"),
    [
        ("AKID/20260101/us-east-1/iam", "IncompleteSignature", "Credential must have exactly 5"),
        ("AKID/2026011/us-east-1/iam/aws4_request", "IncompleteSignature", "Credential must"),
        ("/20260101/us-east-1/iam/aws4_request", "IncompleteSignature", "Credential must"),
        (
            "AKID/20260101/us-east-1/iam/aws5_request",
            "SignatureDoesNotMatch",
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            "not 'aws5_request'",
        ),
    ],
)
def test_malformed_credential(credential: str, code: str, start: str) -> None:
    header = f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=ab"
    error = read_error(authorization=header, **{"x-amz-date": "20260101T000000Z"})
    assert error.code == code and error.message.startswith(start), error.message


@pytest.mark.parametrize("date", ["2026-01-01T00:00:00Z", "20261301T000000Z", "20260101T000000"])
def test_malformed_x_amz_date(date: str) -> None:
    header = (
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=ab"
    )
    error = read_error(authorization=header, **{"x-amz-date": date})
    assert error.code == "IncompleteSignature"
    assert error.message.startswith(f"Date must be in ISO-8601 'basic format'. Got '{date}'.")


@pytest.mark.parametrize(
    "authorization",
    ["AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl", "AWS4-ECDSA-P256-SHA256 Credential=x"],
)
def test_other_aws_schemes_are_not_supported(authorization: str) -> None:
    error = read_error(authorization=authorization)
    assert (error.code, error.message) == (
        "IncompleteSignature",
        "The authorization mechanism you have provided is not supported. "
        "Please use AWS4-HMAC-SHA256.",
    )


def test_signature_version_2_query_is_not_supported() -> None:
    error = read_error(
        "AWSAccessKeyId=AKID&SignatureVersion=2&SignatureMethod=HmacSHA256&Signature=x"
    )
    assert error.code == "IncompleteSignature" and "not supported" in error.message


def test_other_query_algorithm_is_not_supported() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    error = read_error(wire.query.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"))
    assert error.code == "IncompleteSignature" and "not supported" in error.message


def test_header_and_query_signatures_together() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    error = read_error(wire.query, authorization=post_form().headers["authorization"])
    assert error.code == "IncompleteSignature"
    assert error.message.startswith("Only one auth mechanism allowed")


@pytest.mark.parametrize(
    "name",
    ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"],
)
def test_presigned_missing_parameter(name: str) -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    query = "&".join(p for p in wire.query.split("&") if not p.startswith(name + "="))
    error = read_error(query)
    assert error.code == "IncompleteSignature"
    assert error.message == (
        f"AWS query-string parameters must include '{name}'. "
        "Re-examine the query-string parameters."
    )


def test_presigned_duplicate_parameter() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    error = read_error(wire.query + "&X-Amz-Signature=00")
    assert error.code == "IncompleteSignature" and "Duplicate" in error.message


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("abc", "X-Amz-Expires should be a number"),
        ("-5", "X-Amz-Expires must be non-negative"),
        (
            str(MAX_PRESIGNED_EXPIRES + 1),
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        ("9" * 5000, "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
    ],
)
def test_presigned_bad_expires(expires: str, message: str) -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    error = read_error(wire.query.replace("X-Amz-Expires=3600", f"X-Amz-Expires={expires}"))
    assert (error.code, error.message) == ("IncompleteSignature", message)


def test_percent_encoded_auth_parameter_names_are_recognised() -> None:
    wire = presign("GET", "https://sts.amazonaws.com/", params={"Action": "X"})
    query = wire.query.replace("X-Amz-Credential=", quote("X-Amz-Credential", safe="") + "=")
    assert read_signature("GET", query, wire.headers).access_key_id == ACCESS_KEY


# --- keys and scope ------------------------------------------------------------------------


def test_signing_key_matches_aws_documented_example() -> None:
    # IAM User Guide, "Signature Version 4 signing process" example (20120215, us-east-1, iam).
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_signing_key_is_cached() -> None:
    first = signing_key(SECRET_KEY, "20260101", "us-east-1", "iam")
    assert signing_key(SECRET_KEY, "20260101", "us-east-1", "iam") is first
    assert signing_key(SECRET_KEY, "20260102", "us-east-1", "iam") != first


def test_check_scope() -> None:
    signed = check(post_form())
    check_scope(signed, service="iam", regions={"us-east-1"})
    with pytest.raises(SignatureError, match="scoped to correct service: 'sts'") as caught:
        check_scope(signed, service="sts")
    assert caught.value.code == "SignatureDoesNotMatch"
    with pytest.raises(SignatureError, match="valid region"):
        check_scope(signed, service="iam", regions={"eu-west-1"})


def test_errors_never_mention_the_secret() -> None:
    wire = post_form()
    for now in (T0, T0 + timedelta(hours=1)):
        with pytest.raises(SignatureError) as caught:
            check(wire, now=now, secret="another/secret+key/that+does/not+match00")
        assert "secret+key" not in str(caught.value) and SECRET_KEY not in str(caught.value)


def test_raw_non_ascii_path_as_utf8_text() -> None:
    # botocore signs a raw non-ASCII path by its UTF-8 percent-encoding; a server that decodes
    # the raw path as UTF-8 must agree.
    wire = sign("GET", "https://team.example.com/café/ü", service="team")
    assert wire.path == "/café/ü"
    check(wire)


def test_surrogates_in_input_never_crash() -> None:
    wire = post_form()
    refused(
        Wire("POST", "/\ud800", "a=\ud800&\udcff", wire.headers, wire.body), "SignatureDoesNotMatch"
    )
    authorization = wire.headers["authorization"] + "\ud800"
    refused(wire.with_header("authorization", authorization), "SignatureDoesNotMatch")
