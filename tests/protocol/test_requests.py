"""Requests botocore serialises parse back into exactly the input botocore was given."""

from __future__ import annotations

from typing import Any

import pytest

from stockade.protocol import AWSError, ServiceProtocol
from tests.protocol.peer import operation_model, query_params

POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
TAGS = [{"Key": "team", "Value": "platform"}, {"Key": "cost:centre", "Value": ""}]
ROLE_ARN = "arn:aws:iam::123456789012:role/deploy"

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("iam", "CreateUser", {"UserName": "bob", "Path": "/eng/", "Tags": TAGS}),
    (
        "iam",
        "CreateUser",
        {"UserName": "b", "PermissionsBoundary": "arn:aws:iam::aws:policy/PowerUserAccess"},
    ),
    ("iam", "PutUserPolicy", {"UserName": "bob", "PolicyName": "s3", "PolicyDocument": POLICY}),
    (
        "iam",
        "CreatePolicyVersion",
        {
            "PolicyArn": "arn:aws:iam::123456789012:policy/p",
            "PolicyDocument": POLICY,
            "SetAsDefault": True,
        },
    ),
    (
        "iam",
        "CreatePolicyVersion",
        {
            "PolicyArn": "arn:aws:iam::123456789012:policy/p",
            "PolicyDocument": POLICY,
            "SetAsDefault": False,
        },
    ),
    ("iam", "ListUsers", {"MaxItems": 10, "Marker": "opaque+/=token", "PathPrefix": "/eng/"}),
    ("iam", "ListUsers", {}),
    (
        "iam",
        "UpdateAccessKey",
        {"UserName": "bob", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Inactive"},
    ),
    ("iam", "TagUser", {"UserName": "bob", "Tags": TAGS}),
    ("iam", "TagUser", {"UserName": "bob", "Tags": []}),
    (
        "iam",
        "CreateRole",
        {
            "RoleName": "deploy",
            "AssumeRolePolicyDocument": POLICY,
            "Description": "Deploys things & <stuff>",
            "MaxSessionDuration": 43200,
            "Tags": [{"Key": "env", "Value": "prod"}],
        },
    ),
    (
        "iam",
        "EnableMFADevice",
        {
            "UserName": "bob",
            "SerialNumber": "arn:aws:iam::123456789012:mfa/bob",
            "AuthenticationCode1": "123456",
            "AuthenticationCode2": "654321",
        },
    ),
    (
        "iam",
        "SimulatePrincipalPolicy",
        {
            "PolicySourceArn": "arn:aws:iam::123456789012:user/bob",
            "ActionNames": ["s3:GetObject", "s3:PutObject"],
            "ResourceArns": ["arn:aws:s3:::bucket/*"],
            "PolicyInputList": [POLICY],
            "ContextEntries": [
                {
                    "ContextKeyName": "aws:SourceIp",
                    "ContextKeyValues": ["10.0.0.1", "10.0.0.2"],
                    "ContextKeyType": "ipList",
                },
                {
                    "ContextKeyName": "aws:MultiFactorAuthPresent",
                    "ContextKeyValues": ["true"],
                    "ContextKeyType": "boolean",
                },
            ],
            "MaxItems": 100,
        },
    ),
    (
        "iam",
        "UploadServerCertificate",
        {
            "ServerCertificateName": "web",
            "CertificateBody": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "PrivateKey": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
            "Path": "/cloudfront/",
            "Tags": TAGS,
        },
    ),
    (
        "iam",
        "CreateLoginProfile",
        {"UserName": "bob", "Password": "p@ss w0rd!", "PasswordResetRequired": True},
    ),
    (
        "iam",
        "UpdateAccountPasswordPolicy",
        {
            "MinimumPasswordLength": 14,
            "RequireSymbols": True,
            "RequireNumbers": False,
            "MaxPasswordAge": 90,
            "PasswordReusePrevention": 24,
            "HardExpiry": False,
        },
    ),
    (
        "iam",
        "CreateOpenIDConnectProvider",
        {
            "Url": "https://token.actions.githubusercontent.com",
            "ClientIDList": ["sts.amazonaws.com"],
            "ThumbprintList": ["a" * 40, "b" * 40],
        },
    ),
    ("iam", "GetAccountAuthorizationDetails", {"Filter": ["User", "Role", "AWSManagedPolicy"]}),
    ("iam", "SetSecurityTokenServicePreferences", {"GlobalEndpointTokenVersion": "v2Token"}),
    ("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "root-account-mfa-device"}),
    (
        "iam",
        "AcquireRole",
        {
            "TemplateArn": "arn:aws:iam::aws:role-template/x",
            "TemplateMinorVersion": 2,
            "ReplacementValues": {"Bucket": {"Values": ["a", "b"]}, "Queue": {"Values": ["q"]}},
        },
    ),
    ("iam", "PutAccountProperties", {"Properties": {"Billing": "enabled", "Region/x": "éü"}}),
    ("iam", "DeleteUser", {"UserName": "bob.smith+ops@example.com"}),
    (
        "sts",
        "GetSessionToken",
        {
            "DurationSeconds": 3600,
            "SerialNumber": "arn:aws:iam::123456789012:mfa/bob",
            "TokenCode": "123456",
        },
    ),
    ("sts", "GetSessionToken", {}),
    (
        "sts",
        "AssumeRole",
        {
            "RoleArn": ROLE_ARN,
            "RoleSessionName": "ci-run-42",
            "PolicyArns": [
                {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                {"arn": "arn:aws:iam::123456789012:policy/extra"},
            ],
            "Policy": POLICY,
            "DurationSeconds": 900,
            "Tags": [{"Key": "project", "Value": "stockade"}, {"Key": "env", "Value": "ci"}],
            "TransitiveTagKeys": ["project"],
            "ExternalId": "ext-123",
            "SourceIdentity": "alice",
            "ProvidedContexts": [
                {"ProviderArn": "arn:aws:iam::aws:contextProvider/x", "ContextAssertion": "abcd"}
            ],
        },
    ),
    (
        "sts",
        "AssumeRoleWithWebIdentity",
        {"RoleArn": ROLE_ARN, "RoleSessionName": "web", "WebIdentityToken": "eyJhbGciOi.x.y"},
    ),
    ("sts", "GetCallerIdentity", {}),
]


@pytest.mark.parametrize(("service", "operation", "params"), CASES)
def test_botocore_request_parses_back_to_its_input(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    wire = query_params(operation_model(service, operation), params)
    assert ServiceProtocol.load(service).parse_request(operation, wire) == params


def test_unknown_parameters_are_ignored() -> None:
    wire = {"UserName": "bob", "Bogus": "1", "Tags.member.1.Nope": "x", "UserName.extra": "y"}
    assert ServiceProtocol.load("iam").parse_request("GetUser", wire) == {"UserName": "bob"}


def test_list_indexes_sort_numerically_and_close_gaps() -> None:
    wire = {
        "UserName": "bob",
        "Tags.member.10.Key": "ten",
        "Tags.member.10.Value": "",
        "Tags.member.2.Key": "two",
        "Tags.member.2.Value": "2",
        "Tags.member.0.Key": "zero is not an index",
        "Tags.member.01.Key": "nor is a leading zero",
    }
    parsed = ServiceProtocol.load("iam").parse_request("TagUser", wire)
    assert parsed == {
        "UserName": "bob",
        "Tags": [{"Key": "two", "Value": "2"}, {"Key": "ten", "Value": ""}],
    }


def test_pagination_members_come_typed() -> None:
    parsed = ServiceProtocol.load("iam").parse_request(
        "ListRoles", {"MaxItems": "5", "Marker": "m"}
    )
    assert parsed == {"MaxItems": 5, "Marker": "m"}


def test_unknown_action() -> None:
    with pytest.raises(AWSError) as caught:
        ServiceProtocol.load("iam").parse_request("CreateUsers", {})
    assert (caught.value.code, caught.value.status) == ("InvalidAction", 400)
    assert caught.value.message == "Could not find operation CreateUsers for version 2010-05-08"


def test_operation_names_and_metadata() -> None:
    iam = ServiceProtocol.load("iam")
    sts = ServiceProtocol.load("sts")
    assert ServiceProtocol.load("iam") is iam
    assert {"CreateUser", "SimulatePrincipalPolicy", "GetAccountSummary"} <= iam.operation_names()
    assert {"AssumeRole", "GetCallerIdentity", "GetSessionToken"} <= sts.operation_names()
    assert iam.operation_names() == frozenset(
        operation_model("iam", "CreateUser").service_model.operation_names
    )
    assert (iam.name, iam.api_version, iam.xml_namespace) == (
        "iam",
        "2010-05-08",
        "https://iam.amazonaws.com/doc/2010-05-08/",
    )
    assert (sts.api_version, sts.xml_namespace) == (
        "2011-06-15",
        "https://sts.amazonaws.com/doc/2011-06-15/",
    )
