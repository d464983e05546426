"""The IAM policy simulator end to end with boto3: SimulatePrincipalPolicy, SimulateCustomPolicy
and GetContextKeysFor*, their matched statements, boundaries, context, pagination and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server

POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"

# Written out by hand so that the positions the simulator reports can be checked: the Deny
# statement opens on line 5, column 5 and closes on line 10, column 5.
NO_DELETE = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
    {
      "Sid": "NoDelete",
      "Effect": "Deny",
      "Action": "s3:DeleteObject",
      "Resource": "*"
    }
  ]
}"""


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _user_arn(server: Server, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{server.account_id}:user{path}{name}"


def _by_action(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["EvalActionName"]: result for result in response["EvaluationResults"]}


def _statement_lines(document: dict[str, Any]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) of each statement of a document laid out as Stockade ships AWS managed
    policies (json.dumps, indent 4): each statement opens with `{` and closes with `}` on lines
    of their own, indented by 8."""
    lines = json.dumps(document, indent=4).split("\n")
    starts = [n for n, line in enumerate(lines, 1) if line == " " * 8 + "{"]
    ends = [n for n, line in enumerate(lines, 1) if line.rstrip(",") == " " * 8 + "}"]
    return [((start, 9), (end, 9)) for start, end in zip(starts, ends, strict=True)]


def test_group_power_user_allows_s3_not_iam(server: Server, iam: Any) -> None:
    iam.create_group(GroupName="sim-powers")
    iam.attach_group_policy(GroupName="sim-powers", PolicyArn=POWER_USER)
    iam.create_user(UserName="sim-power-user")
    iam.add_user_to_group(GroupName="sim-powers", UserName="sim-power-user")

    results = _by_action(
        iam.simulate_principal_policy(
            PolicySourceArn=_user_arn(server, "sim-power-user"),
            ActionNames=["iam:CreateUser", "s3:GetObject"],
        )
    )

    refused = results["iam:CreateUser"]
    assert (refused["EvalDecision"], refused["EvalResourceName"]) == ("implicitDeny", "*")
    assert refused["MatchedStatements"] == []
    assert "ResourceSpecificResults" not in refused
    assert "EvalDecisionDetails" not in refused  # one account, every resource
    allowed = results["s3:GetObject"]
    assert allowed["EvalDecision"] == "allowed"
    version = iam.get_policy(PolicyArn=POWER_USER)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=POWER_USER, VersionId=version)["PolicyVersion"]
    (start, end) = _statement_lines(document["Document"])[0]  # the NotAction iam:* statement
    assert allowed["MatchedStatements"] == [
        {
            "SourcePolicyId": "PowerUserAccess",
            "SourcePolicyType": "aws-managed",
            "StartPosition": {"Line": start[0], "Column": start[1]},
            "EndPosition": {"Line": end[0], "Column": end[1]},
        }
    ]
    assert allowed["MissingContextValues"] == []


def test_explicit_deny_in_inline_policy_wins(server: Server, iam: Any) -> None:
    iam.create_group(GroupName="sim-deny-group")
    iam.attach_group_policy(GroupName="sim-deny-group", PolicyArn=POWER_USER)
    iam.create_user(UserName="sim-denied")
    iam.add_user_to_group(GroupName="sim-deny-group", UserName="sim-denied")
    iam.put_user_policy(UserName="sim-denied", PolicyName="NoDelete", PolicyDocument=NO_DELETE)

    result = iam.simulate_principal_policy(
        PolicySourceArn=_user_arn(server, "sim-denied"),
        ActionNames=["s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::sim-bucket/report.csv"],
    )["EvaluationResults"][0]

    deny = {
        "SourcePolicyId": "user_sim-denied_NoDelete",
        "SourcePolicyType": "user",
        "StartPosition": {"Line": 5, "Column": 5},
        "EndPosition": {"Line": 10, "Column": 5},
    }
    assert result["EvalDecision"] == "explicitDeny"
    assert result["EvalResourceName"] == "arn:aws:s3:::sim-bucket/report.csv"
    assert result["MatchedStatements"] == [deny]  # the deny only, not PowerUserAccess's allow
    assert result["EvalDecisionDetails"] == {}  # one account, a named resource
    assert result["ResourceSpecificResults"] == [
        {
            "EvalResourceName": "arn:aws:s3:::sim-bucket/report.csv",
            "EvalResourceDecision": "explicitDeny",
            "MatchedStatements": [deny],
            "MissingContextValues": [],
        }
    ]


def test_permissions_boundary_limits(server: Server, iam: Any) -> None:
    boundary = iam.create_policy(PolicyName="sim-s3-only", PolicyDocument=_doc(_allow("s3:*")))
    iam.create_user(UserName="sim-bounded", PermissionsBoundary=boundary["Policy"]["Arn"])
    iam.put_user_policy(
        UserName="sim-bounded",
        PolicyName="broad",
        PolicyDocument=_doc(_allow(["s3:*", "iam:ListUsers"])),
    )
    arn = _user_arn(server, "sim-bounded")

    results = _by_action(
        iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["s3:PutObject", "iam:ListUsers"]
        )
    )

    assert results["s3:PutObject"]["EvalDecision"] == "allowed"
    assert results["s3:PutObject"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": True
    }
    sources = {
        s["SourcePolicyId"]: s["SourcePolicyType"]
        for s in results["s3:PutObject"]["MatchedStatements"]
    }
    assert sources == {"user_sim-bounded_broad": "user", "sim-s3-only": "user-managed"}
    assert results["iam:ListUsers"]["EvalDecision"] == "implicitDeny"
    assert results["iam:ListUsers"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False
    }

    # A boundary given as text replaces the user's own.
    replaced = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["iam:ListUsers"],
        PermissionsBoundaryPolicyInputList=[_doc(_allow("iam:List*"))],
    )["EvaluationResults"][0]
    assert replaced["EvalDecision"] == "allowed"
    assert replaced["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}


def test_condition_on_mfa_and_missing_context_values(server: Server, iam: Any) -> None:
    iam.create_user(UserName="sim-mfa")
    iam.put_user_policy(
        UserName="sim-mfa",
        PolicyName="mfa-only",
        PolicyDocument=_doc(
            _allow("ec2:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        ),
    )
    arn = _user_arn(server, "sim-mfa")

    def simulate(*entries: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=["ec2:RunInstances"], ContextEntries=list(entries)
        )["EvaluationResults"][0]
        return result

    without = simulate()
    assert without["EvalDecision"] == "implicitDeny"
    assert without["MissingContextValues"] == ["aws:MultiFactorAuthPresent"]

    def mfa(value: str) -> dict[str, Any]:
        return {
            "ContextKeyName": "aws:MultiFactorAuthPresent",
            "ContextKeyValues": [value],
            "ContextKeyType": "boolean",
        }

    with_mfa = simulate(mfa("true"))
    assert with_mfa["EvalDecision"] == "allowed"
    assert with_mfa["MissingContextValues"] == []
    assert with_mfa["MatchedStatements"][0]["SourcePolicyId"] == "user_sim-mfa_mfa-only"
    without_mfa = simulate(mfa("false"))
    assert (without_mfa["EvalDecision"], without_mfa["MissingContextValues"]) == (
        "implicitDeny",
        [],
    )


def test_multivalued_context_key(server: Server, iam: Any) -> None:
    policy = _doc(
        _allow(
            "iam:TagUser",
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "owner"]}},
        )
    )

    def decision(keys: list[str]) -> str:
        result = iam.simulate_custom_policy(
            PolicyInputList=[policy],
            ActionNames=["iam:TagUser"],
            ContextEntries=[
                {
                    "ContextKeyName": "aws:TagKeys",
                    "ContextKeyValues": keys,
                    "ContextKeyType": "stringList",
                }
            ],
        )["EvaluationResults"][0]
        return str(result["EvalDecision"])

    assert decision(["team", "owner"]) == "allowed"
    assert decision(["team", "cost-centre"]) == "implicitDeny"


def test_custom_policies_with_resource_policy(server: Server, iam: Any) -> None:
    caller = _user_arn(server, "sim-reader")
    public = "arn:aws:s3:::sim-data/public/a.txt"
    secret = "arn:aws:s3:::sim-data/secret/b.txt"
    bucket_policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": caller},
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::sim-data/*",
                }
            ],
        }
    )

    results = _by_action(
        iam.simulate_custom_policy(
            PolicyInputList=[
                _doc(_allow("s3:GetObject", "arn:aws:s3:::sim-data/*")),
                _doc(
                    {
                        "Effect": "Deny",
                        "Action": "s3:*",
                        "Resource": "arn:aws:s3:::sim-data/secret/*",
                    }
                ),
            ],
            ActionNames=["s3:GetObject", "s3:PutObject"],
            ResourceArns=[public, secret],
            ResourcePolicy=bucket_policy,
            CallerArn=caller,
        )
    )

    read = results["s3:GetObject"]
    assert read["EvalDecision"] == "explicitDeny"  # the most restrictive over both resources
    assert read["EvalResourceName"] == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert [s["SourcePolicyId"] for s in read["MatchedStatements"]] == ["PolicyInputList.2"]
    per_resource = {r["EvalResourceName"]: r for r in read["ResourceSpecificResults"]}
    assert per_resource[public]["EvalResourceDecision"] == "allowed"
    assert per_resource[public]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert per_resource[public]["MatchedStatements"][0]["SourcePolicyType"] == "none"
    assert per_resource[secret]["EvalResourceDecision"] == "explicitDeny"
    write = results["s3:PutObject"]
    assert [r["EvalResourceDecision"] for r in write["ResourceSpecificResults"]] == [
        "allowed",
        "explicitDeny",
    ]
    granted = write["ResourceSpecificResults"][0]["MatchedStatements"]
    assert [(s["SourcePolicyId"], s["SourcePolicyType"]) for s in granted] == [
        ("ResourcePolicy", "resource")
    ]


def test_service_control_policies(server: Server, iam: Any) -> None:
    results = _by_action(
        iam.simulate_custom_policy(
            PolicyInputList=[_doc(_allow("s3:*"))],
            OrderedOrganizationPolicyInputList=[
                {"ServiceControlPolicyInputList": [_doc(_allow("*"))]},
                {
                    "ServiceControlPolicyInputList": [
                        _doc(
                            _allow("*"),
                            {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"},
                        )
                    ]
                },
            ],
            ActionNames=["s3:GetObject", "s3:PutObject"],
        )
    )
    read, write = results["s3:GetObject"], results["s3:PutObject"]
    assert read["EvalDecision"] == "allowed"
    assert read["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    # SCP statements are never listed, only identity and resource policy ones.
    assert [s["SourcePolicyId"] for s in read["MatchedStatements"]] == ["PolicyInputList.1"]
    assert write["EvalDecision"] == "explicitDeny"
    assert write["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert write["MatchedStatements"] == []


def test_cross_account_needs_both_sides(server: Server, iam: Any) -> None:
    caller = _user_arn(server, "sim-cross")
    other_bucket = "arn:aws:s3:::sim-partner/file"
    common: dict[str, Any] = {
        "PolicyInputList": [_doc(_allow("s3:GetObject"))],
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": [other_bucket],
        "ResourceOwner": "arn:aws:iam::210987654321:root",
        "CallerArn": caller,
    }
    refused = iam.simulate_custom_policy(
        **common,
        ResourcePolicy=_resource_policy(f"arn:aws:iam::{server.account_id}:root", "s3:PutObject"),
    )["EvaluationResults"][0]
    assert refused["EvalDecision"] == "implicitDeny"
    assert refused["EvalDecisionDetails"] == {
        "IAM Policy": "allowed",
        "Resource Policy": "implicitDeny",
    }
    granted = iam.simulate_custom_policy(
        **common,
        ResourcePolicy=_resource_policy(f"arn:aws:iam::{server.account_id}:root", "s3:GetObject"),
    )["EvaluationResults"][0]
    assert granted["EvalDecision"] == "allowed"
    assert granted["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert granted["ResourceSpecificResults"][0]["EvalDecisionDetails"] == {
        "IAM Policy": "allowed",
        "Resource Policy": "allowed",
    }


def _resource_policy(principal: str, action: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": action,
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_context_keys(server: Server, iam: Any) -> None:
    # AWS's own example: the variable of the Resource, then the key of the Condition.
    example = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
        '"Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'
    )
    other = _doc(
        _allow(
            "s3:GetObject",
            Condition={
                "StringEquals": {"AWS:USERNAME": "x", "s3:prefix": "home/${aws:PrincipalTag/team}"},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            },
        )
    )
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[example, other])
    assert keys["ContextKeyNames"] == [
        "aws:username",
        "aws:CurrentTime",
        "s3:prefix",
        "aws:PrincipalTag/team",
        "aws:SourceIp",
    ]

    boundary = iam.create_policy(
        PolicyName="sim-keys-boundary",
        PolicyDocument=_doc(
            _allow("*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})
        ),
    )
    iam.create_group(GroupName="sim-keys-group")
    iam.put_group_policy(
        GroupName="sim-keys-group",
        PolicyName="tags",
        PolicyDocument=_doc(_allow("ec2:*", Condition={"Null": {"aws:RequestTag/team": "false"}})),
    )
    iam.create_user(UserName="sim-keys", PermissionsBoundary=boundary["Policy"]["Arn"])
    iam.add_user_to_group(GroupName="sim-keys-group", UserName="sim-keys")
    iam.put_user_policy(
        UserName="sim-keys",
        PolicyName="own",
        PolicyDocument=_doc(_allow("s3:*", Condition={"Bool": {"aws:SecureTransport": "true"}})),
    )
    principal = iam.get_context_keys_for_principal_policy(
        PolicySourceArn=_user_arn(server, "sim-keys"),
        PolicyInputList=[
            _doc(_allow("sqs:*", Condition={"NumericLessThan": {"aws:EpochTime": "1"}}))
        ],
    )
    assert principal["ContextKeyNames"] == [
        "aws:SecureTransport",
        "aws:RequestTag/team",
        "aws:EpochTime",
        "aws:RequestedRegion",
    ]


def test_pagination_walks_every_action(server: Server, iam: Any) -> None:
    actions = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage"]
    policy = _doc(_allow("s3:*"))
    seen: list[str] = []
    marker: dict[str, str] = {}
    while True:
        page = iam.simulate_custom_policy(
            PolicyInputList=[policy], ActionNames=actions, MaxItems=1, **marker
        )
        assert len(page["EvaluationResults"]) == 1
        seen += [r["EvalActionName"] for r in page["EvaluationResults"]]
        if not page["IsTruncated"]:
            break
        marker = {"Marker": page["Marker"]}
    assert seen == actions

    paginator = iam.get_paginator("simulate_custom_policy")
    pages = paginator.paginate(
        PolicyInputList=[policy], ActionNames=actions, PaginationConfig={"PageSize": 2}
    )
    decisions = [r["EvalDecision"] for p in pages for r in p["EvaluationResults"]]
    assert decisions == ["allowed", "allowed", "implicitDeny"]


def test_bad_input_is_refused_in_aws_words(server: Server, iam: Any) -> None:
    iam.create_user(UserName="sim-errors", Path="/team/")
    arn = _user_arn(server, "sim-errors", "/team/")
    cases: list[tuple[dict[str, Any], tuple[str, int]]] = [
        ({"PolicyInputList": ['{"Version": "2012-10-17", "Statement": ']}, ("InvalidInput", 400)),
        ({"PolicyInputList": [_doc({"Effect": "Allow", "Action": "s3:*"})]}, ("InvalidInput", 400)),
        ({"PolicySourceArn": _user_arn(server, "sim-nobody")}, ("NoSuchEntity", 404)),
        ({"PolicySourceArn": _user_arn(server, "sim-errors")}, ("NoSuchEntity", 404)),  # path
        ({"PolicySourceArn": "arn:aws:iam::123456789012:policy/x"}, ("InvalidInput", 400)),
        ({"ActionNames": ["s3:*"]}, ("InvalidInput", 400)),
        ({"PolicyExclusionList": [{"PolicyType": "inline"}]}, ("NotImplemented", 501)),
        ({"ResourcePolicy": _doc(_allow("s3:*"))}, ("InvalidInput", 400)),  # no Principal
        ({"CallerArn": "arn:aws:sts::123456789012:assumed-role/r/s"}, ("InvalidInput", 400)),
        (
            {"PermissionsBoundaryPolicyInputList": [_doc(_allow("s3:*")), _doc(_allow("*"))]},
            ("InvalidInput", 400),
        ),
        (
            {
                "ContextEntries": [
                    {
                        "ContextKeyName": "aws:EpochTime",
                        "ContextKeyValues": ["soon"],
                        "ContextKeyType": "numeric",
                    }
                ]
            },
            ("InvalidInput", 400),
        ),
    ]
    for change, expected in cases:
        request = {"PolicySourceArn": arn, "ActionNames": ["s3:GetObject"], **change}
        with pytest.raises(ClientError) as excinfo:
            iam.simulate_principal_policy(**request)
        assert _error(excinfo) == expected, change

    with pytest.raises(ClientError) as excinfo:
        iam.simulate_custom_policy(
            PolicyInputList=[_doc(_allow("s3:*"))],
            ActionNames=["s3:GetObject"],
            ResourcePolicy=_resource_policy("*", "s3:GetObject"),
        )
    assert _error(excinfo) == ("InvalidInput", 400)  # a resource policy needs CallerArn
    with pytest.raises(ClientError) as excinfo:
        iam.get_context_keys_for_custom_policy(PolicyInputList=["not json"])
    assert _error(excinfo) == ("InvalidInput", 400)
    with pytest.raises(ClientError) as excinfo:
        iam.get_context_keys_for_principal_policy(PolicySourceArn=_user_arn(server, "sim-nobody"))
    assert _error(excinfo) == ("NoSuchEntity", 404)


def test_simulation_is_authorized(server: Server, iam: Any) -> None:
    iam.create_user(UserName="sim-custom-only")
    iam.put_user_policy(
        UserName="sim-custom-only",
        PolicyName="simulate",
        PolicyDocument=_doc(_allow("iam:SimulateCustomPolicy")),
    )
    key = iam.create_access_key(UserName="sim-custom-only")["AccessKey"]
    client = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])

    result = client.simulate_custom_policy(
        PolicyInputList=[_doc(_allow("s3:*"))], ActionNames=["s3:GetObject"]
    )
    assert result["EvaluationResults"][0]["EvalDecision"] == "allowed"
    with pytest.raises(ClientError) as excinfo:
        client.simulate_principal_policy(
            PolicySourceArn=_user_arn(server, "admin"), ActionNames=["s3:GetObject"]
        )
    assert _error(excinfo) == ("AccessDenied", 403)
    assert (
        "iam:SimulatePrincipalPolicy on resource: " + _user_arn(server, "admin")
        in (excinfo.value.response["Error"]["Message"])
    )
