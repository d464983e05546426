"""The snapshot of an account read over the IAM API (`stockade audit --endpoint URL`): AWS
itself, or any Stockade server. Credentials come from boto3's usual chain (environment,
profile); the caller needs the read permissions of the SecurityAudit policy.

Calls: GenerateCredentialReport until COMPLETE, then GetCredentialReport;
GetAccountPasswordPolicy (NoSuchEntity: no policy); GetAccountSummary;
GetAccountAuthorizationDetails (every page); ListVirtualMFADevices; ListServerCertificates.
Per-user ListMFADevices is not needed: a user whose report row says `mfa_active` and who has no
virtual device listed has a hardware one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from stockade.identity.clock import now
from stockade.posture.snapshot import (
    Entity,
    InlinePolicy,
    ManagedPolicy,
    MfaDevice,
    ServerCertificate,
    Snapshot,
    document_text,
    parse_credential_report,
)

# GenerateCredentialReport is polled; AWS usually completes within seconds.
_REPORT_POLLS = 60
_REPORT_WAIT_SECONDS = 2.0


def iam_client(endpoint: str | None) -> Any:
    import boto3

    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")


def _pages(client: Any, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
    yield from client.get_paginator(operation).paginate(**params)


def _credential_report(client: Any) -> bytes:
    for _ in range(_REPORT_POLLS):
        if client.generate_credential_report()["State"] == "COMPLETE":
            break
        time.sleep(_REPORT_WAIT_SECONDS)
    content: bytes = client.get_credential_report()["Content"]
    return content


def _password_policy(client: Any) -> Mapping[str, Any] | None:
    try:
        policy: Mapping[str, Any] = client.get_account_password_policy()["PasswordPolicy"]
    except client.exceptions.NoSuchEntityException:
        return None
    return policy


def _inline(items: list[dict[str, Any]]) -> tuple[InlinePolicy, ...]:
    return tuple(
        InlinePolicy(item["PolicyName"], document_text(item["PolicyDocument"])) for item in items
    )


def _attached(items: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(item["PolicyArn"] for item in items)


def _default_document(policy: Mapping[str, Any]) -> str:
    for version in policy.get("PolicyVersionList", []):
        if version.get("IsDefaultVersion"):
            return document_text(version["Document"])
    return '{"Version":"2012-10-17","Statement":[]}'


def snapshot_from_api(client: Any) -> Snapshot:
    """Everything the checks read, over the IAM API. `client` is a boto3 IAM client."""
    identity_arn = ""
    users: list[Entity] = []
    groups: list[Entity] = []
    roles: list[Entity] = []
    policies: dict[str, ManagedPolicy] = {}
    for page in _pages(client, "get_account_authorization_details"):
        for user in page.get("UserDetailList", []):
            identity_arn = identity_arn or user["Arn"]
            users.append(
                Entity(
                    "user",
                    user["UserName"],
                    user["Arn"],
                    user.get("Path", "/"),
                    _attached(user.get("AttachedManagedPolicies", [])),
                    _inline(user.get("UserPolicyList", [])),
                    groups=tuple(user.get("GroupList", [])),
                )
            )
        for group in page.get("GroupDetailList", []):
            groups.append(
                Entity(
                    "group",
                    group["GroupName"],
                    group["Arn"],
                    group.get("Path", "/"),
                    _attached(group.get("AttachedManagedPolicies", [])),
                    _inline(group.get("GroupPolicyList", [])),
                )
            )
        for role in page.get("RoleDetailList", []):
            roles.append(
                Entity(
                    "role",
                    role["RoleName"],
                    role["Arn"],
                    role.get("Path", "/"),
                    _attached(role.get("AttachedManagedPolicies", [])),
                    _inline(role.get("RolePolicyList", [])),
                    trust_policy=document_text(role.get("AssumeRolePolicyDocument") or "{}"),
                )
            )
        for policy in page.get("Policies", []):
            arn = policy["Arn"]
            policies[arn] = ManagedPolicy(
                arn,
                policy["PolicyName"],
                arn.startswith("arn:aws:iam::aws:"),
                _default_document(policy),
                int(policy.get("AttachmentCount", 0)),
            )
    report = parse_credential_report(_credential_report(client))
    account_id = _account_of(report) or identity_arn.split(":")[4]
    devices = [
        MfaDevice(
            device["SerialNumber"],
            (device.get("User") or {}).get("Arn"),
            True,
        )
        for page in _pages(client, "list_virtual_mfa_devices", AssignmentStatus="Assigned")
        for device in page.get("VirtualMFADevices", [])
    ]
    certificates = [
        ServerCertificate(item["ServerCertificateName"], item["Arn"], item["Expiration"])
        for page in _pages(client, "list_server_certificates")
        for item in page.get("ServerCertificateMetadataList", [])
    ]
    return Snapshot(
        account_id=account_id,
        taken_at=now(),
        credential_report=report,
        password_policy=_password_policy(client),
        summary=client.get_account_summary()["SummaryMap"],
        users=tuple(users),
        groups=tuple(groups),
        roles=tuple(roles),
        policies=policies,
        mfa_devices=tuple(devices),
        server_certificates=tuple(certificates),
    )


def _account_of(report: tuple[Mapping[str, str], ...]) -> str | None:
    for row in report:
        parts = row.get("arn", "").split(":")
        if len(parts) > 4 and parts[4]:
            return parts[4]
    return None
