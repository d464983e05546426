"""GetAccountAuthorizationDetails end to end with boto3: every list, each Filter, pagination."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
LIST_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def _doc(action: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture(scope="module")
def account(server: Server, iam: Any) -> dict[str, str]:
    """A user in a group, a role, and a customer managed policy with two versions."""
    policy = iam.create_policy(PolicyName="details-policy", PolicyDocument=json.dumps(_doc("s3:*")))
    policy_arn = policy["Policy"]["Arn"]
    iam.create_policy_version(
        PolicyArn=policy_arn, PolicyDocument=json.dumps(_doc("sqs:*")), SetAsDefault=True
    )
    iam.create_group(GroupName="details-group")
    iam.attach_group_policy(GroupName="details-group", PolicyArn=READ_ONLY)
    iam.put_group_policy(
        GroupName="details-group",
        PolicyName="group-inline",
        PolicyDocument=json.dumps(_doc("ec2:*")),
    )
    iam.create_user(
        UserName="details-user",
        PermissionsBoundary=policy_arn,
        Tags=[{"Key": "team", "Value": "blue"}],
    )
    iam.add_user_to_group(GroupName="details-group", UserName="details-user")
    iam.attach_user_policy(UserName="details-user", PolicyArn=policy_arn)
    iam.put_user_policy(
        UserName="details-user", PolicyName="user-inline", PolicyDocument=json.dumps(_doc("sns:*"))
    )
    iam.create_role(
        RoleName="details-role",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=[{"Key": "env", "Value": "prod"}],
    )
    iam.attach_role_policy(RoleName="details-role", PolicyArn=policy_arn)
    iam.put_role_policy(
        RoleName="details-role", PolicyName="role-inline", PolicyDocument=json.dumps(_doc("sts:*"))
    )
    return {"policy_arn": policy_arn}


def _named(items: list[dict[str, Any]], key: str, name: str) -> dict[str, Any]:
    return next(item for item in items if item[key] == name)


def test_every_list_in_full(server: Server, iam: Any, account: dict[str, str]) -> None:
    details = iam.get_account_authorization_details()
    assert details["IsTruncated"] is False

    user = _named(details["UserDetailList"], "UserName", "details-user")
    assert user["Arn"] == f"arn:aws:iam::{server.account_id}:user/details-user"
    assert user["UserPolicyList"] == [
        {"PolicyName": "user-inline", "PolicyDocument": _doc("sns:*")}
    ]
    assert user["GroupList"] == ["details-group"]
    assert user["AttachedManagedPolicies"] == [
        {"PolicyName": "details-policy", "PolicyArn": account["policy_arn"]}
    ]
    assert user["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": account["policy_arn"],
    }
    assert user["Tags"] == [{"Key": "team", "Value": "blue"}]

    group = _named(details["GroupDetailList"], "GroupName", "details-group")
    assert group["GroupPolicyList"] == [
        {"PolicyName": "group-inline", "PolicyDocument": _doc("ec2:*")}
    ]
    assert group["AttachedManagedPolicies"] == [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}
    ]

    role = _named(details["RoleDetailList"], "RoleName", "details-role")
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["InstanceProfileList"] == []
    assert role["RolePolicyList"] == [
        {"PolicyName": "role-inline", "PolicyDocument": _doc("sts:*")}
    ]
    assert role["AttachedManagedPolicies"] == [
        {"PolicyName": "details-policy", "PolicyArn": account["policy_arn"]}
    ]
    assert role["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert role["RoleLastUsed"] == {}

    policy = _named(details["Policies"], "Arn", account["policy_arn"])
    assert (policy["DefaultVersionId"], policy["AttachmentCount"]) == ("v2", 2)
    assert policy["PermissionsBoundaryUsageCount"] == 1
    versions = {v["VersionId"]: v for v in policy["PolicyVersionList"]}
    assert versions["v1"]["Document"] == _doc("s3:*")
    assert versions["v1"]["IsDefaultVersion"] is False
    assert versions["v2"]["Document"] == _doc("sqs:*")
    assert versions["v2"]["IsDefaultVersion"] is True


def test_aws_managed_policies_only_when_attached(
    server: Server, iam: Any, account: dict[str, str]
) -> None:
    policies = iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])["Policies"]
    arns = [p["Arn"] for p in policies]
    # The administrator `stockade init` made holds AdministratorAccess.
    assert READ_ONLY in arns and "arn:aws:iam::aws:policy/AdministratorAccess" in arns
    assert SECURITY_AUDIT not in arns
    assert all(p["AttachmentCount"] or p["PermissionsBoundaryUsageCount"] for p in policies)
    read_only = _named(policies, "Arn", READ_ONLY)
    (version,) = read_only["PolicyVersionList"]
    assert version["IsDefaultVersion"] is True
    assert version["Document"]["Version"] == "2012-10-17"


@pytest.mark.parametrize(
    ("entity_filter", "filled"),
    [
        (["User"], {"UserDetailList"}),
        (["Group"], {"GroupDetailList"}),
        (["Role"], {"RoleDetailList"}),
        (["LocalManagedPolicy"], {"Policies"}),
        (["User", "Role"], {"UserDetailList", "RoleDetailList"}),
    ],
)
def test_each_filter(
    iam: Any, account: dict[str, str], entity_filter: list[str], filled: set[str]
) -> None:
    details = iam.get_account_authorization_details(Filter=entity_filter)
    assert {key for key in LIST_KEYS if details[key]} == filled
    if entity_filter == ["LocalManagedPolicy"]:
        assert all(":aws:policy/" not in p["Arn"] for p in details["Policies"])
        assert account["policy_arn"] in [p["Arn"] for p in details["Policies"]]


def test_pagination_walks_every_item(iam: Any, account: dict[str, str]) -> None:
    whole = iam.get_account_authorization_details()
    expected = {key: [_identity(item) for item in whole[key]] for key in LIST_KEYS}
    walked: dict[str, list[str]] = {key: [] for key in LIST_KEYS}
    pages = 0
    marker: dict[str, str] = {}
    while True:
        page = iam.get_account_authorization_details(MaxItems=1, **marker)
        pages += 1
        assert sum(len(page[key]) for key in LIST_KEYS) == 1
        for key in LIST_KEYS:
            walked[key] += [_identity(item) for item in page[key]]
        if not page["IsTruncated"]:
            break
        marker = {"Marker": page["Marker"]}
    assert walked == expected
    assert pages == sum(len(items) for items in expected.values())


def _identity(item: dict[str, Any]) -> str:
    return str(item["Arn"])


def test_needs_permission(server: Server, iam: Any) -> None:
    iam.create_user(UserName="details-nobody")
    key = iam.create_access_key(UserName="details-nobody")["AccessKey"]
    client = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        client.get_account_authorization_details()
    response = excinfo.value.response
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "iam:GetAccountAuthorizationDetails on resource: *" in response["Error"]["Message"]
