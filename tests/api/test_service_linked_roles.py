"""Service-linked roles end to end with boto3: the name, path, trust policy and policy AWS gives
them, custom suffixes, protection from ordinary role operations, and deletion tasks."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from stockade.identity.aws_policies import aws_managed_policies
from stockade.identity.service_linked_roles import SERVICES
from tests.api.conftest import Server
from tests.api.helpers import error_of, unique

AUTOSCALING = "autoscaling.amazonaws.com"


def _suffix() -> str:
    return secrets.token_hex(4)


def test_every_known_service_has_its_managed_policy() -> None:
    shipped = aws_managed_policies()
    for service, linked in SERVICES.items():
        assert f"arn:aws:iam::aws:policy/aws-service-role/{linked.policy}" in shipped, service


def test_created_as_aws_creates_it(server: Server, iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com", Description="ECS")[
        "Role"
    ]
    assert role["RoleName"] == "AWSServiceRoleForECS"
    assert role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert role["Arn"] == (
        f"arn:aws:iam::{server.account_id}:role/aws-service-role/ecs.amazonaws.com/"
        "AWSServiceRoleForECS"
    )
    assert role["Description"] == "ECS"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(unquote(trust)) if isinstance(trust, str) else trust
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [
        "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
    ]

    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    assert error_of(excinfo) == (
        "InvalidInput",
        400,
        "Service role name AWSServiceRoleForECS has been taken in this account, please try a "
        "different suffix.",
    )
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert re.fullmatch(
        r"task/aws-service-role/ecs\.amazonaws\.com/AWSServiceRoleForECS/[0-9a-f-]{36}", task
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"AWSServiceName": "nothing.example.com"}, "does not support service-linked roles"),
        ({"AWSServiceName": "ecs.amazonaws.com", "CustomSuffix": "x"}, "Custom suffix"),
        ({"AWSServiceName": AUTOSCALING, "CustomSuffix": "x" * 40}, "longer than 64"),
    ],
)
def test_refused(iam: Any, arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.create_service_linked_role(**arguments)
    code, status, text = error_of(excinfo)
    assert (code, status) == ("InvalidInput", 400)
    assert message in text


def test_protected_from_ordinary_role_operations(iam: Any) -> None:
    suffix = _suffix()
    name = iam.create_service_linked_role(AWSServiceName=AUTOSCALING, CustomSuffix=suffix)["Role"][
        "RoleName"
    ]
    assert name == f"AWSServiceRoleForAutoScaling_{suffix}"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName=name)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("UnmodifiableEntity", 400)
    assert f"protected role '{name}'" in message and AUTOSCALING in message

    profile = unique("profile")
    iam.create_instance_profile(InstanceProfileName=profile)
    with pytest.raises(ClientError) as excinfo:
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=name)
    assert error_of(excinfo)[:2] == ("UnmodifiableEntity", 400)
    iam.delete_instance_profile(InstanceProfileName=profile)

    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    changes = [
        lambda: iam.attach_role_policy(
            RoleName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
        ),
        lambda: iam.put_role_policy(
            RoleName=name,
            PolicyName="x",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                }
            ),
        ),
        lambda: iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust)),
        lambda: iam.update_role(RoleName=name, MaxSessionDuration=7200),
        lambda: iam.put_role_permissions_boundary(
            RoleName=name, PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess"
        ),
    ]
    for change in changes:
        with pytest.raises(ClientError) as excinfo:
            change()
        assert error_of(excinfo)[:2] == ("UnmodifiableEntity", 400)
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"][0]["PolicyArn"] != (
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    iam.delete_service_linked_role(RoleName=name)


def test_deletion_and_its_status(iam: Any) -> None:
    before = iam.get_account_summary()["SummaryMap"]["Roles"]
    name = iam.create_service_linked_role(AWSServiceName=AUTOSCALING, CustomSuffix=_suffix())[
        "Role"
    ]["RoleName"]
    assert iam.get_account_summary()["SummaryMap"]["Roles"] == before + 1

    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED"
    assert iam.get_account_summary()["SummaryMap"]["Roles"] == before
    with pytest.raises(ClientError) as excinfo:
        iam.get_role(RoleName=name)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_service_linked_role(RoleName=name)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)

    unknown = task.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_linked_role_deletion_status(DeletionTaskId=unknown)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_linked_role_deletion_status(DeletionTaskId="not-a-task")
    assert error_of(excinfo)[:2] == ("InvalidInput", 400)


def test_ordinary_roles_are_not_deleted_as_service_linked(iam: Any) -> None:
    name = unique("plain")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": AUTOSCALING}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    with pytest.raises(ClientError) as excinfo:
        iam.delete_service_linked_role(RoleName=name)
    assert error_of(excinfo)[:2] == ("ValidationError", 400)
    iam.delete_role(RoleName=name)
