"""Requests signed for services Stockade does not serve: authenticated like any other, then
refused in the error shape that service's SDK reads (JSON, EC2's Query dialect, Query), never a
5xx other than 501; and IAM's ListOrganizationsFeatures, which a standalone account answers with
OrganizationNotFoundException."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.api.conftest import Server
from tests.api.helpers import error_of

NOT_IN_ORGANIZATION = ("AWSOrganizationsNotInUseException", 400)
NOT_IMPLEMENTED = ("NotImplemented", 501)


def _call(server: Server, service: str, operation: str, **params: Any) -> tuple[str, int, str]:
    client = server.client(service)
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(**params)
    return error_of(excinfo)


@pytest.mark.parametrize(
    "operation", ["describe_organization", "list_accounts", "list_roots", "list_policies"]
)
def test_organizations_reads_answer_as_for_a_standalone_account(
    server: Server, operation: str
) -> None:
    params = {"Filter": "SERVICE_CONTROL_POLICY"} if operation == "list_policies" else {}
    code, status, message = _call(server, "organizations", operation, **params)
    assert (code, status) == NOT_IN_ORGANIZATION
    assert message == "Your account is not a member of an organization."


def test_organizations_describe_account_names_the_account(server: Server) -> None:
    code, status, _ = _call(
        server, "organizations", "describe_account", AccountId=server.account_id
    )
    assert (code, status) == NOT_IN_ORGANIZATION


def test_organizations_changes_are_not_implemented(server: Server) -> None:
    code, status, message = _call(server, "organizations", "create_organization")
    assert (code, status) == NOT_IMPLEMENTED
    assert "organizations" in message


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("ec2", "describe_regions"),  # EC2's own Query dialect
        ("kms", "list_keys"),  # JSON 1.1
        ("dynamodb", "list_tables"),  # JSON 1.0
        ("sns", "list_topics"),  # Query
        ("cloudformation", "list_stacks"),  # Query
    ],
)
def test_other_services_are_not_implemented_in_their_own_shape(
    server: Server, service: str, operation: str
) -> None:
    code, status, message = _call(server, service, operation)
    assert (code, status) == NOT_IMPLEMENTED
    assert message == f"Stockade serves IAM and STS only; it does not serve {service}."


def test_a_json_error_is_the_document_aws_json_sdks_read(server: Server) -> None:
    # The raw answer to a JSON-protocol request, signed as an SDK signs it.
    raw = httpx.post(
        server.endpoint + "/",
        content=b"{}",
        headers=_signed_json_headers(server, "organizations", "DescribeOrganization"),
    )
    assert raw.status_code == 400
    assert raw.headers["content-type"].startswith("application/x-amz-json-1.1")
    assert raw.headers["x-amzn-requestid"]
    assert json.loads(raw.content) == {
        "__type": "AWSOrganizationsNotInUseException",
        "message": "Your account is not a member of an organization.",
    }


def _signed_json_headers(server: Server, service: str, operation: str) -> dict[str, str]:
    target = {"organizations": "AWSOrganizationsV20161128"}[service]
    request = AWSRequest(
        "POST",
        server.endpoint + "/",
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"{target}.{operation}",
        },
    )
    SigV4Auth(Credentials(server.admin_key, server.admin_secret), service, "us-east-1").add_auth(
        request
    )
    return dict(request.headers.items())


@pytest.mark.parametrize("service", ["organizations", "ec2", "sns"])
def test_unknown_keys_and_bad_signatures_are_refused_first(server: Server, service: str) -> None:
    operation = {
        "organizations": "describe_organization",
        "ec2": "describe_regions",
        "sns": "list_topics",
    }[service]
    unknown = server.client(service, "AKIAIOSFODNN7EXAMPLE", "x" * 40)
    with pytest.raises(ClientError) as excinfo:
        getattr(unknown, operation)()
    assert error_of(excinfo)[:2] == ("InvalidClientTokenId", 403)
    wrong_secret = server.client(service, server.admin_key, "x" * 40)
    with pytest.raises(ClientError) as excinfo:
        getattr(wrong_secret, operation)()
    assert error_of(excinfo)[:2] == ("SignatureDoesNotMatch", 403)


def test_list_organizations_features_says_there_is_no_organization(
    server: Server, iam: Any
) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.list_organizations_features()
    assert error_of(excinfo)[:2] == ("OrganizationNotFoundException", 400)


def test_list_organizations_features_is_a_permission(server: Server, iam: Any) -> None:
    name = "no-org-features"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        user.list_organizations_features()
    assert error_of(excinfo)[:2] == ("AccessDenied", 403)
