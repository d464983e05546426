"""Authorization through the API: resource tags, boundaries, explicit denies and the password
policy's AllowUsersToChangePassword, as AWS decides them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server


def _user_with_keys(
    iam: Any, server: Server, name: str, policy: dict[str, Any] | None = None
) -> Any:
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])


def _denied(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return str(error["Message"])


def test_resource_tags_decide(server: Server, iam: Any) -> None:
    iam.create_user(UserName="blue-one", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_user(UserName="red-one", Tags=[{"Key": "team", "Value": "red"}])
    reader = _user_with_keys(
        iam,
        server,
        "blue-reader",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:GetUser",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}},
                }
            ],
        },
    )
    assert reader.get_user(UserName="blue-one")["User"]["UserName"] == "blue-one"
    with pytest.raises(ClientError) as excinfo:
        reader.get_user(UserName="red-one")
    assert "iam:GetUser on resource: arn:aws:iam::" in _denied(excinfo)


def test_explicit_deny_wording(server: Server, iam: Any) -> None:
    client = _user_with_keys(
        iam,
        server,
        "denied-one",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"},
            ],
        },
    )
    with pytest.raises(ClientError) as excinfo:
        client.delete_user(UserName="denied-one")
    message = _denied(excinfo)
    assert message.endswith("with an explicit deny in an identity-based policy")
    assert iam.get_user(UserName="denied-one")["User"]["UserName"] == "denied-one"


def test_boundary_limits_an_administrator(server: Server, iam: Any) -> None:
    boundary = iam.create_policy(
        PolicyName="ReadOnlyIam",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}
                ],
            }
        ),
    )["Policy"]["Arn"]
    client = _user_with_keys(iam, server, "bounded-admin")
    iam.attach_user_policy(
        UserName="bounded-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam.put_user_permissions_boundary(UserName="bounded-admin", PermissionsBoundary=boundary)
    assert client.list_users()["Users"]
    with pytest.raises(ClientError) as excinfo:
        client.create_user(UserName="not-made")
    assert _denied(excinfo).endswith(
        "because no permissions boundary allows the iam:CreateUser action"
    )
    policy = iam.get_policy(PolicyArn=boundary)["Policy"]
    assert policy["PermissionsBoundaryUsageCount"] == 1


def test_users_change_their_own_password_when_the_policy_allows(server: Server, iam: Any) -> None:
    client = _user_with_keys(iam, server, "changer")
    iam.create_login_profile(UserName="changer", Password="First-Passw0rd!")
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True)
    with pytest.raises(ClientError) as excinfo:
        client.change_password(OldPassword="First-Passw0rd!", NewPassword="Second-Passw0rd!")
    _denied(excinfo)
    iam.update_account_password_policy(
        MinimumPasswordLength=12, RequireNumbers=True, AllowUsersToChangePassword=True
    )
    with pytest.raises(ClientError) as short:
        client.change_password(OldPassword="First-Passw0rd!", NewPassword="short1")
    assert short.value.response["Error"]["Code"] == "PasswordPolicyViolation"
    client.change_password(OldPassword="First-Passw0rd!", NewPassword="Second-Passw0rd!")
    with pytest.raises(ClientError) as wrong:
        client.change_password(OldPassword="First-Passw0rd!", NewPassword="Third-Passw0rd!")
    assert wrong.value.response["Error"]["Code"] == "InvalidInput"
    iam.delete_account_password_policy()


def test_renaming_a_user_keeps_its_tags(server: Server, iam: Any) -> None:
    iam.create_user(UserName="before-rename", Tags=[{"Key": "team", "Value": "blue"}])
    iam.update_user(UserName="before-rename", NewUserName="after-rename", NewPath="/moved/")
    user = iam.get_user(UserName="after-rename")["User"]
    assert user["Arn"].endswith(":user/moved/after-rename")
    assert user["Tags"] == [{"Key": "team", "Value": "blue"}]


def test_principal_tag_changes_apply_to_the_next_request(server: Server, iam: Any) -> None:
    # The server keeps each caller's row and tags per account generation; tagging or untagging
    # the caller must move that generation, or the old tags would keep deciding.
    client = _user_with_keys(
        iam,
        server,
        "tagged-caller",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:ListRoles",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
                }
            ],
        },
    )
    with pytest.raises(ClientError) as excinfo:
        client.list_roles()
    _denied(excinfo)
    iam.tag_user(UserName="tagged-caller", Tags=[{"Key": "team", "Value": "ops"}])
    assert "Roles" in client.list_roles()
    assert iam.get_user(UserName="tagged-caller")["User"]["Tags"] == [
        {"Key": "team", "Value": "ops"}
    ]
    iam.untag_user(UserName="tagged-caller", TagKeys=["team"])
    assert "Tags" not in iam.get_user(UserName="tagged-caller")["User"]
    with pytest.raises(ClientError) as excinfo:
        client.list_roles()
    _denied(excinfo)


def test_renamed_caller_and_deactivated_key_apply_to_the_next_request(
    server: Server, iam: Any
) -> None:
    iam.create_user(UserName="renamed-caller")
    allow_get_user = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
    }
    iam.put_user_policy(
        UserName="renamed-caller", PolicyName="self", PolicyDocument=json.dumps(allow_get_user)
    )
    key = iam.create_access_key(UserName="renamed-caller")["AccessKey"]
    client = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert client.get_user()["User"]["Arn"].endswith(":user/renamed-caller")
    iam.update_user(UserName="renamed-caller", NewUserName="renamed-caller-2", NewPath="/ops/")
    # Repeated, so that a server on PostgreSQL holds the key and answers from memory.
    for _ in range(3):
        assert client.get_user()["User"]["Arn"].endswith(":user/ops/renamed-caller-2")
    iam.update_access_key(
        UserName="renamed-caller-2", AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )
    with pytest.raises(ClientError) as excinfo:
        client.get_user()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
