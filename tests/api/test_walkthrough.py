"""The walkthrough DESIGN.md promises, end to end with boto3 against a real server: an admin,
a Finance group with the Billing job-function policy and a billing user with a console password,
a Developers group with PowerUserAccess and a developer with keys who may list roles but not
create users, and a virtual MFA device enabled with two consecutive codes."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import Server

BILLING = "arn:aws:iam::aws:policy/job-function/Billing"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_admin_sees_itself(server: Server, iam: Any) -> None:
    user = iam.get_user()["User"]
    assert user["UserName"] == "admin"
    assert user["Arn"] == f"arn:aws:iam::{server.account_id}:user/admin"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    attached = iam.list_attached_user_policies(UserName="admin")["AttachedPolicies"]
    assert attached == [
        {
            "PolicyName": "AdministratorAccess",
            "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
        }
    ]


def test_finance_group_and_billing_user(server: Server, iam: Any) -> None:
    group = iam.create_group(GroupName="Finance")["Group"]
    assert group["GroupId"].startswith("AGPA")
    iam.attach_group_policy(GroupName="Finance", PolicyArn=BILLING)
    iam.create_user(UserName="billing")
    iam.add_user_to_group(GroupName="Finance", UserName="billing")
    profile = iam.create_login_profile(
        UserName="billing", Password="Bill1ng-Passw0rd!", PasswordResetRequired=True
    )
    assert profile["LoginProfile"]["PasswordResetRequired"] is True
    members = iam.get_group(GroupName="Finance")["Users"]
    assert [u["UserName"] for u in members] == ["billing"]
    policy = iam.get_policy(PolicyArn=BILLING)["Policy"]
    assert policy["AttachmentCount"] == 1
    assert policy["Path"] == "/job-function/"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName="Finance")
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)


def test_developer_is_refused_create_user_and_allowed_list_roles(server: Server, iam: Any) -> None:
    iam.create_group(GroupName="Developers")
    iam.attach_group_policy(GroupName="Developers", PolicyArn=POWER_USER)
    iam.create_user(UserName="dev")
    iam.add_user_to_group(GroupName="Developers", UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40
    listed = iam.list_access_keys(UserName="dev")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed[0]

    dev = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as excinfo:
        dev.create_user(UserName="mallory")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AccessDenied", 403)
    user_arn = f"arn:aws:iam::{server.account_id}:user/dev"
    assert message == (
        f"User: {user_arn} is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{server.account_id}:user/mallory because no identity-based policy allows "
        "the iam:CreateUser action"
    )
    assert dev.list_roles()["Roles"] == []
    # The refused request changed nothing.
    assert "mallory" not in [u["UserName"] for u in iam.list_users()["Users"]]


def _codes(seed: bytes) -> tuple[str, str]:
    totp = pyotp.TOTP(seed.decode())
    now = time.time()
    return totp.at(now - 30), totp.at(now)


def test_virtual_mfa_two_consecutive_codes(server: Server, iam: Any) -> None:
    iam.create_user(UserName="alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == f"arn:aws:iam::{server.account_id}:mfa/alice-phone"
    assert device["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")
    seed = device["Base32StringSeed"]

    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
    assert error_of(excinfo)[:2] == ("InvalidAuthenticationCode", 403)

    first, second = _codes(seed)
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second
    )
    devices = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["UserName"]) for d in assigned] == [(serial, "alice")]

    # A code once accepted is never accepted again.
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )
    assert error_of(excinfo)[:2] == ("InvalidAuthenticationCode", 403)
