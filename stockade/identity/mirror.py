"""Read-only mirrors: a real AWS account's IAM state, imported from the output of
`aws iam get-account-authorization-details` (and optionally its credential report), kept as an
ordinary account of the store with `read_only_mirror` set.

Being ordinary rows, a mirror is read by everything that reads an account: the policy simulator,
GetAccountAuthorizationDetails, the audit. Being read-only, no API call changes it (the gateway
refuses every write on a mirror); only a new import does, and an import replaces the whole
mirror in the caller's one transaction, so a reader sees the old mirror or the new one.

What the credential report adds, since the authorization details say nothing of credentials:
console passwords (a login profile whose hash matches no password: nobody signs in to a mirror),
password last use, MFA (a device per user whose type the report does not give, recorded as a
virtual device), and access keys (their ids are not in the report: Stockade makes ids, and seals
a random secret it forgets, so no one can sign with them). Signing certificates are left out.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from stockade.auth.identifiers import new_access_key_id
from stockade.auth.secrets import SecretBox
from stockade.identity import keys, names
from stockade.identity.authorization_details import AuthorizationDetails, DetailsError, Entity
from stockade.identity.clock import now
from stockade.identity.credential_report import COLUMNS, store_report
from stockade.identity.errors import EntityAlreadyExists
from stockade.identity.quotas import Quotas
from stockade.store import schema as t

# A password hash on a mirror (login profiles, the root's): not Argon2, so it verifies none.
NO_PASSWORD = "!imported: the password is AWS's"
_MIRROR_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
# The credential report's columns an import reads: all but the certificates' and the password's
# next rotation (AWS's own, computed from the password policy).
_REPORT_COLUMNS = tuple(
    column
    for column in COLUMNS
    if not column.startswith("cert_") and column != "password_next_rotation"
)


def check_name(name: str) -> None:
    if not name or len(name) > 64 or not set(name) <= _MIRROR_NAME_CHARS:
        raise DetailsError(f"mirror name {name!r}: use 1 to 64 letters, digits, '-', '_' or '.'")


# -- finding ---------------------------------------------------------------------------------
def find(tx: Connection, name_or_id: str) -> dict[str, Any] | None:
    """A mirror by its name or its account id."""
    query = select(t.mirrors).where(
        (t.mirrors.c.name == name_or_id) | (t.mirrors.c.account_id == name_or_id)
    )
    row = tx.execute(query).mappings().first()
    return dict(row) if row is not None else None


def is_mirror(tx: Connection, account_id: str) -> bool:
    query = select(t.accounts.c.read_only_mirror).where(t.accounts.c.account_id == account_id)
    return bool(tx.execute(query).scalar_one_or_none())


def list_mirrors(tx: Connection) -> list[dict[str, Any]]:
    query = select(t.mirrors).order_by(t.mirrors.c.name)
    return [dict(row) for row in tx.execute(query).mappings()]


# -- importing -------------------------------------------------------------------------------
def import_mirror(
    tx: Connection,
    box: SecretBox,
    details: AuthorizationDetails,
    *,
    name: str,
    source: str,
    credential_report: str | None = None,
    audit_key: bool = False,
    quotas: Quotas,
) -> dict[str, Any]:
    """Write the mirror, replacing one of the same name; returns what was imported (and the
    audit key's secret, once). Raises DetailsError or EntityAlreadyExists; the caller's
    transaction then writes nothing."""
    check_name(name)  # the command line checks it first; a caller from Python may not
    account_id = details.account_id
    existing = tx.execute(
        select(t.accounts.c.read_only_mirror).where(t.accounts.c.account_id == account_id)
    ).first()
    if existing is not None and not existing[0]:
        raise EntityAlreadyExists(
            f"Account {account_id} is served by this Stockade (not a mirror); a mirror of it "
            "cannot sit beside it"
        )
    same_account = find(tx, account_id)
    if same_account is not None and same_account["name"] != name:
        raise EntityAlreadyExists(
            f"Account {account_id} is already mirrored as {same_account['name']}: import with "
            f"--name {same_account['name']} to replace it"
        )
    # Servers cache compiled policies per account generation: a generation no account has
    # had yet, so that no server answers from what it cached of a mirror this one replaces.
    generation = tx.execute(select(func.max(t.accounts.c.generation))).scalar_one_or_none()
    same_name = find(tx, name)
    if same_name is not None:
        erase(tx, same_name["account_id"])
    moment = now()
    tx.execute(
        t.accounts.insert().values(
            account_id=account_id,
            billing_access_for_iam=False,
            read_only_mirror=True,
            generation=(generation or 0) + 1,
            created_at=moment,
        )
    )
    ids = _write_entities(tx, details)
    if credential_report is not None:
        _apply_credential_report(tx, box, details, ids, credential_report)
        # GetCredentialReport then answers AWS's own report, until one is generated here.
        store_report(tx, account_id, credential_report.encode(), moment)
    result: dict[str, Any] = {
        "Name": name,
        "AccountId": account_id,
        "Users": len(details.users),
        "Groups": len(details.groups),
        "Roles": len(details.roles),
        "Policies": len(details.policies),
        "PolicyVersions": sum(len(p.versions) for p in details.policies),
        "InstanceProfiles": len(details.instance_profiles),
        "CredentialReport": credential_report is not None,
    }
    audit_key_id = None
    if audit_key:
        # Beside the real root's imported keys (up to two): one more, Stockade's own.
        room = replace(quotas, access_keys_per_user=quotas.access_keys_per_user + 1)
        key = keys.create_key(tx, box, account_id, None, account_id, room)
        audit_key_id = key["AccessKeyId"]
        result["AuditKey"] = {
            "AccessKeyId": key["AccessKeyId"],
            "SecretAccessKey": key["SecretAccessKey"],
        }
    tx.execute(
        t.mirrors.insert().values(
            account_id=account_id,
            name=name,
            source=source[:1024],
            imported_at=moment,
            audit_key_id=audit_key_id,
        )
    )
    return result


def _write_entities(tx: Connection, details: AuthorizationDetails) -> dict[str, str]:
    """Users, groups, roles, policies and everything attached to them, one statement per table
    (an account of thousands of users imports in seconds); returns entity ids by ARN."""
    account_id = details.account_id
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for policy in details.policies:
        rows["managed_policies"].append(
            {
                "policy_id": policy.id,
                "account_id": account_id,
                "name": policy.name,
                "name_key": policy.name.lower(),
                "path": policy.path,
                "arn": policy.arn,
                "description": policy.description,
                "default_version": policy.default_version,
                "next_version": max(int(v.version_id[1:]) for v in policy.versions) + 1,
                "created_at": policy.created_at,
                "updated_at": policy.updated_at,
            }
        )
        rows["policy_versions"] += [
            {
                "policy_id": policy.id,
                "version_id": version.version_id,
                "document": version.document,
                "created_at": version.created_at,
            }
            for version in policy.versions
        ]
    for entity in (*details.users, *details.groups, *details.roles):
        _entity_rows(rows, account_id, entity)
    group_ids = {group.name.lower(): group.id for group in details.groups}
    rows["group_members"] = [
        {"group_id": group_ids[group.lower()], "user_id": user.id, "added_at": user.created_at}
        for user in details.users
        for group in dict.fromkeys(user.groups)
    ]
    role_ids = {role.name: role.id for role in details.roles}
    rows["instance_profiles"] = [
        {
            "instance_profile_id": profile.id,
            "account_id": account_id,
            "name": profile.name,
            "name_key": profile.name.lower(),
            "path": profile.path,
            "role_id": role_ids[profile.role_name],
            "created_at": profile.created_at,
        }
        for profile in details.instance_profiles
    ]
    # Parents before children: PostgreSQL checks foreign keys row by row.
    for name in _INSERT_ORDER:
        if rows[name]:
            tx.execute(t.metadata.tables[name].insert(), rows[name])
    return {entity.arn: entity.id for entity in (*details.users, *details.groups, *details.roles)}


_INSERT_ORDER = (
    "managed_policies",
    "policy_versions",
    "users",
    "groups",
    "roles",
    "group_members",
    "inline_policies",
    "attachments",
    "tags",
    "instance_profiles",
)


def _entity_rows(rows: dict[str, list[dict[str, Any]]], account_id: str, entity: Entity) -> None:
    common = {
        "account_id": account_id,
        "name": entity.name,
        "name_key": entity.name.lower(),
        "path": entity.path,
        "created_at": entity.created_at,
    }
    if entity.kind == "user":
        rows["users"].append(
            {"user_id": entity.id, "permissions_boundary": entity.boundary, **common}
        )
    elif entity.kind == "group":
        rows["groups"].append({"group_id": entity.id, **common})
    else:
        rows["roles"].append(
            {
                "role_id": entity.id,
                "trust_policy": entity.trust_policy,
                "description": None,  # not in the authorization details
                "max_session_duration": 3600,  # nor this
                "permissions_boundary": entity.boundary,
                "service_linked": entity.path.startswith("/aws-service-role/"),
                "last_used_at": entity.last_used_at,
                "last_used_region": entity.last_used_region,
                **common,
            }
        )
    rows["inline_policies"] += [
        {
            "entity_kind": entity.kind,
            "entity_id": entity.id,
            "name_key": item.name.lower(),
            "name": item.name,
            "document": item.document,
        }
        for item in entity.inline
    ]
    rows["attachments"] += [
        {
            "account_id": account_id,
            "entity_kind": entity.kind,
            "entity_id": entity.id,
            "policy_arn": policy_arn,
            "attached_at": entity.created_at,
        }
        for policy_arn in dict.fromkeys(entity.attached)
    ]
    rows["tags"] += [
        {
            "account_id": account_id,
            "resource_arn": entity.arn,
            "key_key": key.lower(),
            "key": key,
            "value": value,
        }
        for key, value in entity.tags
    ]


# -- the credential report -------------------------------------------------------------------
def _apply_credential_report(
    tx: Connection,
    box: SecretBox,
    details: AuthorizationDetails,
    ids: Mapping[str, str],
    report: str,
) -> None:
    rows = list(csv.DictReader(io.StringIO(report)))
    header = rows[0].keys() if rows else set()
    missing = [column for column in _REPORT_COLUMNS if column not in header]
    if not rows or missing:
        raise DetailsError(
            "the credential report lacks the columns " + ", ".join(missing or _REPORT_COLUMNS)
        )
    account_id = details.account_id
    for line, row in enumerate(rows, start=2):
        where = f"credential report line {line}"
        arn = row["arn"]
        if row["user"] == "<root_account>":
            if arn != names.root_arn(account_id):
                raise DetailsError(f"{where}: {arn} is not the root of account {account_id}")
            user_id = None
            _root_credentials(tx, account_id, row, where)
        else:
            entity = details.entity(arn)
            if entity is None or entity.kind != "user":
                raise DetailsError(
                    f"{where}: {arn} is not a user of the authorization details (are both "
                    "files from the same account and time?)"
                )
            user_id = ids[arn]
            _user_credentials(tx, account_id, entity, user_id, row, where)
        if _flag(row["mfa_active"], where):
            _mfa_device(tx, account_id, row, user_id)
        for n in (1, 2):
            _access_key(tx, box, account_id, user_id, row, n, where)


def _root_credentials(tx: Connection, account_id: str, row: Mapping[str, str], where: str) -> None:
    """The root row says when the root password was last used, N/A when it has none (AWS
    writes `not_supported` for password_enabled on that row)."""
    has_password = row["password_last_used"] != "N/A"
    tx.execute(
        update(t.accounts)
        .where(t.accounts.c.account_id == account_id)
        .values(
            created_at=_when(row["user_creation_time"], where) or now(),
            root_password_hash=NO_PASSWORD if has_password else None,
            root_password_last_used=_when(row["password_last_used"], where),
        )
    )


def _user_credentials(
    tx: Connection,
    account_id: str,
    user: Entity,
    user_id: str,
    row: Mapping[str, str],
    where: str,
) -> None:
    tx.execute(
        update(t.users)
        .where(t.users.c.user_id == user_id)
        .values(password_last_used=_when(row["password_last_used"], where))
    )
    if _flag(row["password_enabled"], where):
        changed = _when(row["password_last_changed"], where) or user.created_at
        tx.execute(
            t.login_profiles.insert().values(
                user_id=user_id,
                password_hash=NO_PASSWORD,
                password_reset_required=False,
                created_at=changed,
                password_changed_at=changed,
            )
        )


def _mfa_device(
    tx: Connection,
    account_id: str,
    row: Mapping[str, str],
    user_id: str | None,
) -> None:
    name = "root-account-mfa-device" if user_id is None else row["user"]
    created = _when(row["user_creation_time"], "credential report") or now()
    tx.execute(
        t.mfa_devices.insert().values(
            serial_number=f"arn:aws:iam::{account_id}:mfa/{name}",
            account_id=account_id,
            name=name,
            path="/",
            seed_sealed=None,
            user_id=user_id,
            for_root=user_id is None,
            created_at=created,
            enabled_at=created,
        )
    )


def _access_key(
    tx: Connection,
    box: SecretBox,
    account_id: str,
    user_id: str | None,
    row: Mapping[str, str],
    n: int,
    where: str,
) -> None:
    rotated = _when(row[f"access_key_{n}_last_rotated"], where)
    if rotated is None:
        return  # N/A: the user has no key in this slot
    key_id = new_access_key_id()
    tx.execute(
        t.access_keys.insert().values(
            access_key_id=key_id,
            account_id=account_id,
            user_id=user_id,
            # A secret nobody knows: the real one stays in AWS.
            secret_sealed=box.seal(secrets.token_urlsafe(30), key_id),
            status="Active" if _flag(row[f"access_key_{n}_active"], where) else "Inactive",
            created_at=rotated,
            last_used_at=_when(row[f"access_key_{n}_last_used_date"], where),
            last_used_service=_known(row[f"access_key_{n}_last_used_service"]),
            last_used_region=_known(row[f"access_key_{n}_last_used_region"]),
        )
    )


_NO_VALUE = frozenset({"N/A", "no_information", "not_supported", ""})


def _known(value: str | None) -> str | None:
    return None if value is None or value in _NO_VALUE else value


def _flag(value: str | None, where: str) -> bool:
    if value in ("true", "TRUE", "True"):
        return True
    if value in ("false", "FALSE", "False", "not_supported"):
        return False
    raise DetailsError(f"{where}: {value!r} is not true or false")


def _when(value: str | None, where: str) -> datetime | None:
    known = _known(value)
    if known is None:
        return None
    try:
        moment = datetime.fromisoformat(known)
    except ValueError:
        raise DetailsError(f"{where}: {known!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- erasing ---------------------------------------------------------------------------------
def erase(tx: Connection, account_id: str) -> None:
    """Every row of a mirror account, children first (PostgreSQL checks foreign keys)."""
    users = select(t.users.c.user_id).where(t.users.c.account_id == account_id)
    groups = select(t.groups.c.group_id).where(t.groups.c.account_id == account_id)
    roles = select(t.roles.c.role_id).where(t.roles.c.account_id == account_id)
    policies = select(t.managed_policies.c.policy_id).where(
        t.managed_policies.c.account_id == account_id
    )
    tx.execute(delete(t.group_members).where(t.group_members.c.group_id.in_(groups)))
    for entities in (users, groups, roles):
        tx.execute(delete(t.inline_policies).where(t.inline_policies.c.entity_id.in_(entities)))
    tx.execute(delete(t.login_profiles).where(t.login_profiles.c.user_id.in_(users)))
    tx.execute(delete(t.policy_versions).where(t.policy_versions.c.policy_id.in_(policies)))
    for table in (
        t.attachments,
        t.access_keys,
        t.mfa_devices,
        t.tags,
        t.instance_profiles,
        t.signing_certificates,
        t.ssh_public_keys,
        t.service_specific_credentials,
        t.server_certificates,
        t.oidc_providers,
        t.saml_providers,
        t.service_linked_role_deletions,
        t.credential_reports,
        t.users,
        t.groups,
        t.roles,
        t.managed_policies,
        t.mirrors,
        t.accounts,
    ):
        tx.execute(delete(table).where(table.c.account_id == account_id))
