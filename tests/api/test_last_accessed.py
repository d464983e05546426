"""Service last accessed reports (GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails,
GetServiceLastAccessedDetailsWithEntities) through boto3 against a real server: which services a
subject's policies allow, what real signed requests record as their use, who used them, paging,
and the errors, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from stockade.policy.catalogue import load_catalogue
from tests.api.conftest import Server
from tests.api.helpers import error_of, unique

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": "*"}


def _user_with_key(iam: Any, *statements: dict[str, Any]) -> tuple[str, dict[str, str]]:
    name = unique("la")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=_document(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, key


def _client(server: Server, key: dict[str, str], service: str = "iam") -> Any:
    return server.client(service, key["AccessKeyId"], key["SecretAccessKey"])


def _report(iam: Any, arn: str, **extra: Any) -> dict[str, Any]:
    job = iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
    report: dict[str, Any] = iam.get_service_last_accessed_details(JobId=job, **extra)
    return report


def _by_namespace(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["ServiceNamespace"]: entry for entry in report["ServicesLastAccessed"]}


def _arn(server: Server, kind: str, name: str) -> str:
    return f"arn:aws:iam::{server.account_id}:{kind}/{name}"


def test_a_users_report_lists_the_services_its_policies_allow_and_its_use(
    server: Server, iam: Any
) -> None:
    name, key = _user_with_key(iam, _allow(["iam:ListUsers", "s3:GetObject"]))
    before = datetime.now(UTC) - timedelta(seconds=5)
    _client(server, key).list_users()  # a signed request to IAM with the user's own key

    report = _report(iam, _arn(server, "user", name))

    assert report["JobStatus"] == "COMPLETED"
    assert report["JobType"] == "SERVICE_LEVEL"
    assert report["JobCreationDate"] <= report["JobCompletionDate"]
    assert report["IsTruncated"] is False
    services = _by_namespace(report)
    assert set(services) == {"iam", "s3"}
    catalogue = load_catalogue()
    assert services["s3"] == {
        "ServiceName": catalogue.service("s3").name,  # type: ignore[union-attr]
        "ServiceNamespace": "s3",
        "TotalAuthenticatedEntities": 0,
    }
    used = services["iam"]
    assert used["TotalAuthenticatedEntities"] == 1
    assert used["LastAuthenticatedEntity"] == _arn(server, "user", name)
    assert used["LastAuthenticatedRegion"] == "us-east-1"
    assert before <= used["LastAuthenticated"] <= datetime.now(UTC) + timedelta(seconds=5)
    # What was used comes first.
    assert report["ServicesLastAccessed"][0]["ServiceNamespace"] == "iam"


def test_groups_policies_count_for_a_user_and_deny_or_boundaries_add_nothing(
    server: Server, iam: Any
) -> None:
    name, _ = _user_with_key(iam, {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"})
    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.put_group_policy(
        GroupName=group, PolicyName="g", PolicyDocument=_document(_allow("sqs:SendMessage"))
    )
    iam.add_user_to_group(GroupName=group, UserName=name)
    boundary = iam.create_policy(
        PolicyName=unique("boundary"), PolicyDocument=_document(_allow("dynamodb:*"))
    )["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)

    assert set(_by_namespace(_report(iam, _arn(server, "user", name)))) == {"sqs"}


def test_not_action_allows_every_service_it_does_not_cover_entirely(
    server: Server, iam: Any
) -> None:
    name, _ = _user_with_key(iam, {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})
    report = _report(iam, _arn(server, "user", name), MaxItems=1000)
    services = set(_by_namespace(report))
    assert "s3" not in services
    assert {"ec2", "iam", "sts", "lambda"} <= services
    assert len(services) == len(load_catalogue().services) - 1


def test_a_managed_policys_report_pages_through_all_services(server: Server, iam: Any) -> None:
    job = iam.generate_service_last_accessed_details(Arn=ADMIN)["JobId"]
    first = iam.get_service_last_accessed_details(JobId=job)
    # Without MaxItems a page holds 200 services, as AWS's do.
    assert len(first["ServicesLastAccessed"]) == 200
    assert first["IsTruncated"] is True
    seen = [e["ServiceNamespace"] for e in first["ServicesLastAccessed"]]
    marker = first["Marker"]
    while marker:
        page = iam.get_service_last_accessed_details(JobId=job, Marker=marker, MaxItems=150)
        seen += [e["ServiceNamespace"] for e in page["ServicesLastAccessed"]]
        marker = page.get("Marker")
    assert sorted(seen) == sorted(load_catalogue().services)
    assert len(seen) == len(set(seen))


def test_a_groups_report_counts_its_members_and_names_who_used_what(
    server: Server, iam: Any
) -> None:
    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.put_group_policy(
        GroupName=group, PolicyName="g", PolicyDocument=_document(_allow("iam:GetUser"))
    )
    active, key = _user_with_key(iam)
    idle, _ = _user_with_key(iam)
    for member in (active, idle):
        iam.add_user_to_group(GroupName=group, UserName=member)
    _client(server, key).get_user()

    job = iam.generate_service_last_accessed_details(Arn=_arn(server, "group", group))["JobId"]
    services = _by_namespace(iam.get_service_last_accessed_details(JobId=job))
    assert set(services) == {"iam"}
    assert services["iam"]["TotalAuthenticatedEntities"] == 1
    assert services["iam"]["LastAuthenticatedEntity"] == _arn(server, "user", active)

    entities = iam.get_service_last_accessed_details_with_entities(
        JobId=job, ServiceNamespace="iam"
    )
    assert entities["JobStatus"] == "COMPLETED"
    listed = entities["EntityDetailsList"]
    assert [e["EntityInfo"]["Name"] for e in listed] == [active, idle]  # the most recent first
    assert "LastAuthenticated" in listed[0] and "LastAuthenticated" not in listed[1]
    assert listed[0]["EntityInfo"]["Type"] == "USER"
    assert listed[0]["EntityInfo"]["Arn"] == _arn(server, "user", active)
    assert listed[0]["EntityInfo"]["Id"] == iam.get_user(UserName=active)["User"]["UserId"]
    # A service the group's policies do not allow: no one could have used them for it.
    none = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="s3")
    assert none["EntityDetailsList"] == []


def test_a_customer_policys_report_covers_its_users_groups_members_and_roles(
    server: Server, iam: Any
) -> None:
    policy = iam.create_policy(
        PolicyName=unique("pol"), PolicyDocument=_document(_allow("iam:List*"))
    )["Policy"]
    direct, key = _user_with_key(iam)
    iam.attach_user_policy(UserName=direct, PolicyArn=policy["Arn"])
    group = unique("grp")
    iam.create_group(GroupName=group)
    iam.attach_group_policy(GroupName=group, PolicyArn=policy["Arn"])
    member, _ = _user_with_key(iam)
    iam.add_user_to_group(GroupName=group, UserName=member)
    role = unique("role")
    trust = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}
    iam.create_role(
        RoleName=role, AssumeRolePolicyDocument=_document({**trust, "Action": "sts:AssumeRole"})
    )
    iam.attach_role_policy(RoleName=role, PolicyArn=policy["Arn"])
    _client(server, key).list_groups()

    job = iam.generate_service_last_accessed_details(Arn=policy["Arn"])["JobId"]
    services = _by_namespace(iam.get_service_last_accessed_details(JobId=job))
    assert set(services) == {"iam"}
    assert services["iam"]["LastAuthenticatedEntity"] == _arn(server, "user", direct)
    listed = iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="iam")[
        "EntityDetailsList"
    ]
    assert {(e["EntityInfo"]["Name"], e["EntityInfo"]["Type"]) for e in listed} == {
        (direct, "USER"),
        (member, "USER"),
        (role, "ROLE"),
    }
    assert listed[0]["EntityInfo"]["Name"] == direct


def test_a_roles_report_lists_its_services_with_no_use_recorded(server: Server, iam: Any) -> None:
    role = unique("role")
    trust = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}
    iam.create_role(
        RoleName=role, AssumeRolePolicyDocument=_document({**trust, "Action": "sts:AssumeRole"})
    )
    iam.attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    job = iam.generate_service_last_accessed_details(
        Arn=_arn(server, "role", role), Granularity="ACTION_LEVEL"
    )["JobId"]
    report = iam.get_service_last_accessed_details(JobId=job)
    assert report["JobType"] == "ACTION_LEVEL"
    # AWSSupportAccess allows support:* and support-console:*.
    services = report["ServicesLastAccessed"]
    assert [e["ServiceNamespace"] for e in services] == ["support", "support-console"]
    assert [e["TotalAuthenticatedEntities"] for e in services] == [0, 0]


def test_a_job_reads_what_stands_when_it_is_read(server: Server, iam: Any) -> None:
    name, _ = _user_with_key(iam, _allow("sqs:*"))
    job = iam.generate_service_last_accessed_details(Arn=_arn(server, "user", name))["JobId"]
    iam.put_user_policy(UserName=name, PolicyName="p2", PolicyDocument=_document(_allow("sns:*")))
    services = _by_namespace(iam.get_service_last_accessed_details(JobId=job))
    assert set(services) == {"sqs", "sns"}
    iam.delete_user_policy(UserName=name, PolicyName="p")
    iam.delete_user_policy(UserName=name, PolicyName="p2")
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as excinfo:
        iam.get_service_last_accessed_details(JobId=job)
    assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:s3:::a-bucket",
        "arn:aws:iam::123456789012:instance-profile/x",
        "arn:aws:iam::210987654321:user/someone-else",
    ],
)
def test_generate_refuses_what_is_not_an_entity_of_the_account(iam: Any, arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        iam.generate_service_last_accessed_details(Arn=arn)
    assert error_of(excinfo)[:2] == ("InvalidInput", 400)


def test_generate_for_a_missing_entity_is_no_such_entity(server: Server, iam: Any) -> None:
    for kind in ("user", "group", "role", "policy"):
        with pytest.raises(ClientError) as excinfo:
            iam.generate_service_last_accessed_details(Arn=_arn(server, kind, unique("nobody")))
        assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


def test_a_job_id_not_made_by_the_server_is_not_found(server: Server, iam: Any) -> None:
    name, _ = _user_with_key(iam)
    job = iam.generate_service_last_accessed_details(Arn=_arn(server, "user", name))["JobId"]
    flipped = job[:-1] + ("0" if job[-1] != "0" else "1")
    for job_id in (str(uuid.uuid4()), flipped):
        with pytest.raises(ClientError) as excinfo:
            iam.get_service_last_accessed_details(JobId=job_id)
        assert error_of(excinfo)[:2] == ("NoSuchEntity", 404)


def test_reports_are_permissions_like_any_other(server: Server, iam: Any) -> None:
    target, _ = _user_with_key(iam)
    target_arn = _arn(server, "user", target)
    job = iam.generate_service_last_accessed_details(Arn=target_arn)["JobId"]
    _, key = _user_with_key(
        iam, _allow("iam:GenerateServiceLastAccessedDetails"), _allow("iam:CreateAccessKey")
    )
    limited = _client(server, key)
    limited.generate_service_last_accessed_details(Arn=target_arn)
    for call in (
        lambda: limited.get_service_last_accessed_details(JobId=job),
        lambda: limited.get_service_last_accessed_details_with_entities(
            JobId=job, ServiceNamespace="iam"
        ),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[:2] == ("AccessDenied", 403)

    _, other_key = _user_with_key(iam, _allow("iam:GetServiceLastAccessedDetails"))
    with pytest.raises(ClientError) as excinfo:
        _client(server, other_key).generate_service_last_accessed_details(Arn=target_arn)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    assert target_arn in message
