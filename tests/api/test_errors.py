"""Every error the IAM model declares for a served operation, reached against a real server.

One table row per (operation, setup, parameters, expected code, expected HTTP status). The
status in each row must agree with botocore's model (the error shape's `httpStatusCode`), or
with AWS's common Query errors for codes no model declares (AccessDenied, ValidationError, …);
meta-tests hold the table to that and to completeness: every (served operation, model error
code) pair is either reached by a row or listed in UNREACHABLE with the reason.

Beside the hand-written rows, two generated tables: AccessDenied for every served operation
(a user without policies), and ValidationError for every operation called without its required
members, in AWS's words; then one row per kind of model constraint (length, pattern, range,
enum, list size, sensitive values). Inputs no model constraint stops (NUL, case folding that
lengthens a tag key, unbounded names) must never make a 5xx, on either database.

Requests go through boto3 with client-side validation off, so the server's own validation
answers; the protocol-level cases (unsigned, bad keys, stale signatures, authentication before
validation, GET versus POST, presigned URLs, unknown and unoffered actions) use raw signed
HTTP from `tests.api.wire`. Runs on SQLite and on PostgreSQL, one server per database.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pyotp
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.api.conftest import Server
from tests.api.served import SERVED, expected_status, iam_model, model_errors
from tests.api.wire import IAM_NAMESPACE, Reply, Signer, action, send

# -- documents -----------------------------------------------------------------------------
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
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
NOT_JSON = "this is not a policy document"
NO_EFFECT = json.dumps({"Version": "2012-10-17", "Statement": [{"Action": "*", "Resource": "*"}]})
MAY_CHANGE_PASSWORD = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "*"}],
    }
)


def oversized_policy(min_size: int) -> str:
    """A valid identity policy longer than `min_size` characters, whitespace not counted."""
    resources = [f"arn:aws:s3:::stockade-bucket-{i:05d}/*" for i in range(min_size // 30 + 1)]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}],
        },
        separators=(",", ":"),
    )


def oversized_trust_policy(min_size: int) -> str:
    principals = [f"arn:aws:iam::{100000000000 + i}:root" for i in range(min_size // 30 + 1)]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}
            ],
        },
        separators=(",", ":"),
    )


PASSWORD = "Corr3ct-Horse-Battery!"
SHORT_PASSWORD = "Ab1!"  # under any minimum: 6 is the least a policy sets, 8 with no policy
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/APIGatewayServiceRolePolicy"
NOT_AN_ARN = "this-is-not-an-arn-at-all"
NO_SUCH_KEY = "AKIAIOSFODNN7EXAMPLE"


def tags(count: int, prefix: str = "key") -> list[dict[str, str]]:
    return [{"Key": f"{prefix}{i}", "Value": f"value{i}"} for i in range(count)]


# -- the world a row runs in ---------------------------------------------------------------
class World:
    """Names unique to one row, the admin's client, and what the row's setup made.

    Parameters name these values as `{user}`, `{policy_arn}`, … and are filled in after setup.
    """

    def __init__(self, server: Server, iam: Any, tag: str) -> None:
        self.server = server
        self.iam = iam
        account = server.account_id
        self.values: dict[str, str] = {
            "account": account,
            "user": f"user-{tag}",
            "user2": f"user2-{tag}",
            "group": f"group-{tag}",
            "group2": f"group2-{tag}",
            "role": f"role-{tag}",
            "policy": f"policy-{tag}",
            "policy_arn": f"arn:aws:iam::{account}:policy/policy-{tag}",
            "device": f"mfa-{tag}",
            "serial": f"arn:aws:iam::{account}:mfa/mfa-{tag}",
            "alias": f"alias-{tag.lower()}",
        }
        self.tag = tag

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            return re.sub(r"\{([a-z0-9_]+)\}", lambda m: self.values.get(m[1], m[0]), value)
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value


Step = Callable[[World], None]


def user(w: World) -> None:
    w.iam.create_user(UserName=w["user"])


def user2(w: World) -> None:
    w.iam.create_user(UserName=w["user2"])


def group(w: World) -> None:
    w.iam.create_group(GroupName=w["group"])


def group2(w: World) -> None:
    w.iam.create_group(GroupName=w["group2"])


def role(w: World) -> None:
    w.iam.create_role(RoleName=w["role"], AssumeRolePolicyDocument=TRUST_EC2)


def policy(w: World) -> None:
    w.iam.create_policy(PolicyName=w["policy"], PolicyDocument=ALLOW_ALL)


def second_version(w: World) -> None:
    """v2 of the policy, not the default."""
    w.iam.create_policy_version(PolicyArn=w["policy_arn"], PolicyDocument=ALLOW_ALL)


def five_versions(w: World) -> None:
    for _ in range(4):
        w.iam.create_policy_version(PolicyArn=w["policy_arn"], PolicyDocument=ALLOW_ALL)


def member(w: World) -> None:
    w.iam.add_user_to_group(GroupName=w["group"], UserName=w["user"])


def in_ten_groups(w: World) -> None:
    for i in range(10):
        name = f"{w['group']}-{i}"
        w.iam.create_group(GroupName=name)
        w.iam.add_user_to_group(GroupName=name, UserName=w["user"])


def attached_to_user(w: World) -> None:
    w.iam.attach_user_policy(UserName=w["user"], PolicyArn=w["policy_arn"])


def attached_to_group(w: World) -> None:
    w.iam.attach_group_policy(GroupName=w["group"], PolicyArn=w["policy_arn"])


def attached_to_role(w: World) -> None:
    w.iam.attach_role_policy(RoleName=w["role"], PolicyArn=w["policy_arn"])


def ten_policies_on(kind: str) -> Step:
    """Ten customer managed policies attached to the row's user, group or role."""

    def attach_ten(w: World) -> None:
        for i in range(10):
            arn = w.iam.create_policy(PolicyName=f"{w['policy']}-{i}", PolicyDocument=ALLOW_ALL)[
                "Policy"
            ]["Arn"]
            if kind == "user":
                w.iam.attach_user_policy(UserName=w["user"], PolicyArn=arn)
            elif kind == "group":
                w.iam.attach_group_policy(GroupName=w["group"], PolicyArn=arn)
            else:
                w.iam.attach_role_policy(RoleName=w["role"], PolicyArn=arn)

    attach_ten.__name__ = f"ten_policies_on_{kind}"
    return attach_ten


def inline_on_user(w: World) -> None:
    w.iam.put_user_policy(UserName=w["user"], PolicyName="inline", PolicyDocument=ALLOW_ALL)


def inline_on_group(w: World) -> None:
    w.iam.put_group_policy(GroupName=w["group"], PolicyName="inline", PolicyDocument=ALLOW_ALL)


def inline_on_role(w: World) -> None:
    w.iam.put_role_policy(RoleName=w["role"], PolicyName="inline", PolicyDocument=ALLOW_ALL)


def may_change_password(w: World) -> None:
    w.iam.put_user_policy(
        UserName=w["user"], PolicyName="password", PolicyDocument=MAY_CHANGE_PASSWORD
    )


def login_profile(w: World) -> None:
    w.iam.create_login_profile(UserName=w["user"], Password=PASSWORD)


def access_key(w: World) -> None:
    key = w.iam.create_access_key(UserName=w["user"])["AccessKey"]
    w.values["key"] = key["AccessKeyId"]
    w.values["secret"] = key["SecretAccessKey"]


def second_access_key(w: World) -> None:
    w.iam.create_access_key(UserName=w["user"])


def fifty_tags_on(kind: str) -> Step:
    def tag_fifty(w: World) -> None:
        if kind == "user":
            w.iam.tag_user(UserName=w["user"], Tags=tags(50))
        elif kind == "role":
            w.iam.tag_role(RoleName=w["role"], Tags=tags(50))
        elif kind == "policy":
            w.iam.tag_policy(PolicyArn=w["policy_arn"], Tags=tags(50))
        else:
            w.iam.tag_mfa_device(SerialNumber=w["serial"], Tags=tags(50))

    tag_fifty.__name__ = f"fifty_tags_on_{kind}"
    return tag_fifty


def device(w: World) -> None:
    created = w.iam.create_virtual_mfa_device(VirtualMFADeviceName=w["device"])
    w.values["seed"] = created["VirtualMFADevice"]["Base32StringSeed"].decode()


def consecutive_codes(seed: str) -> tuple[str, str]:
    totp = pyotp.TOTP(seed)
    now = time.time()
    return totp.at(now - 30), totp.at(now)


def device_enabled(w: World) -> None:
    first, second = consecutive_codes(w["seed"])
    w.iam.enable_mfa_device(
        UserName=w["user"],
        SerialNumber=w["serial"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    )


def current_codes(w: World) -> None:
    """Two valid consecutive codes of the row's device, as `{code1}` and `{code2}`."""
    w.values["code1"], w.values["code2"] = consecutive_codes(w["seed"])


def eight_devices_enabled(w: World) -> None:
    """AWS's quota: eight MFA devices in use per user."""
    for i in range(8):
        created = w.iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{w['device']}-{i}")
        first, second = consecutive_codes(created["VirtualMFADevice"]["Base32StringSeed"].decode())
        w.iam.enable_mfa_device(
            UserName=w["user"],
            SerialNumber=created["VirtualMFADevice"]["SerialNumber"],
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )


# -- the table -----------------------------------------------------------------------------
ADMIN, NOBODY, SELF = "admin", "nobody", "self"


@dataclass(frozen=True)
class Case:
    operation: str
    given: tuple[Step, ...]
    params: Mapping[str, Any]
    code: str
    status: int
    caller: str = ADMIN  # ADMIN; NOBODY, a user without policies; SELF, the row's user's key
    message: str | None = None  # checked exactly when given

    @property
    def id(self) -> str:
        setup = "+".join(step.__name__ for step in self.given) or "nothing"
        return f"{self.operation}-{self.code}-{setup}"


def case(
    operation: str,
    given: tuple[Step, ...],
    params: Mapping[str, Any],
    code: str,
    status: int,
    caller: str = ADMIN,
    message: str | None = None,
) -> Case:
    return Case(operation, given, params, code, status, caller, message)


# Parameter fragments the rows combine; `{name}` is filled from the row's World.
U, G, R = {"UserName": "{user}"}, {"GroupName": "{group}"}, {"RoleName": "{role}"}
P = {"PolicyArn": "{policy_arn}"}
SERIAL = {"SerialNumber": "{serial}"}
NEW_POLICY = {"PolicyName": "{policy}"}
INLINE = {"PolicyName": "inline-p"}
MISSING_USER = {"UserName": "no-such-user"}
MISSING_GROUP = {"GroupName": "no-such-group"}
MISSING_ROLE = {"RoleName": "no-such-role"}
MISSING_ARN = "arn:aws:iam::{account}:policy/no-such-policy"
MISSING_POLICY = {"PolicyArn": MISSING_ARN}
MALFORMED_ARN = {"PolicyArn": NOT_AN_ARN}
AWS_MANAGED = {"PolicyArn": READ_ONLY}
SERVICE_ROLE = {"PolicyArn": SERVICE_ROLE_POLICY}
MISSING_SERIAL = {"SerialNumber": "arn:aws:iam::{account}:mfa/no-such-device"}
DOC = {"PolicyDocument": ALLOW_ALL}
DOC_NOT_JSON = {"PolicyDocument": NOT_JSON}
DOC_NO_EFFECT = {"PolicyDocument": NO_EFFECT}
TRUST = {"AssumeRolePolicyDocument": TRUST_EC2}
TRUST_NOT_JSON = {"AssumeRolePolicyDocument": NOT_JSON}
TRUST_NO_EFFECT = {"AssumeRolePolicyDocument": NO_EFFECT}
TRUST_TOO_BIG = oversized_trust_policy(2048)  # ACLSizePerRole: 2048
MANAGED_TOO_BIG = {"PolicyDocument": oversized_policy(6144)}  # PolicySize: 6144
BOUNDARY = {"PermissionsBoundary": READ_ONLY}
AWS_TAG = {"Tags": [{"Key": "aws:reserved", "Value": "x"}]}
DUPLICATE_TAGS = {"Tags": [{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}]}
ONE_TAG = {"Tags": tags(1)}
ONE_MORE_TAG = {"Tags": tags(1, "more")}
UNTAG = {"TagKeys": ["key0"]}
BAD_CODES = {"AuthenticationCode1": "123456", "AuthenticationCode2": "654321"}
GOOD_CODES = {"AuthenticationCode1": "{code1}", "AuthenticationCode2": "{code2}"}
NO_KEY = {"AccessKeyId": NO_SUCH_KEY}
NEW_PASSWORD = {"Password": PASSWORD}
TOO_SHORT = {"Password": SHORT_PASSWORD}

NSE, EAE, DC, LE = "NoSuchEntity", "EntityAlreadyExists", "DeleteConflict", "LimitExceeded"
MPD, II, PNA = "MalformedPolicyDocument", "InvalidInput", "PolicyNotAttachable"
PPV, IAC = "PasswordPolicyViolation", "InvalidAuthenticationCode"
on_user, on_group, on_role = (
    ten_policies_on("user"),
    ten_policies_on("group"),
    ten_policies_on("role"),
)

# fmt: off
ERROR_CASES: list[Case] = [
    # users
    case("CreateUser", (user,), U, EAE, 409),
    case("CreateUser", (), {**U, "PermissionsBoundary": MISSING_ARN}, NSE, 404),
    case("CreateUser", (), {**U, **AWS_TAG}, II, 400),
    case("CreateUser", (), {**U, **DUPLICATE_TAGS}, II, 400),
    case("GetUser", (), MISSING_USER, NSE, 404),
    case("UpdateUser", (), MISSING_USER, NSE, 404),
    case("UpdateUser", (user, user2), {**U, "NewUserName": "{user2}"}, EAE, 409),
    case("DeleteUser", (), MISSING_USER, NSE, 404),
    case("DeleteUser", (user, access_key), U, DC, 409),
    case("DeleteUser", (user, login_profile), U, DC, 409),
    case("DeleteUser", (user, group, member), U, DC, 409),
    case("DeleteUser", (user, policy, attached_to_user), U, DC, 409),
    case("DeleteUser", (user, inline_on_user), U, DC, 409),
    case("DeleteUser", (user, device, device_enabled), U, DC, 409),
    case("TagUser", (), {**MISSING_USER, **ONE_TAG}, NSE, 404),
    case("TagUser", (user,), {**U, **AWS_TAG}, II, 400),
    case("TagUser", (user, fifty_tags_on("user")), {**U, **ONE_MORE_TAG}, LE, 409),
    case("UntagUser", (), {**MISSING_USER, **UNTAG}, NSE, 404),
    case("ListUserTags", (), MISSING_USER, NSE, 404),
    case("PutUserPermissionsBoundary", (), {**MISSING_USER, **BOUNDARY}, NSE, 404),
    case("PutUserPermissionsBoundary", (user,), {**U, "PermissionsBoundary": MISSING_ARN},
         NSE, 404),
    case("PutUserPermissionsBoundary", (user,), {**U, "PermissionsBoundary": NOT_AN_ARN}, II, 400),
    case("PutUserPermissionsBoundary", (user,), {**U, "PermissionsBoundary": SERVICE_ROLE_POLICY},
         PNA, 400),
    case("DeleteUserPermissionsBoundary", (), MISSING_USER, NSE, 404),
    # groups and membership
    case("CreateGroup", (group,), G, EAE, 409),
    case("GetGroup", (), MISSING_GROUP, NSE, 404),
    case("UpdateGroup", (), MISSING_GROUP, NSE, 404),
    case("UpdateGroup", (group, group2), {**G, "NewGroupName": "{group2}"}, EAE, 409),
    case("DeleteGroup", (), MISSING_GROUP, NSE, 404),
    case("DeleteGroup", (user, group, member), G, DC, 409),
    case("DeleteGroup", (group, policy, attached_to_group), G, DC, 409),
    case("DeleteGroup", (group, inline_on_group), G, DC, 409),
    case("AddUserToGroup", (user,), {**MISSING_GROUP, **U}, NSE, 404),
    case("AddUserToGroup", (group,), {**G, **MISSING_USER}, NSE, 404),
    case("AddUserToGroup", (user, group, in_ten_groups), {**G, **U}, LE, 409),
    case("RemoveUserFromGroup", (user, group), {**G, **U}, NSE, 404),
    case("RemoveUserFromGroup", (user,), {**MISSING_GROUP, **U}, NSE, 404),
    case("ListGroupsForUser", (), MISSING_USER, NSE, 404),
    # roles
    case("CreateRole", (role,), {**R, **TRUST}, EAE, 409),
    case("CreateRole", (), {**R, **TRUST_NOT_JSON}, MPD, 400),
    case("CreateRole", (), {**R, **TRUST_NO_EFFECT}, MPD, 400),
    case("CreateRole", (), {**R, "AssumeRolePolicyDocument": TRUST_TOO_BIG}, LE, 409),
    case("CreateRole", (), {**R, **TRUST, **AWS_TAG}, II, 400),
    case("GetRole", (), MISSING_ROLE, NSE, 404),
    case("UpdateRole", (), MISSING_ROLE, NSE, 404),
    case("UpdateRoleDescription", (), {**MISSING_ROLE, "Description": "d"}, NSE, 404),
    case("UpdateAssumeRolePolicy", (), {**MISSING_ROLE, "PolicyDocument": TRUST_EC2}, NSE, 404),
    case("UpdateAssumeRolePolicy", (role,), {**R, **DOC_NOT_JSON}, MPD, 400),
    case("UpdateAssumeRolePolicy", (role,), {**R, "PolicyDocument": TRUST_TOO_BIG}, LE, 409),
    case("DeleteRole", (), MISSING_ROLE, NSE, 404),
    case("DeleteRole", (role, policy, attached_to_role), R, DC, 409),
    case("DeleteRole", (role, inline_on_role), R, DC, 409),
    case("TagRole", (), {**MISSING_ROLE, **ONE_TAG}, NSE, 404),
    case("TagRole", (role,), {**R, **AWS_TAG}, II, 400),
    case("TagRole", (role, fifty_tags_on("role")), {**R, **ONE_MORE_TAG}, LE, 409),
    case("UntagRole", (), {**MISSING_ROLE, **UNTAG}, NSE, 404),
    case("ListRoleTags", (), MISSING_ROLE, NSE, 404),
    case("PutRolePermissionsBoundary", (), {**MISSING_ROLE, **BOUNDARY}, NSE, 404),
    case("PutRolePermissionsBoundary", (role,), {**R, "PermissionsBoundary": NOT_AN_ARN}, II, 400),
    case("PutRolePermissionsBoundary", (role,), {**R, "PermissionsBoundary": SERVICE_ROLE_POLICY},
         PNA, 400),
    case("DeleteRolePermissionsBoundary", (), MISSING_ROLE, NSE, 404),
    # managed policies and their versions
    case("CreatePolicy", (policy,), {**NEW_POLICY, **DOC}, EAE, 409),
    case("CreatePolicy", (), {**NEW_POLICY, **DOC_NOT_JSON}, MPD, 400),
    case("CreatePolicy", (), {**NEW_POLICY, **DOC_NO_EFFECT}, MPD, 400),
    case("CreatePolicy", (), {**NEW_POLICY, **MANAGED_TOO_BIG}, LE, 409),
    case("CreatePolicy", (), {**NEW_POLICY, **DOC, **AWS_TAG}, II, 400),
    case("GetPolicy", (), MISSING_POLICY, NSE, 404),
    case("GetPolicy", (), MALFORMED_ARN, II, 400),
    case("DeletePolicy", (), MISSING_POLICY, NSE, 404),
    case("DeletePolicy", (), MALFORMED_ARN, II, 400),
    case("DeletePolicy", (user, policy, attached_to_user), P, DC, 409),
    case("DeletePolicy", (policy, second_version), P, DC, 409),
    case("CreatePolicyVersion", (), {**MISSING_POLICY, **DOC}, NSE, 404),
    case("CreatePolicyVersion", (), {**MALFORMED_ARN, **DOC}, II, 400),
    case("CreatePolicyVersion", (policy,), {**P, **DOC_NOT_JSON}, MPD, 400),
    case("CreatePolicyVersion", (policy, five_versions), {**P, **DOC}, LE, 409),
    case("CreatePolicyVersion", (policy,), {**P, **MANAGED_TOO_BIG}, LE, 409),
    case("GetPolicyVersion", (policy,), {**P, "VersionId": "v9"}, NSE, 404),
    case("GetPolicyVersion", (), {**MALFORMED_ARN, "VersionId": "v1"}, II, 400),
    case("ListPolicyVersions", (), MISSING_POLICY, NSE, 404),
    case("ListPolicyVersions", (), MALFORMED_ARN, II, 400),
    case("DeletePolicyVersion", (policy,), {**P, "VersionId": "v9"}, NSE, 404),
    case("DeletePolicyVersion", (policy,), {**P, "VersionId": "v1"}, DC, 409),
    case("DeletePolicyVersion", (), {**MALFORMED_ARN, "VersionId": "v2"}, II, 400),
    case("SetDefaultPolicyVersion", (policy,), {**P, "VersionId": "v9"}, NSE, 404),
    case("SetDefaultPolicyVersion", (), {**MALFORMED_ARN, "VersionId": "v1"}, II, 400),
    case("ListEntitiesForPolicy", (), MISSING_POLICY, NSE, 404),
    case("ListEntitiesForPolicy", (), MALFORMED_ARN, II, 400),
    case("TagPolicy", (), {**MISSING_POLICY, **ONE_TAG}, NSE, 404),
    case("TagPolicy", (policy,), {**P, **AWS_TAG}, II, 400),
    case("TagPolicy", (policy, fifty_tags_on("policy")), {**P, **ONE_MORE_TAG}, LE, 409),
    case("UntagPolicy", (), {**MISSING_POLICY, **UNTAG}, NSE, 404),
    case("UntagPolicy", (), {**MALFORMED_ARN, **UNTAG}, II, 400),
    case("ListPolicyTags", (), MISSING_POLICY, NSE, 404),
    case("ListPolicyTags", (), MALFORMED_ARN, II, 400),
    # attachments
    case("AttachUserPolicy", (), {**MISSING_USER, **AWS_MANAGED}, NSE, 404),
    case("AttachUserPolicy", (user,), {**U, **MISSING_POLICY}, NSE, 404),
    case("AttachUserPolicy", (user,), {**U, **MALFORMED_ARN}, II, 400),
    case("AttachUserPolicy", (user,), {**U, **SERVICE_ROLE}, PNA, 400),
    case("AttachUserPolicy", (user, on_user), {**U, **AWS_MANAGED}, LE, 409),
    case("AttachGroupPolicy", (), {**MISSING_GROUP, **AWS_MANAGED}, NSE, 404),
    case("AttachGroupPolicy", (group,), {**G, **MISSING_POLICY}, NSE, 404),
    case("AttachGroupPolicy", (group,), {**G, **MALFORMED_ARN}, II, 400),
    case("AttachGroupPolicy", (group,), {**G, **SERVICE_ROLE}, PNA, 400),
    case("AttachGroupPolicy", (group, on_group), {**G, **AWS_MANAGED}, LE, 409),
    case("AttachRolePolicy", (), {**MISSING_ROLE, **AWS_MANAGED}, NSE, 404),
    case("AttachRolePolicy", (role,), {**R, **MISSING_POLICY}, NSE, 404),
    case("AttachRolePolicy", (role,), {**R, **MALFORMED_ARN}, II, 400),
    case("AttachRolePolicy", (role,), {**R, **SERVICE_ROLE}, PNA, 400),
    case("AttachRolePolicy", (role, on_role), {**R, **AWS_MANAGED}, LE, 409),
    case("DetachUserPolicy", (user,), {**U, **AWS_MANAGED}, NSE, 404),
    case("DetachUserPolicy", (user,), {**U, **MALFORMED_ARN}, II, 400),
    case("DetachGroupPolicy", (group,), {**G, **AWS_MANAGED}, NSE, 404),
    case("DetachGroupPolicy", (group,), {**G, **MALFORMED_ARN}, II, 400),
    case("DetachRolePolicy", (role,), {**R, **AWS_MANAGED}, NSE, 404),
    case("DetachRolePolicy", (role,), {**R, **MALFORMED_ARN}, II, 400),
    case("ListAttachedUserPolicies", (), MISSING_USER, NSE, 404),
    case("ListAttachedGroupPolicies", (), MISSING_GROUP, NSE, 404),
    case("ListAttachedRolePolicies", (), MISSING_ROLE, NSE, 404),
    # inline policies (size quotas: 2048 per user, 5120 per group, 10240 per role)
    case("PutUserPolicy", (), {**MISSING_USER, **INLINE, **DOC}, NSE, 404),
    case("PutUserPolicy", (user,), {**U, **INLINE, **DOC_NOT_JSON}, MPD, 400),
    case("PutUserPolicy", (user,), {**U, **INLINE, "PolicyDocument": oversized_policy(2048)},
         LE, 409),
    case("PutGroupPolicy", (), {**MISSING_GROUP, **INLINE, **DOC}, NSE, 404),
    case("PutGroupPolicy", (group,), {**G, **INLINE, **DOC_NO_EFFECT}, MPD, 400),
    case("PutGroupPolicy", (group,), {**G, **INLINE, "PolicyDocument": oversized_policy(5120)},
         LE, 409),
    case("PutRolePolicy", (), {**MISSING_ROLE, **INLINE, **DOC}, NSE, 404),
    case("PutRolePolicy", (role,), {**R, **INLINE, **DOC_NOT_JSON}, MPD, 400),
    case("PutRolePolicy", (role,), {**R, **INLINE, "PolicyDocument": oversized_policy(10240)},
         LE, 409),
    case("GetUserPolicy", (user,), {**U, **INLINE}, NSE, 404),
    case("GetGroupPolicy", (group,), {**G, **INLINE}, NSE, 404),
    case("GetRolePolicy", (role,), {**R, **INLINE}, NSE, 404),
    case("DeleteUserPolicy", (user,), {**U, **INLINE}, NSE, 404),
    case("DeleteGroupPolicy", (group,), {**G, **INLINE}, NSE, 404),
    case("DeleteRolePolicy", (role,), {**R, **INLINE}, NSE, 404),
    case("ListUserPolicies", (), MISSING_USER, NSE, 404),
    case("ListGroupPolicies", (), MISSING_GROUP, NSE, 404),
    case("ListRolePolicies", (), MISSING_ROLE, NSE, 404),
    # access keys (AccessKeysPerUser: 2)
    case("CreateAccessKey", (), MISSING_USER, NSE, 404),
    case("CreateAccessKey", (user, access_key, second_access_key), U, LE, 409),
    case("ListAccessKeys", (), MISSING_USER, NSE, 404),
    case("UpdateAccessKey", (user,), {**U, **NO_KEY, "Status": "Inactive"}, NSE, 404),
    case("DeleteAccessKey", (user,), {**U, **NO_KEY}, NSE, 404),
    # console passwords
    case("CreateLoginProfile", (), {**MISSING_USER, **NEW_PASSWORD}, NSE, 404),
    case("CreateLoginProfile", (user, login_profile), {**U, **NEW_PASSWORD}, EAE, 409),
    case("CreateLoginProfile", (user,), {**U, **TOO_SHORT}, PPV, 400),
    case("GetLoginProfile", (user,), U, NSE, 404),
    case("UpdateLoginProfile", (user,), {**U, **NEW_PASSWORD}, NSE, 404),
    case("UpdateLoginProfile", (user, login_profile), {**U, **TOO_SHORT}, PPV, 400),
    case("DeleteLoginProfile", (user,), U, NSE, 404),
    case("ChangePassword", (user, may_change_password, access_key),
         {"OldPassword": PASSWORD, "NewPassword": PASSWORD + "2"}, NSE, 404, caller=SELF),
    case("ChangePassword", (user, login_profile, may_change_password, access_key),
         {"OldPassword": PASSWORD, "NewPassword": SHORT_PASSWORD}, PPV, 400, caller=SELF),
    # the account (this module never sets a password policy or an alias for long)
    case("GetAccountPasswordPolicy", (), {}, NSE, 404),
    case("DeleteAccountPasswordPolicy", (), {}, NSE, 404),
    case("DeleteAccountAlias", (), {"AccountAlias": "{alias}"}, NSE, 404),
    # virtual MFA (MFADevicesPerUser: 8)
    case("CreateVirtualMFADevice", (device,), {"VirtualMFADeviceName": "{device}"}, EAE, 409),
    case("CreateVirtualMFADevice", (), {"VirtualMFADeviceName": "{device}", **AWS_TAG}, II, 400),
    case("EnableMFADevice", (user,), {**U, **MISSING_SERIAL, **BAD_CODES}, NSE, 404),
    case("EnableMFADevice", (device,), {**MISSING_USER, **SERIAL, **BAD_CODES}, NSE, 404),
    case("EnableMFADevice", (user, device), {**U, **SERIAL, **BAD_CODES}, IAC, 403),
    case("EnableMFADevice", (user, device, device_enabled), {**U, **SERIAL, **BAD_CODES}, EAE, 409),
    case("EnableMFADevice", (user, eight_devices_enabled, device, current_codes),
         {**U, **SERIAL, **GOOD_CODES}, LE, 409),
    case("ResyncMFADevice", (user,), {**U, **MISSING_SERIAL, **BAD_CODES}, NSE, 404),
    case("ResyncMFADevice", (user, device, device_enabled), {**U, **SERIAL, **BAD_CODES}, IAC, 403),
    case("DeactivateMFADevice", (user,), {**U, **MISSING_SERIAL}, NSE, 404),
    case("DeactivateMFADevice", (user, device), {**U, **SERIAL}, NSE, 404),
    case("DeleteVirtualMFADevice", (), MISSING_SERIAL, NSE, 404),
    case("DeleteVirtualMFADevice", (user, device, device_enabled), SERIAL, DC, 409),
    case("ListMFADevices", (), MISSING_USER, NSE, 404),
    case("TagMFADevice", (), {**MISSING_SERIAL, **ONE_TAG}, NSE, 404),
    case("TagMFADevice", (device,), {**SERIAL, **AWS_TAG}, II, 400),
    case("TagMFADevice", (device, fifty_tags_on("device")), {**SERIAL, **ONE_MORE_TAG}, LE, 409),
    case("UntagMFADevice", (), {**MISSING_SERIAL, **UNTAG}, NSE, 404),
    case("ListMFADeviceTags", (), MISSING_SERIAL, NSE, 404),
]
# fmt: on

# The (operation, code) pairs of the model no row reaches, and why.
_RACE = "a concurrent-write race; every request runs in one serialised transaction"
_INTERNAL = "an internal fault (the fuzz suite holds the server to never answering 5xx)"
_RATE = "AWS's request-rate quota, which Stockade does not impose"
_SERVICE_LINKED = "needs a service-linked role (CreateServiceLinkedRole is outside this suite)"
_TRANSIENT = "AWS's eventual-consistency window; Stockade's writes are immediate"
_ENTITY_QUOTA = "an account-wide quota (AWS default) this suite does not exhaust"
_ROOT_ONLY = "only a root or federated caller can meet it; the fixture server has neither"
_OTHER_ACCOUNT = "the alias must belong to another account; the fixture server has one"
_NO_CAUSE = "no documented cause beyond the model's constraints (ValidationError)"

UNREACHABLE: dict[tuple[str, str], str] = {}
for _op in SERVED:
    for _code in model_errors(_op):
        if _code == "ServiceFailure":
            UNREACHABLE[(_op, _code)] = _INTERNAL
        elif _code == "ConcurrentModification":
            UNREACHABLE[(_op, _code)] = _RACE
        elif _code == "UnmodifiableEntity":
            UNREACHABLE[(_op, _code)] = _SERVICE_LINKED
        elif _code == "EntityTemporarilyUnmodifiable":
            UNREACHABLE[(_op, _code)] = _TRANSIENT
_RATE_LIMITED = (
    "ChangePassword CreateLoginProfile DeactivateMFADevice DeleteAccessKey DeleteAccountAlias "
    "DeleteAccountPasswordPolicy DeleteGroup DeleteGroupPolicy DeleteLoginProfile DeletePolicy "
    "DeletePolicyVersion DeleteRole DeleteRolePolicy DeleteUser DeleteUserPolicy "
    "DeleteVirtualMFADevice DetachGroupPolicy DetachRolePolicy DetachUserPolicy "
    "RemoveUserFromGroup ResyncMFADevice SetDefaultPolicyVersion UpdateAccessKey "
    "UpdateAccountPasswordPolicy UpdateGroup UpdateLoginProfile UpdateUser"
)
for _op in _RATE_LIMITED.split():
    UNREACHABLE[(_op, "LimitExceeded")] = _RATE
for _op in ("CreateUser", "CreateGroup", "CreateVirtualMFADevice"):
    UNREACHABLE[(_op, "LimitExceeded")] = _ENTITY_QUOTA
UNREACHABLE.update(
    {
        ("ChangePassword", "InvalidUserType"): _ROOT_ONLY,
        ("CreateAccountAlias", "EntityAlreadyExists"): _OTHER_ACCOUNT,
        ("CreateAccountAlias", "LimitExceeded"): "one alias per account; what a second "
        "CreateAccountAlias does (replace or refuse) is undocumented",
        ("CreateGroup", "NoSuchEntity"): "no documented cause for creating a group",
        ("UpdateAccountPasswordPolicy", "NoSuchEntity"): "no documented cause",
        ("UpdateAccountPasswordPolicy", "MalformedPolicyDocument"): "no document is taken",
        ("ListAttachedUserPolicies", "InvalidInput"): _NO_CAUSE,
        ("ListAttachedGroupPolicies", "InvalidInput"): _NO_CAUSE,
        ("ListAttachedRolePolicies", "InvalidInput"): _NO_CAUSE,
        ("UntagMFADevice", "InvalidInput"): _NO_CAUSE,
        ("UpdateAccessKey", "InvalidInput"): _NO_CAUSE,
        ("UpdateLoginProfile", "InvalidInput"): _NO_CAUSE,
        ("UpdateRole", "InvalidInput"): _NO_CAUSE,
        ("ListMFADeviceTags", "InvalidInput"): _NO_CAUSE,
    }
)


# -- generated rows: AccessDenied and missing required parameters ---------------------------
def minimal_value(shape_name: str, member: str) -> Any:
    """A value the model accepts for a required member, naming things that need not exist."""
    values: dict[str, Any] = {
        "userNameType": "target-user",
        "existingUserNameType": "target-user",
        "groupNameType": "target-group",
        "roleNameType": "target-role",
        "policyNameType": "target-policy",
        "arnType": "arn:aws:iam::{account}:policy/target-policy",
        "passwordType": PASSWORD,
        "accountAliasType": "target-alias",
        "policyVersionIdType": "v1",
        "serialNumberType": "arn:aws:iam::{account}:mfa/target-device",
        "authenticationCodeType": "123456",
        "virtualMFADeviceName": "target-device",
        "accessKeyIdType": "{key}",  # the caller's own key: GetAccessKeyLastUsed resolves it
        "statusType": "Inactive",
        "tagListType": tags(1),
        "tagKeyListType": ["key0"],
        "roleDescriptionType": "a role",
    }
    if shape_name == "policyDocumentType":
        return TRUST_EC2 if member == "AssumeRolePolicyDocument" else ALLOW_ALL
    return values[shape_name]


def minimal_params(operation: str) -> dict[str, Any]:
    shape = iam_model().operation_model(operation).input_shape
    if shape is None:
        return {}
    return {name: minimal_value(shape.members[name].name, name) for name in shape.required_members}


ACCESS_DENIED_CASES = [
    case(op, (), minimal_params(op), "AccessDenied", 403, caller=NOBODY) for op in SERVED
]


def _location(member: str) -> str:
    return member[0].lower() + member[1:]


def _missing_required_case(operation: str) -> Case | None:
    shape = iam_model().operation_model(operation).input_shape
    required = [] if shape is None else list(shape.required_members)
    if not required:
        return None
    failures = [
        f"Value null at '{_location(name)}' failed to satisfy constraint: Member must not be null"
        for name in required
    ]
    noun = "error" if len(failures) == 1 else "errors"
    message = f"{len(failures)} validation {noun} detected: " + "; ".join(failures)
    return case(operation, (), {}, "ValidationError", 400, message=message)


MISSING_REQUIRED_CASES = [c for c in map(_missing_required_case, SERVED) if c is not None]

# Each kind of constraint in the model, with AWS's exact wording.
_NAME65 = "n" * 65
CONSTRAINT_CASES = [
    case(
        "CreateUser",
        (),
        {"UserName": _NAME65},
        "ValidationError",
        400,
        message=f"1 validation error detected: Value '{_NAME65}' at 'userName' failed to satisfy "
        "constraint: Member must have length less than or equal to 64",
    ),
    case(
        "CreateUser",
        (),
        {"UserName": "has space"},
        "ValidationError",
        400,
        message="1 validation error detected: Value 'has space' at 'userName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    ),
    # Paths are the exception: IAM words their pattern failures itself (quoted in many public
    # reports of CreateUser, CreateRole and ListPolicies calls), not in Coral's generic phrase.
    case(
        "CreateUser",
        (),
        {"UserName": "ok", "Path": "no-slashes"},
        "ValidationError",
        400,
        message="The specified value for path is invalid. It must begin and end with / and "
        "contain only alphanumeric characters and/or / characters.",
    ),
    case(
        "ListPolicies",
        (),
        {"PathPrefix": "no-slash"},
        "ValidationError",
        400,
        message="The specified value for pathPrefix is invalid. It must begin with the / "
        "character and contain only alphanumeric characters and/or / characters.",
    ),
    case(
        "ListUsers",
        (),
        {"MaxItems": 0},
        "ValidationError",
        400,
        message="1 validation error detected: Value '0' at 'maxItems' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
    ),
    case(
        "UpdateAccountPasswordPolicy",
        (),
        {"MinimumPasswordLength": 129},
        "ValidationError",
        400,
        message="1 validation error detected: Value '129' at 'minimumPasswordLength' failed to "
        "satisfy constraint: Member must have value less than or equal to 128",
    ),
    case(
        "UpdateAccessKey",
        (),
        {"AccessKeyId": NO_SUCH_KEY, "Status": "Sideways"},
        "ValidationError",
        400,
        message="1 validation error detected: Value 'Sideways' at 'status' failed to satisfy "
        "constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
    ),
    case(
        "CreateRole",
        (),
        {"RoleName": "r", "AssumeRolePolicyDocument": TRUST_EC2, "MaxSessionDuration": 60},
        "ValidationError",
        400,
        message="1 validation error detected: Value '60' at 'maxSessionDuration' failed to "
        "satisfy constraint: Member must have value greater than or equal to 3600",
    ),
    case(
        "CreateLoginProfile",
        (),
        {"UserName": "u", "Password": "p" * 129},
        "ValidationError",
        400,
        # Passwords are sensitive: AWS leaves the value out of the message.
        message="1 validation error detected: Value at 'password' failed to satisfy "
        "constraint: Member must have length less than or equal to 128",
    ),
    case(
        "EnableMFADevice",
        (),
        {
            "UserName": "u",
            "SerialNumber": "arn:aws:iam::{account}:mfa/d",
            "AuthenticationCode1": "12345",
            "AuthenticationCode2": "123456",
        },
        "ValidationError",
        400,
        message="1 validation error detected: Value '12345' at 'authenticationCode1' failed to "
        "satisfy constraint: Member must have length greater than or equal to 6",
    ),
    case("TagUser", (), {"UserName": "u", "Tags": tags(51)}, "ValidationError", 400),
    case(
        "CreateUser",
        (),
        {"UserName": _NAME65, "PermissionsBoundary": "arn:too-short"},
        "ValidationError",
        400,
        message=f"2 validation errors detected: Value '{_NAME65}' at 'userName' failed to "
        "satisfy constraint: Member must have length less than or equal to 64; "
        "Value 'arn:too-short' at 'permissionsBoundary' failed to satisfy constraint: "
        "Member must have length greater than or equal to 20",
    ),
]


# -- fixtures ------------------------------------------------------------------------------
def unvalidated_client(server: Server, key: str, secret: str) -> Any:
    """boto3 without client-side validation: the server's validation must answer."""
    return boto3.client(
        "iam",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


@dataclass(frozen=True)
class Callers:
    admin: Any
    nobody: Any
    nobody_key: str
    nobody_secret: str


@pytest.fixture(scope="module")
def callers(server: Server, iam: Any) -> Callers:
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    return Callers(
        admin=unvalidated_client(server, server.admin_key, server.admin_secret),
        nobody=unvalidated_client(server, key["AccessKeyId"], key["SecretAccessKey"]),
        nobody_key=key["AccessKeyId"],
        nobody_secret=key["SecretAccessKey"],
    )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


_world_numbers = itertools.count(1)


def run_case(server: Server, iam: Any, callers: Callers, row: Case) -> ClientError:
    """Set the row's world up, make its call, and return the error it must raise."""
    world = World(server, iam, f"e{next(_world_numbers)}")
    world.values["key"] = callers.nobody_key
    for step in row.given:
        step(world)
    if row.caller == ADMIN:
        client = callers.admin
    elif row.caller == NOBODY:
        client = callers.nobody
    else:
        client = unvalidated_client(server, world["key"], world["secret"])
    method = getattr(client, xform_name(row.operation))
    with pytest.raises(ClientError) as excinfo:
        method(**world.fill(dict(row.params)))
    return excinfo.value


def check_error(error: ClientError, row: Case) -> None:
    response = error.response
    got = (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"])
    assert got == (row.code, row.status), response["Error"].get("Message")
    assert response["Error"].get("Type") == "Sender"
    assert response["Error"].get("Message")
    if row.message is not None:
        assert validation_parts(response["Error"]["Message"]) == validation_parts(row.message)


def validation_parts(message: str) -> tuple[str, list[str]]:
    """A message, with the failures of a multi-failure ValidationError in any order."""
    head, colon, rest = message.partition(" detected: ")
    if not colon:
        return message, []
    return head, sorted(rest.split("; "))


# -- the table's own checks (no server) ----------------------------------------------------
ALL_CASES = ERROR_CASES + ACCESS_DENIED_CASES + MISSING_REQUIRED_CASES + CONSTRAINT_CASES


def test_listed_operations_are_served() -> None:
    from stockade.api.handlers import OPERATIONS

    assert set(SERVED) <= set(OPERATIONS["iam"])


@pytest.mark.parametrize("row", ALL_CASES, ids=lambda row: row.id)
def test_row_status_is_the_models(row: Case) -> None:
    assert row.operation in SERVED
    assert row.status == expected_status(row.operation, row.code)


def test_every_model_error_is_reached_or_explained() -> None:
    reached = {(row.operation, row.code) for row in ERROR_CASES}
    declared = {(op, code) for op in SERVED for code in model_errors(op)}
    missing = sorted(declared - reached - set(UNREACHABLE))
    assert missing == [], "model errors neither reached by a row nor explained"
    assert not (reached & set(UNREACHABLE)), "a reached error is also listed as unreachable"


# -- against the server --------------------------------------------------------------------
@pytest.mark.parametrize("row", ERROR_CASES, ids=lambda row: row.id)
def test_model_error(server: Server, iam: Any, callers: Callers, row: Case) -> None:
    check_error(run_case(server, iam, callers, row), row)


@pytest.mark.parametrize("row", ACCESS_DENIED_CASES, ids=lambda row: row.operation)
def test_access_denied(server: Server, iam: Any, callers: Callers, row: Case) -> None:
    error = run_case(server, iam, callers, row)
    check_error(error, row)
    nobody = f"arn:aws:iam::{server.account_id}:user/nobody"
    assert error.response["Error"]["Message"].startswith(
        f"User: {nobody} is not authorized to perform: iam:{row.operation} on resource: "
    )


@pytest.mark.parametrize(
    "row",
    MISSING_REQUIRED_CASES + CONSTRAINT_CASES,
    ids=lambda row: f"{row.operation}-{'+'.join(row.params) or 'nothing'}",
)
def test_validation_error(server: Server, iam: Any, callers: Callers, row: Case) -> None:
    check_error(run_case(server, iam, callers, row), row)


def test_get_caller_identity_is_never_denied(server: Server, callers: Callers) -> None:
    sts = boto3.client(
        "sts",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=callers.nobody_key,
        aws_secret_access_key=callers.nobody_secret,
    )
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{server.account_id}:user/nobody"


def test_default_password_policy_minimum_is_six(server: Server, iam: Any) -> None:
    """UpdateAccountPasswordPolicy without MinimumPasswordLength uses 6 (the API reference)."""
    iam.update_account_password_policy()
    try:
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 6
        iam.create_user(UserName="six-chars")
        iam.create_login_profile(UserName="six-chars", Password="Ab1!cd")
    finally:
        iam.delete_account_password_policy()


PATH_MESSAGE = (
    "The specified value for path is invalid. It must begin and end with / and contain only "
    "alphanumeric characters and/or / characters."
)
DOUBLE_SLASH = "/a//b/"  # matches the model's pattern; whether IAM takes it is undocumented


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("CreateUser", {"UserName": "slashed-user", "Path": DOUBLE_SLASH}),
        ("CreateGroup", {"GroupName": "slashed-group", "Path": DOUBLE_SLASH}),
        ("CreateRole", {"RoleName": "slashed-role", **TRUST, "Path": DOUBLE_SLASH}),
        ("UpdateUser", {"UserName": "admin", "NewPath": DOUBLE_SLASH}),
        ("UpdateGroup", {"GroupName": "slashed-existing", "NewPath": DOUBLE_SLASH}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_refused_path_is_refused_as_iam_refuses_paths(
    iam: Any, callers: Callers, operation: str, params: dict[str, str]
) -> None:
    """A path the server will not take is a ValidationError in IAM's own path wording."""
    if operation == "UpdateGroup":
        iam.create_group(GroupName="slashed-existing")
    try:
        getattr(callers.admin, xform_name(operation))(**params)
    except ClientError as exc:
        error = exc.response["Error"]
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        assert (error["Code"], status, error["Message"]) == ("ValidationError", 400, PATH_MESSAGE)
    else:  # taken: then it is what the entity reads back
        if operation == "UpdateUser":
            assert iam.get_user(UserName="admin")["User"]["Path"] == DOUBLE_SLASH
            iam.update_user(UserName="admin", NewPath="/")


def test_aws_managed_policies_cannot_be_tagged(iam: Any) -> None:
    """TagPolicy tags customer managed policies; an AWS managed one is not the account's."""
    with pytest.raises(ClientError) as excinfo:
        iam.tag_policy(PolicyArn=READ_ONLY, Tags=tags(1))
    assert 400 <= excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    assert excinfo.value.response["Error"]["Code"] in model_errors("TagPolicy")
    assert iam.list_policy_tags(PolicyArn=READ_ONLY)["Tags"] == []


# -- inputs that must never make a server error, on either database ------------------------
@dataclass(frozen=True)
class Hostile:
    operation: str
    params: Mapping[str, str]
    why: str


HOSTILE_INPUTS = [
    Hostile("GetPolicy", {"PolicyArn": "arn:aws:iam::{account}:policy/nul\x00here"}, "NUL in ARN"),
    Hostile(
        "AttachUserPolicy",
        {"UserName": "admin", "PolicyArn": "arn:aws:iam::{account}:policy/nul\x00here"},
        "NUL in ARN",
    ),
    Hostile(
        "CreatePolicy",
        {"PolicyName": "nul-description", "PolicyDocument": ALLOW_ALL, "Description": "a\x00b"},
        "NUL in a description",
    ),
    Hostile(
        "CreateUser",
        {"UserName": "dotted-i", "Tags.member.1.Key": "\u0130" * 128, "Tags.member.1.Value": "v"},
        "a 128-character tag key that lower-cases to 256 characters",
    ),
    Hostile(
        "CreateVirtualMFADevice",
        {"VirtualMFADeviceName": "m" * 300},
        "a device name the model does not bound",
    ),
    Hostile(
        "CreateLoginProfile",
        {"UserName": "admin"},
        "Password omitted (optional in the model, required outside AssumeRoot sessions)",
    ),
]


@pytest.mark.parametrize("hostile", HOSTILE_INPUTS, ids=lambda h: f"{h.operation}-{h.why}")
def test_never_a_server_error(server: Server, http: httpx.Client, hostile: Hostile) -> None:
    params = [(k, v.replace("{account}", server.account_id)) for k, v in hostile.params.items()]
    reply = send(http, server.endpoint, action(hostile.operation, params), admin_signer(server))
    assert reply.status < 500, (reply.code, reply.message)
    if reply.is_error:
        assert reply.code in {*model_errors(hostile.operation), "ValidationError"}
        assert reply.status == expected_status(hostile.operation, str(reply.code))


# -- the protocol --------------------------------------------------------------------------
def admin_signer(server: Server, service: str = "iam") -> Signer:
    return Signer(server.admin_key, server.admin_secret, service)


def assert_aws_error(reply: Reply, code: str, status: int) -> None:
    """AWS's Query error document: ErrorResponse/Error/{Type,Code,Message}, RequestId."""
    assert (reply.status, reply.root_name, reply.code) == (status, "ErrorResponse", code)
    assert reply.namespace == IAM_NAMESPACE
    assert reply.fault == ("Sender" if status < 500 else "Receiver")
    assert reply.message
    assert reply.request_id


def test_unknown_action_is_invalid_action(server: Server, http: httpx.Client) -> None:
    reply = send(http, server.endpoint, action("FrobnicateUsers"), admin_signer(server))
    assert_aws_error(reply, "InvalidAction", 400)
    assert reply.message == "Could not find operation FrobnicateUsers for version 2010-05-08"


@pytest.mark.parametrize("operation", ["GetOrganizationsAccessReport", "CreateDelegationRequest"])
def test_operation_not_offered_is_not_implemented(
    server: Server, http: httpx.Client, operation: str
) -> None:
    from stockade.api.handlers import OPERATIONS

    assert operation in iam_model().operation_names and operation not in OPERATIONS["iam"]
    reply = send(http, server.endpoint, action(operation), admin_signer(server))
    assert_aws_error(reply, "NotImplemented", 501)


def test_unsigned_request_is_missing_authentication_token(
    server: Server, http: httpx.Client
) -> None:
    reply = send(http, server.endpoint, action("ListUsers"), None)
    assert_aws_error(reply, "MissingAuthenticationToken", 403)


def test_unknown_access_key_is_invalid_client_token_id(server: Server, http: httpx.Client) -> None:
    reply = send(http, server.endpoint, action("ListUsers"), Signer(NO_SUCH_KEY, "x" * 40))
    assert_aws_error(reply, "InvalidClientTokenId", 403)
    assert reply.message == "The security token included in the request is invalid."


def test_wrong_secret_is_signature_does_not_match(server: Server, http: httpx.Client) -> None:
    reply = send(http, server.endpoint, action("ListUsers"), Signer(server.admin_key, "x" * 40))
    assert_aws_error(reply, "SignatureDoesNotMatch", 403)


@pytest.mark.parametrize(
    ("who", "code"),
    [("unknown key", "InvalidClientTokenId"), ("wrong secret", "SignatureDoesNotMatch")],
)
def test_authentication_comes_before_validation(
    server: Server, http: httpx.Client, who: str, code: str
) -> None:
    """A caller who cannot be authenticated learns nothing about its parameters."""
    key = NO_SUCH_KEY if who == "unknown key" else server.admin_key
    invalid = action("CreateUser", [("UserName", "has space"), ("Path", "no-slashes")])
    reply = send(http, server.endpoint, invalid, Signer(key, "x" * 40))
    assert_aws_error(reply, code, 403)


@pytest.mark.parametrize(
    "signed_at",
    [datetime(2020, 1, 1, tzinfo=UTC), datetime.now(UTC) - timedelta(minutes=16)],
    ids=["2020-01-01", "16-minutes-ago"],
)
def test_stale_signature_is_refused(
    server: Server, http: httpx.Client, signed_at: datetime
) -> None:
    reply = send(http, server.endpoint, action("ListUsers"), admin_signer(server), at=signed_at)
    assert_aws_error(reply, "SignatureDoesNotMatch", 403)
    assert str(reply.message).startswith("Signature expired: " + signed_at.strftime("%Y%m%dT%H%M"))


def test_recent_signature_is_accepted(server: Server, http: httpx.Client) -> None:
    recent = datetime.now(UTC) - timedelta(minutes=5)
    reply = send(http, server.endpoint, action("ListUsers"), admin_signer(server), at=recent)
    assert (reply.status, reply.root_name) == (200, "ListUsersResponse")


def test_inactive_key_is_invalid_client_token_id(
    server: Server, iam: Any, http: httpx.Client
) -> None:
    iam.create_user(UserName="dormant")
    key = iam.create_access_key(UserName="dormant")["AccessKey"]
    signer = Signer(key["AccessKeyId"], key["SecretAccessKey"], "sts")
    identity = action("GetCallerIdentity", version="2011-06-15")
    assert send(http, server.endpoint, identity, signer).status == 200
    iam.update_access_key(UserName="dormant", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    reply = send(http, server.endpoint, identity, signer)
    assert (reply.status, reply.code) == (403, "InvalidClientTokenId")
    iam_signer = Signer(key["AccessKeyId"], key["SecretAccessKey"])
    assert_aws_error(
        send(http, server.endpoint, action("ListUsers"), iam_signer), "InvalidClientTokenId", 403
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_get_with_query_and_post_form_both_work(
    server: Server, http: httpx.Client, method: str
) -> None:
    params = action("GetUser", [("UserName", "admin")])
    reply = send(http, server.endpoint, params, admin_signer(server), method=method)
    assert (reply.status, reply.root_name) == (200, "GetUserResponse")
    assert reply.find_text("GetUserResult/User/UserName") == ["admin"]
    assert reply.request_id


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_reserved_characters_survive_signing_and_decoding(
    server: Server, iam: Any, http: httpx.Client, method: str
) -> None:
    role = f"described-{method.lower()}"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST_EC2)
    description = "a+b c/d&e=f%20g~h \u00e9\u00ff!*'()"
    params = action("UpdateRoleDescription", [("RoleName", role), ("Description", description)])
    reply = send(http, server.endpoint, params, admin_signer(server), method=method)
    assert (reply.status, reply.root_name) == (200, "UpdateRoleDescriptionResponse")
    assert reply.find_text("UpdateRoleDescriptionResult/Role/Description") == [description]
    assert iam.get_role(RoleName=role)["Role"]["Description"] == description


def test_presigned_get_works(server: Server, iam: Any, http: httpx.Client) -> None:
    url = iam.generate_presigned_url(
        "get_user", Params={"UserName": "admin"}, HttpMethod="GET", ExpiresIn=300
    )
    response = http.get(url)
    assert response.status_code == 200
    assert b"<UserName>admin</UserName>" in response.content
    tampered = url.replace("UserName=admin", "UserName=nobody")
    assert tampered != url
    assert http.get(tampered).status_code == 403
