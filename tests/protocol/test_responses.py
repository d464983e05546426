"""Responses we serialise parse, with botocore's own Query parser, back into the result given."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockade.protocol import AWSError, ServiceProtocol
from tests.protocol.peer import operation_model, parse_response, service_model
from tests.protocol.shapes import value_of

CREATED = datetime(2026, 11, 29, 8, 25, 10, tzinfo=UTC)
USER = {
    "Path": "/eng/",
    "UserName": "bob",
    "UserId": "AIDAEXAMPLE000000001",
    "Arn": "arn:aws:iam::123456789012:user/eng/bob",
    "CreateDate": CREATED,
    "PasswordLastUsed": datetime(2026, 12, 1, 0, 0, 0, 123000, tzinfo=UTC),
    "PermissionsBoundary": {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/PowerUserAccess",
    },
    "Tags": [{"Key": "team", "Value": "a & b <c>"}, {"Key": "empty", "Value": ""}],
}

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("iam", "GetUser", {"User": USER}),
    (
        "iam",
        "ListUsers",
        {
            "Users": [USER, {**USER, "UserName": "carol", "Tags": []}],
            "IsTruncated": True,
            "Marker": "n+/=",
        },
    ),
    ("iam", "ListUsers", {"Users": [], "IsTruncated": False}),
    (
        "iam",
        "GetAccountSummary",
        {"SummaryMap": {"Users": 3, "UsersQuota": 5000, "AccountMFAEnabled": 1, "Policies": 0}},
    ),
    (
        "iam",
        "CreateVirtualMFADevice",
        {
            "VirtualMFADevice": {
                "SerialNumber": "arn:aws:iam::123456789012:mfa/root-account-mfa-device",
                "Base32StringSeed": b"JBSWY3DPEHPK3PXP",
                "QRCodePNG": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\x00",
            }
        },
    ),
    (
        "iam",
        "CreateAccessKey",
        {
            "AccessKey": {
                "UserName": "bob",
                "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",
                "Status": "Active",
                "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "CreateDate": CREATED,
            }
        },
    ),
    (
        "iam",
        "SimulatePrincipalPolicy",
        {
            "EvaluationResults": [
                {
                    "EvalActionName": "s3:GetObject",
                    "EvalResourceName": "arn:aws:s3:::bucket/key",
                    "EvalDecision": "allowed",
                    "MatchedStatements": [
                        {
                            "SourcePolicyId": "inline",
                            "SourcePolicyType": "user",
                            "StartPosition": {"Line": 1, "Column": 40},
                            "EndPosition": {"Line": 1, "Column": 98},
                        }
                    ],
                    "MissingContextValues": ["aws:SourceIp"],
                    "EvalDecisionDetails": {
                        "IAM Policy": "allowed",
                        "Permissions Boundary": "implicitDeny",
                    },
                    "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False},
                    "ResourceSpecificResults": [
                        {"EvalResourceName": "*", "EvalResourceDecision": "explicitDeny"}
                    ],
                }
            ],
            "IsTruncated": False,
        },
    ),
    (
        "iam",
        "GetCredentialReport",
        {
            "Content": b"user,arn\n<root_account>,arn:aws:iam::123456789012:root\n",
            "ReportFormat": "text/csv",
            "GeneratedTime": CREATED,
        },
    ),
    (
        "iam",
        "GetAccountPasswordPolicy",
        {
            "PasswordPolicy": {
                "MinimumPasswordLength": 14,
                "RequireSymbols": True,
                "RequireNumbers": False,
                "ExpirePasswords": True,
                "MaxPasswordAge": 90,
                "HardExpiry": False,
            }
        },
    ),
    (
        "iam",
        "ListAccountAliases",
        {"AccountAliases": ["café-ünïcødé", "with\r\nnewlines\tand tabs"], "IsTruncated": False},
    ),
    (
        "sts",
        "AssumeRole",
        {
            "Credentials": {
                "AccessKeyId": "ASIAEXAMPLE",
                "SecretAccessKey": "secret",
                "SessionToken": "FwoGZXIvYXdzEJr//////////wEaDA==",
                "Expiration": datetime(2026, 11, 29, 9, 25, 10, 359000, tzinfo=UTC),
            },
            "AssumedRoleUser": {
                "AssumedRoleId": "AROAEXAMPLE:ci-run-42",
                "Arn": "arn:aws:sts::123456789012:assumed-role/deploy/ci-run-42",
            },
            "PackedPolicySize": 6,
            "SourceIdentity": "alice",
        },
    ),
    (
        "sts",
        "GetCallerIdentity",
        {
            "UserId": "AIDAEXAMPLE",
            "Account": "123456789012",
            "Arn": "arn:aws:iam::123456789012:user/bob",
        },
    ),
]


def _round_trip(service: str, operation: str, result: dict[str, Any] | None) -> dict[str, Any]:
    body = ServiceProtocol.load(service).serialize_response(operation, result, "req-1")
    parsed = parse_response(operation_model(service, operation), body)
    metadata = parsed.pop("ResponseMetadata")
    assert metadata["RequestId"] == "req-1"
    return parsed


@pytest.mark.parametrize(("service", "operation", "result"), CASES)
def test_botocore_parses_our_response_into_the_result(
    service: str, operation: str, result: dict[str, Any]
) -> None:
    assert _round_trip(service, operation, result) == result


def test_document_shape() -> None:
    body = ServiceProtocol.load("iam").serialize_response(
        "GetUser", {"User": {**USER, "Tags": None}, "NotInShape": "ignored"}, "r-<1>"
    )
    text = body.decode()
    assert text.startswith(
        '<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User>'
        "<Path>/eng/</Path><UserName>bob</UserName>"
    )
    assert text.endswith(
        "</User></GetUserResult><ResponseMetadata><RequestId>r-&lt;1&gt;</RequestId>"
        "</ResponseMetadata></GetUserResponse>"
    )
    assert "<CreateDate>2026-11-29T08:25:10Z</CreateDate>" in text
    assert "<PasswordLastUsed>2026-12-01T00:00:00.123Z</PasswordLastUsed>" in text
    assert "NotInShape" not in text and "<Tags>" not in text
    ET.fromstring(body)  # well-formed


def test_operation_without_output_has_no_result_element() -> None:
    body = ServiceProtocol.load("iam").serialize_response("DeleteUser", {"Ignored": 1}, "r")
    assert body == (
        b'<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>"
    )
    assert _round_trip("iam", "DeleteUser", None) == {}


def test_none_result_gives_empty_result_element() -> None:
    body = ServiceProtocol.load("sts").serialize_response("GetCallerIdentity", None, "r")
    assert b"<GetCallerIdentityResult></GetCallerIdentityResult>" in body


def test_timestamps_are_utc_whatever_the_zone_or_type() -> None:
    east = timezone(timedelta(hours=5, minutes=30))
    for value in (
        datetime(2026, 11, 29, 13, 55, 10, tzinfo=east),
        datetime(2026, 11, 29, 8, 25, 10),  # naive: taken as UTC
        CREATED.timestamp(),
        int(CREATED.timestamp()),
    ):
        body = ServiceProtocol.load("iam").serialize_response(
            "GetCredentialReport", {"GeneratedTime": value}, "r"
        )
        assert b"<GeneratedTime>2026-11-29T08:25:10Z</GeneratedTime>" in body


def test_blob_is_base64_and_text_is_escaped() -> None:
    body = ServiceProtocol.load("iam").serialize_response(
        "GetCredentialReport", {"Content": b"\x00\xff", "ReportFormat": "a]]>b\x00\r"}, "r"
    )
    assert b"<Content>" + base64.b64encode(b"\x00\xff") + b"</Content>" in body
    assert "<ReportFormat>a]]&gt;b\ufffd&#13;</ReportFormat>".encode() in body


def test_unknown_action_cannot_be_serialised() -> None:
    with pytest.raises(AWSError) as caught:
        ServiceProtocol.load("iam").serialize_response("Nope", {}, "r")
    assert caught.value.code == "InvalidAction"


def _operations_with_output() -> list[tuple[str, str]]:
    return [
        (service, name)
        for service in ("iam", "sts")
        for name in sorted(service_model(service).operation_names)
        if service_model(service).operation_model(name).output_shape is not None
    ]


@st.composite
def _outputs(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    service, operation = draw(st.sampled_from(_operations_with_output()))
    shape = operation_model(service, operation).output_shape
    return service, operation, draw(value_of(shape, request=False))


@settings(max_examples=300, deadline=None)
@given(_outputs())
def test_any_output_of_any_operation_round_trips(case: tuple[str, str, dict[str, Any]]) -> None:
    service, operation, result = case
    assert _round_trip(service, operation, result) == result
