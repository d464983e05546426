"""Instance profiles end to end with boto3: round trips, one role per profile, deletion
conflicts in both directions, tags, pagination, iam:PassRole, and the account summary."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server
from tests.api.helpers import error_of, tag_list, unique

TRUST_EC2 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _role(iam: Any) -> str:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_EC2)
    return name


def test_round_trip_with_tags(server: Server, iam: Any) -> None:
    name = unique("web")
    created = iam.create_instance_profile(
        InstanceProfileName=name, Path="/app/", Tags=[{"Key": "team", "Value": "web"}]
    )["InstanceProfile"]
    assert (
        created["InstanceProfileId"].startswith("AIPA") and len(created["InstanceProfileId"]) == 21
    )
    assert created["Arn"] == f"arn:aws:iam::{server.account_id}:instance-profile/app/{name}"
    assert created["Roles"] == []
    assert tag_list(created) == {"team": "web"}

    got = iam.get_instance_profile(InstanceProfileName=name.upper())["InstanceProfile"]
    assert (got["InstanceProfileName"], got["Path"]) == (name, "/app/")
    listed = iam.list_instance_profiles(PathPrefix="/app/")["InstanceProfiles"]
    assert name in [p["InstanceProfileName"] for p in listed]

    iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "env", "Value": "prod"}])
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["team"])
    assert tag_list(iam.list_instance_profile_tags(InstanceProfileName=name)) == {"env": "prod"}

    with pytest.raises(ClientError) as excinfo:
        iam.create_instance_profile(InstanceProfileName=name.upper())
    assert error_of(excinfo) == (
        "EntityAlreadyExists",
        409,
        f"Instance Profile {name.upper()} already exists.",
    )

    iam.delete_instance_profile(InstanceProfileName=name)
    with pytest.raises(ClientError) as excinfo:
        iam.get_instance_profile(InstanceProfileName=name)
    assert error_of(excinfo) == ("NoSuchEntity", 404, f"Instance Profile {name} cannot be found.")
    # Its tags went with it: a profile of the same name starts without any.
    recreated = iam.create_instance_profile(InstanceProfileName=name, Path="/app/")
    assert "Tags" not in recreated["InstanceProfile"]
    iam.delete_instance_profile(InstanceProfileName=name)


def test_one_role_and_the_deletion_conflicts(iam: Any) -> None:
    profile, role, other = unique("profile"), _role(iam), _role(iam)
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)

    held = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in held] == [role]
    for_role = iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == [profile]
    assert iam.list_instance_profiles_for_role(RoleName=other)["InstanceProfiles"] == []

    for candidate in (other, role):
        with pytest.raises(ClientError) as excinfo:
            iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=candidate)
        assert error_of(excinfo) == (
            "LimitExceeded",
            409,
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        )

    message = "Cannot delete entity, must remove roles from instance profile first."
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName=role)
    assert error_of(excinfo) == ("DeleteConflict", 409, message)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_instance_profile(InstanceProfileName=profile)
    assert error_of(excinfo) == ("DeleteConflict", 409, message)

    with pytest.raises(ClientError) as excinfo:
        iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=other)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    iam.delete_role(RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=profile)
    iam.delete_role(RoleName=other)


def test_missing_profile_or_role(iam: Any) -> None:
    profile, role = unique("profile"), _role(iam)
    with pytest.raises(ClientError) as excinfo:
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        f"Instance Profile {profile} cannot be found.",
    )
    iam.create_instance_profile(InstanceProfileName=profile)
    with pytest.raises(ClientError) as excinfo:
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName="no-such-role")
    assert error_of(excinfo) == (
        "NoSuchEntity",
        404,
        "The role with name no-such-role cannot be found.",
    )
    with pytest.raises(ClientError) as excinfo:
        iam.list_instance_profiles_for_role(RoleName="no-such-role")
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_instance_profile(InstanceProfileName=unique("nothing"))
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)
    iam.delete_instance_profile(InstanceProfileName=profile)
    iam.delete_role(RoleName=role)


def test_pagination_by_path(iam: Any) -> None:
    path = f"/{unique('page')}/"
    made = sorted(unique("p") for _ in range(3))
    for name in made:
        iam.create_instance_profile(InstanceProfileName=name, Path=path)
    first = iam.list_instance_profiles(PathPrefix=path, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_instance_profiles(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert rest["IsTruncated"] is False
    pages = first["InstanceProfiles"] + rest["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in pages] == made
    paginated = iam.get_paginator("list_instance_profiles").paginate(
        PathPrefix=path, PaginationConfig={"PageSize": 1}
    )
    assert [
        p["InstanceProfileName"] for page in paginated for p in page["InstanceProfiles"]
    ] == made
    for name in made:
        iam.delete_instance_profile(InstanceProfileName=name)


def test_adding_a_role_needs_pass_role(server: Server, iam: Any) -> None:
    profile, role, user = unique("profile"), _role(iam), unique("operator")
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.create_user(UserName=user)
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:*InstanceProfile*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName=user, PolicyName="profiles", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    operator = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])

    with pytest.raises(ClientError) as excinfo:
        operator.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert "iam:PassRole" in message

    policy["Statement"].append({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    iam.put_user_policy(UserName=user, PolicyName="profiles", PolicyDocument=json.dumps(policy))
    operator.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    operator.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    operator.delete_instance_profile(InstanceProfileName=profile)


def test_account_summary_counts_instance_profiles(iam: Any) -> None:
    before = iam.get_account_summary()["SummaryMap"]["InstanceProfiles"]
    name = unique("counted")
    iam.create_instance_profile(InstanceProfileName=name)
    assert iam.get_account_summary()["SummaryMap"]["InstanceProfiles"] == before + 1
    iam.delete_instance_profile(InstanceProfileName=name)
    assert iam.get_account_summary()["SummaryMap"]["InstanceProfiles"] == before
