"""The credential report: GenerateCredentialReport and GetCredentialReport as AWS serves them.

The CSV (IAM User Guide, "Getting credential reports"): 22 columns in AWS's order, a
`<root_account>` row first, then one row per IAM user by name; booleans in lower case, as AWS
writes them (the guide prints TRUE/FALSE; every consumer, Prowler included, compares lower case);
times in ISO 8601 with an explicit `+00:00`. Where a value does not exist AWS writes a sentinel:
`N/A` (no password, no key, key never used, a region for a global service), `no_information` (a
password never used to sign in), `not_supported` (the root user's password change and rotation).

Generation runs inside GenerateCredentialReport (it reads a handful of tables once, so even
100,000 users take seconds, see docs/benchmarks.md). The call that makes a new report answers
STARTED, as AWS's first call does; later calls within four hours answer COMPLETE and keep the
stored bytes, so a client polling GenerateCredentialReport until COMPLETE (Prowler, ScoutSuite)
finishes on its second call, and one that calls GetCredentialReport at once gets the report. The
report is never observably in progress, so INPROGRESS and ReportInProgress do not occur.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from stockade.identity.accounts import get_account, get_password_policy
from stockade.identity.bulk import no_collection_pauses, plain_rows
from stockade.identity.clock import now
from stockade.identity.entities import USER
from stockade.identity.errors import ReportExpired, ReportNotPresent
from stockade.identity.names import root_arn
from stockade.store import schema as t

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
ROOT_USER = "<root_account>"
NOT_APPLICABLE = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"

# "You can generate a credential report as often as once every four hours."
REGENERATION_INTERVAL = timedelta(hours=4)
# Services with no region: AWS writes N/A for the region of a key last used on them.
_GLOBAL_SERVICES = frozenset({"iam"})

STARTED_DESCRIPTION = "No report exists. Starting a new report generation task"


def timestamp(moment: datetime) -> str:
    """ISO 8601 as the report writes it: `2014-09-01T22:28:48+00:00`."""
    return moment.replace(microsecond=0).isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class _Credentials:
    """What the report says about one principal, read in bulk."""

    mfa_active: bool
    keys: list[Mapping[str, Any]]  # by creation time: key 1, key 2
    certificates: list[Mapping[str, Any]]


def _key_columns(key: Mapping[str, Any] | None) -> list[str]:
    if key is None:
        return ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE]
    used = key["last_used_at"]
    service = key["last_used_service"] if used is not None else None
    region = key["last_used_region"] if used is not None else None
    if service in _GLOBAL_SERVICES:
        region = None
    return [
        _flag(key["status"] == "Active"),
        # Created or last changed: a key's secret never changes, so its creation time.
        timestamp(key["created_at"]),
        timestamp(used) if used is not None else NOT_APPLICABLE,
        region or NOT_APPLICABLE,
        service or NOT_APPLICABLE,
    ]


def _certificate_columns(certificate: Mapping[str, Any] | None) -> list[str]:
    if certificate is None:
        return ["false", NOT_APPLICABLE]
    return [_flag(certificate["status"] == "Active"), timestamp(certificate["created_at"])]


def _credential_columns(found: _Credentials) -> list[str]:
    keys: list[Mapping[str, Any] | None] = [*found.keys[:2], None, None]
    certificates: list[Mapping[str, Any] | None] = [*found.certificates[:2], None, None]
    return [
        _flag(found.mfa_active),
        *_key_columns(keys[0]),
        *_key_columns(keys[1]),
        *_certificate_columns(certificates[0]),
        *_certificate_columns(certificates[1]),
    ]


def _last_used(has_password: bool, used: datetime | None) -> str:
    if not has_password:
        return NOT_APPLICABLE
    return timestamp(used) if used is not None else NO_INFORMATION


def _grouped(rows: Iterable[Any], key: str) -> dict[Any, list[Mapping[str, Any]]]:
    found: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        found[row[key]].append(row)
    return found


def report_rows(tx: Connection, account_id: str) -> list[list[str]]:
    """Every row of the report, header first: a few queries for the whole account."""
    with no_collection_pauses():
        return _report_rows(tx, account_id)


def _report_rows(tx: Connection, account_id: str) -> list[list[str]]:
    account = get_account(tx, account_id)
    policy = get_password_policy(tx, account_id) or {}
    max_age = policy.get("MaxPasswordAge")
    keys = _grouped(
        tx.execute(
            select(t.access_keys)
            .where(
                t.access_keys.c.account_id == account_id,
                # A mirror's read-only key is Stockade's, not the real root's.
                t.access_keys.c.access_key_id.not_in(
                    select(t.mirrors.c.audit_key_id).where(t.mirrors.c.audit_key_id.is_not(None))
                ),
            )
            .order_by(t.access_keys.c.created_at, t.access_keys.c.access_key_id)
        ).mappings(),
        "user_id",
    )
    certificates = _grouped(
        tx.execute(
            select(t.signing_certificates)
            .where(t.signing_certificates.c.account_id == account_id)
            .order_by(t.signing_certificates.c.created_at, t.signing_certificates.c.certificate_id)
        ).mappings(),
        "user_id",
    )
    mfa_users: set[str | None] = set()
    for user_id, for_root in tx.execute(
        select(t.mfa_devices.c.user_id, t.mfa_devices.c.for_root).where(
            t.mfa_devices.c.account_id == account_id, t.mfa_devices.c.enabled_at.is_not(None)
        )
    ):
        mfa_users.add(None if for_root else user_id)
    profiles = {
        row["user_id"]: row
        for row in tx.execute(
            select(t.login_profiles.c.user_id, t.login_profiles.c.password_changed_at)
            .join(t.users, t.users.c.user_id == t.login_profiles.c.user_id)
            .where(t.users.c.account_id == account_id)
        ).mappings()
    }

    has_root_password = bool(account["root_password_hash"])
    root = _Credentials(
        None in mfa_users,
        keys.get(None, []),
        certificates.get(None, []),
    )
    rows = [list(COLUMNS)]
    rows.append(
        [
            ROOT_USER,
            root_arn(account_id),
            timestamp(account["created_at"]),
            _flag(has_root_password),
            _last_used(has_root_password, account["root_password_last_used"]),
            NOT_SUPPORTED,
            NOT_SUPPORTED,
            *_credential_columns(root),
        ]
    )
    users = plain_rows(
        tx.execute(
            select(t.users)
            .where(t.users.c.account_id == account_id)
            .order_by(t.users.c.name_key, t.users.c.name)
        )
    )
    for user in users:
        user_id = user["user_id"]
        profile = profiles.get(user_id)
        changed = profile["password_changed_at"] if profile is not None else None
        credentials = _Credentials(
            user_id in mfa_users,
            keys.get(user_id, []),
            certificates.get(user_id, []),
        )
        next_rotation = NOT_APPLICABLE
        if changed is not None and max_age:
            next_rotation = timestamp(changed + timedelta(days=int(max_age)))
        rows.append(
            [
                user["name"],
                USER.arn(account_id, user),
                timestamp(user["created_at"]),
                _flag(profile is not None),
                _last_used(profile is not None, user["password_last_used"]),
                timestamp(changed) if changed is not None else NOT_APPLICABLE,
                next_rotation,
                *_credential_columns(credentials),
            ]
        )
    return rows


def render(rows: Iterable[list[str]]) -> bytes:
    """CSV with `\\n` between lines and none after the last, quoting only what needs it (IAM
    names may hold commas)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue().removesuffix("\n").encode("utf-8")


def _stored(tx: Connection, account_id: str) -> dict[str, Any] | None:
    row = (
        tx.execute(
            select(t.credential_reports).where(t.credential_reports.c.account_id == account_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def store_report(tx: Connection, account_id: str, content: bytes, generated_at: datetime) -> None:
    """Keep `content` as the account's report (also for an imported AWS report)."""
    tx.execute(t.credential_reports.delete().where(t.credential_reports.c.account_id == account_id))
    tx.execute(
        t.credential_reports.insert().values(
            account_id=account_id, content=content, generated_at=generated_at
        )
    )


def generate(tx: Connection, account_id: str) -> dict[str, str]:
    """GenerateCredentialReport: a new report unless one is under four hours old."""
    moment = now()
    stored = _stored(tx, account_id)
    if stored is not None and moment - stored["generated_at"] < REGENERATION_INTERVAL:
        return {"State": "COMPLETE"}
    store_report(tx, account_id, render(report_rows(tx, account_id)), moment)
    return {"State": "STARTED", "Description": STARTED_DESCRIPTION}


def get(tx: Connection, account_id: str) -> dict[str, Any]:
    """GetCredentialReport: the stored report, while it is under four hours old.

    AWS does not say when a report expires; the four hours after which Generate makes a new
    one is the natural bound, so an older report is ReportExpired (410) rather than served
    stale."""
    stored = _stored(tx, account_id)
    if stored is None:
        raise ReportNotPresent(
            "Credential report not present. To generate a credential report, use "
            "GenerateCredentialReport."
        )
    if now() - stored["generated_at"] >= REGENERATION_INTERVAL:
        raise ReportExpired(
            "The most recent credential report has expired. To generate a new credential "
            "report, use GenerateCredentialReport."
        )
    return {
        "Content": bytes(stored["content"]),
        "ReportFormat": "text/csv",
        "GeneratedTime": stored["generated_at"],
    }
