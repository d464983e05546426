"""The snapshot every check reads: one plain structure, built from a Stockade store
(`snapshot_from_store`) or from an AWS-compatible IAM endpoint (`stockade.posture.remote`), so
the same checks audit a Stockade account, an imported mirror of an AWS account, or AWS itself.

Its parts are what AWS's own APIs return: the credential report's rows (as dicts of the CSV's
strings), the password policy (GetAccountPasswordPolicy's fields, None when there is none), the
account summary (GetAccountSummary's SummaryMap), users, groups and roles with their policies
(GetAccountAuthorizationDetails), the managed policies in use with their default documents, the
virtual MFA devices and whom they are enabled for (ListVirtualMFADevices) and the server
certificates (ListServerCertificates).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from stockade.identity import accounts, credential_report, inventory, summary
from stockade.identity.bulk import no_collection_pauses
from stockade.identity.clock import now
from stockade.identity.quotas import DEFAULT_QUOTAS


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    name: str
    document: str  # JSON text


@dataclass(frozen=True, slots=True)
class Entity:
    """A user, group or role with the policies that bear on it."""

    kind: str  # "user", "group" or "role"
    name: str
    arn: str
    path: str
    attached: tuple[str, ...]  # managed policy ARNs
    inline: tuple[InlinePolicy, ...]
    groups: tuple[str, ...] = ()  # a user's groups, by name
    trust_policy: str | None = None  # a role's, JSON text


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    arn: str
    name: str
    aws_managed: bool
    document: str  # the default version, JSON text
    attachment_count: int


@dataclass(frozen=True, slots=True)
class MfaDevice:
    serial_number: str
    user_arn: str | None  # enabled for this user (or root); None when unassigned
    virtual: bool


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    name: str
    arn: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Snapshot:
    account_id: str
    taken_at: datetime
    credential_report: tuple[Mapping[str, str], ...]  # the root row first
    password_policy: Mapping[str, Any] | None
    summary: Mapping[str, int]
    users: tuple[Entity, ...]
    groups: tuple[Entity, ...]
    roles: tuple[Entity, ...]
    policies: Mapping[str, ManagedPolicy]  # by ARN
    mfa_devices: tuple[MfaDevice, ...]
    server_certificates: tuple[ServerCertificate, ...]

    @property
    def root_row(self) -> Mapping[str, str] | None:
        for row in self.credential_report:
            if row.get("user") == credential_report.ROOT_USER:
                return row
        return None

    @property
    def user_rows(self) -> tuple[Mapping[str, str], ...]:
        return tuple(
            r for r in self.credential_report if r.get("user") != credential_report.ROOT_USER
        )


def parse_credential_report(content: bytes | str) -> tuple[dict[str, str], ...]:
    """The rows of a credential report's CSV (as GetCredentialReport's Content decodes)."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return tuple(dict(row) for row in csv.DictReader(io.StringIO(text)))


def document_text(document: str | Mapping[str, Any]) -> str:
    """Policy documents arrive as JSON text (the store) or decoded (boto3 decodes them)."""
    return document if isinstance(document, str) else json.dumps(document)


def _entity(kind: str, row: Mapping[str, Any]) -> Entity:
    return Entity(
        kind=kind,
        name=row["name"],
        arn=row["arn"],
        path=row["path"],
        attached=tuple(row["attached"]),
        inline=tuple(InlinePolicy(name, doc) for name, doc in row["inline"]),
        groups=tuple(row.get("groups", ())),
        trust_policy=row.get("trust_policy"),
    )


def snapshot_from_store(tx: Connection, account_id: str) -> Snapshot:
    """Everything the checks read about one account in a Stockade store (a live account or an
    imported mirror), as of now. The credential report is made afresh, not the stored one, so
    the audit sees the present; nothing is written."""
    with no_collection_pauses():
        return _snapshot_from_store(tx, account_id)


def _snapshot_from_store(tx: Connection, account_id: str) -> Snapshot:
    rows = credential_report.report_rows(tx, account_id)
    header = rows[0]
    report = tuple(dict(zip(header, row, strict=True)) for row in rows[1:])
    return Snapshot(
        account_id=account_id,
        taken_at=now(),
        credential_report=report,
        password_policy=accounts.get_password_policy(tx, account_id),
        summary=summary.account_summary(tx, account_id, DEFAULT_QUOTAS),
        users=tuple(_entity("user", r) for r in inventory.users(tx, account_id)),
        groups=tuple(_entity("group", r) for r in inventory.groups(tx, account_id)),
        roles=tuple(_entity("role", r) for r in inventory.roles(tx, account_id)),
        policies={
            p["arn"]: ManagedPolicy(
                p["arn"], p["name"], p["aws_managed"], p["document"], p["attachment_count"]
            )
            for p in inventory.managed_policies(tx, account_id)
        },
        mfa_devices=tuple(
            MfaDevice(d["serial_number"], d["user_arn"], d["virtual"])
            for d in inventory.mfa_devices(tx, account_id)
        ),
        server_certificates=tuple(
            ServerCertificate(c["name"], c["arn"], c["expires_at"])
            for c in inventory.server_certificates(tx, account_id)
        ),
    )
