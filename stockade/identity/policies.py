"""Managed policies (customer and AWS), their versions, attachments, and inline policies."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, func, select, update

from stockade.auth.identifiers import new_unique_id
from stockade.identity import names
from stockade.identity.accounts import bump_generation
from stockade.identity.aws_policies import AwsManagedPolicy, aws_managed_policies
from stockade.identity.clock import now
from stockade.identity.entities import Kind
from stockade.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
)
from stockade.identity.quotas import Quotas
from stockade.policy import SIZE_LIMITS, PolicyError, PolicyKind, parse_policy
from stockade.store import schema as t

INLINE_LIMITS = {"user": "user-inline", "group": "group-inline", "role": "role-inline"}


def check_document(document: str, *, kind: PolicyKind, limit: str, managed: bool = False) -> None:
    """Validate as IAM does on write; the document is stored exactly as given."""
    try:
        parse_policy(
            document,
            kind=kind,
            require_current_version=managed,
            size_limit=SIZE_LIMITS[limit],
        )
    except PolicyError as exc:
        if exc.code == "LimitExceeded":
            raise LimitExceeded(exc.message) from None
        raise MalformedPolicyDocument(exc.message) from None


def encode_document(document: str) -> str:
    """IAM returns policy documents URL-encoded (RFC 3986); boto3 decodes them."""
    return quote(document, safe="")


# -- managed policies ------------------------------------------------------------------------
def _customer(tx: Connection, account_id: str, policy_arn: str) -> dict[str, Any]:
    row = (
        tx.execute(
            select(t.managed_policies).where(
                t.managed_policies.c.account_id == account_id,
                t.managed_policies.c.arn == policy_arn,
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
    return dict(row)


def attachment_count(tx: Connection, account_id: str, policy_arn: str) -> int:
    return int(
        tx.execute(
            select(func.count())
            .select_from(t.attachments)
            .where(
                t.attachments.c.account_id == account_id, t.attachments.c.policy_arn == policy_arn
            )
        ).scalar_one()
    )


class _Usage:
    """How many entities use each policy, as attachment and as boundary: read once for a listing
    instead of twice per policy (there are 1,582 AWS managed policies)."""

    def __init__(self, tx: Connection, account_id: str) -> None:
        self.attachments: dict[str, int] = dict(
            tx.execute(
                select(t.attachments.c.policy_arn, func.count())
                .where(t.attachments.c.account_id == account_id)
                .group_by(t.attachments.c.policy_arn)
            ).all()
        )
        self.boundaries: dict[str, int] = {}
        for table in (t.users, t.roles):
            rows = tx.execute(
                select(table.c.permissions_boundary, func.count())
                .where(table.c.account_id == account_id, table.c.permissions_boundary.is_not(None))
                .group_by(table.c.permissions_boundary)
            )
            for arn, count in rows:
                self.boundaries[arn] = self.boundaries.get(arn, 0) + int(count)


def _aws_view(
    tx: Connection, account_id: str, policy: AwsManagedPolicy, usage: _Usage | None = None
) -> dict[str, Any]:
    usage = usage or _Usage(tx, account_id)
    return {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version,
        "AttachmentCount": usage.attachments.get(policy.arn, 0),
        "PermissionsBoundaryUsageCount": usage.boundaries.get(policy.arn, 0),
        "IsAttachable": not policy.arn.startswith(names.SERVICE_ROLE_POLICY_PREFIX),
        "Description": policy.description,
        "CreateDate": policy.created_at,
        "UpdateDate": policy.updated_at,
    }


def _customer_view(
    tx: Connection, row: dict[str, Any], usage: _Usage | None = None
) -> dict[str, Any]:
    usage = usage or _Usage(tx, row["account_id"])
    return {
        "PolicyName": row["name"],
        "PolicyId": row["policy_id"],
        "Arn": row["arn"],
        "Path": row["path"],
        "DefaultVersionId": row["default_version"],
        "AttachmentCount": usage.attachments.get(row["arn"], 0),
        "PermissionsBoundaryUsageCount": usage.boundaries.get(row["arn"], 0),
        "IsAttachable": True,
        "Description": row["description"],
        "CreateDate": row["created_at"],
        "UpdateDate": row["updated_at"],
    }


def get_policy(tx: Connection, account_id: str, policy_arn: str) -> dict[str, Any]:
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        policy = aws_managed_policies().get(policy_arn)
        if policy is None:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        return _aws_view(tx, account_id, policy)
    return _customer_view(tx, _customer(tx, account_id, policy_arn))


def check_boundary(tx: Connection, account_id: str, boundary: str) -> None:
    """A permissions boundary: a managed policy of the account or AWS that may be attached."""
    if not policy_exists(tx, account_id, boundary):
        raise NoSuchEntity(f"Scope ARN: {boundary} does not exist or is not attachable.")
    names.check_attachable(boundary)


def policy_exists(tx: Connection, account_id: str, policy_arn: str) -> bool:
    try:
        get_policy(tx, account_id, policy_arn)
    except NoSuchEntity:
        return False
    return True


def create_policy(
    tx: Connection,
    account_id: str,
    name: str,
    path: str | None,
    document: str,
    description: str | None,
    quotas: Quotas,
) -> dict[str, Any]:
    path = names.check_path(path)
    check_document(document, kind=PolicyKind.IDENTITY, limit="managed", managed=True)
    existing = tx.execute(
        select(t.managed_policies.c.policy_id).where(
            t.managed_policies.c.account_id == account_id,
            t.managed_policies.c.name_key == name.lower(),
        )
    ).first()
    if existing is not None:
        raise EntityAlreadyExists(
            f"A policy called {name} already exists. Duplicate names are not allowed."
        )
    count = tx.execute(
        select(func.count())
        .select_from(t.managed_policies)
        .where(t.managed_policies.c.account_id == account_id)
    ).scalar_one()
    if count >= quotas.customer_managed_policies:
        raise LimitExceeded(
            f"Cannot exceed quota for PoliciesPerAccount: {quotas.customer_managed_policies}"
        )
    moment = now()
    row = {
        "policy_id": new_unique_id(names.POLICY_ID_PREFIX),
        "account_id": account_id,
        "name": name,
        "name_key": name.lower(),
        "path": path,
        "arn": f"arn:aws:iam::{account_id}:policy{path}{name}",
        "description": description,
        "default_version": "v1",
        "next_version": 2,
        "created_at": moment,
        "updated_at": moment,
    }
    tx.execute(t.managed_policies.insert().values(**row))
    tx.execute(
        t.policy_versions.insert().values(
            policy_id=row["policy_id"], version_id="v1", document=document, created_at=moment
        )
    )
    bump_generation(tx, account_id)
    return _customer_view(tx, row)


def list_policies(
    tx: Connection,
    account_id: str,
    *,
    scope: str = "All",
    only_attached: bool = False,
    path_prefix: str | None = None,
    usage_filter: str | None = None,
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    usage = _Usage(tx, account_id)
    if scope in ("All", "AWS"):
        for policy in aws_managed_policies().values():
            if path_prefix and not policy.path.startswith(path_prefix):
                continue
            if only_attached and not usage.attachments.get(policy.arn):
                continue
            found.append(_aws_view(tx, account_id, policy, usage))
    if scope in ("All", "Local"):
        query = select(t.managed_policies).where(t.managed_policies.c.account_id == account_id)
        for row in tx.execute(query.order_by(t.managed_policies.c.name_key)).mappings():
            view = _customer_view(tx, dict(row), usage)
            if path_prefix and not view["Path"].startswith(path_prefix):
                continue
            if only_attached and not view["AttachmentCount"]:
                continue
            found.append(view)
    if usage_filter == "PermissionsBoundary":
        found = [p for p in found if p["PermissionsBoundaryUsageCount"]]
    elif usage_filter == "PermissionsPolicy":
        found = [p for p in found if p["AttachmentCount"]]
    return found


def delete_policy(tx: Connection, account_id: str, policy_arn: str) -> None:
    is_aws, _ = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        raise InvalidInput("AWS managed policies cannot be deleted.")
    row = _customer(tx, account_id, policy_arn)
    if attachment_count(tx, account_id, policy_arn):
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    versions = tx.execute(
        select(func.count())
        .select_from(t.policy_versions)
        .where(t.policy_versions.c.policy_id == row["policy_id"])
    ).scalar_one()
    if versions > 1:
        raise DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy."
        )
    tx.execute(t.policy_versions.delete().where(t.policy_versions.c.policy_id == row["policy_id"]))
    tx.execute(
        t.managed_policies.delete().where(t.managed_policies.c.policy_id == row["policy_id"])
    )
    tx.execute(t.tags.delete().where(t.tags.c.resource_arn == policy_arn))
    bump_generation(tx, account_id)


# -- versions --------------------------------------------------------------------------------
def _version_view(row: Any, default: str, encode: bool = True) -> dict[str, Any]:
    return {
        "Document": encode_document(row["document"]) if encode else row["document"],
        "VersionId": row["version_id"],
        "IsDefaultVersion": row["version_id"] == default,
        "CreateDate": row["created_at"],
    }


def get_version(
    tx: Connection, account_id: str, policy_arn: str, version_id: str
) -> dict[str, Any]:
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        policy = aws_managed_policies().get(policy_arn)
        if policy is None or policy.default_version != version_id:
            raise NoSuchEntity(
                f"Policy {policy_arn} version {version_id} does not exist or is not attachable."
            )
        return {
            "Document": encode_document(policy.document),
            "VersionId": version_id,
            "IsDefaultVersion": True,
            "CreateDate": policy.updated_at,
        }
    row = _customer(tx, account_id, policy_arn)
    version = (
        tx.execute(
            select(t.policy_versions).where(
                t.policy_versions.c.policy_id == row["policy_id"],
                t.policy_versions.c.version_id == version_id,
            )
        )
        .mappings()
        .first()
    )
    if version is None:
        raise NoSuchEntity(
            f"Policy {policy_arn} version {version_id} does not exist or is not attachable."
        )
    return _version_view(version, row["default_version"])


def default_document(tx: Connection, account_id: str, policy_arn: str) -> str:
    """The text of a managed policy's default version, for evaluation."""
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        policy = aws_managed_policies().get(policy_arn)
        if policy is None:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        return policy.document
    row = _customer(tx, account_id, policy_arn)
    return str(
        tx.execute(
            select(t.policy_versions.c.document).where(
                t.policy_versions.c.policy_id == row["policy_id"],
                t.policy_versions.c.version_id == row["default_version"],
            )
        ).scalar_one()
    )


def list_versions(
    tx: Connection, account_id: str, policy_arn: str, *, with_documents: bool = False
) -> list[dict[str, Any]]:
    """Newest first. ListPolicyVersions leaves the documents out, GetAccountAuthorizationDetails
    keeps them."""
    omitted: dict[str, Any] = {} if with_documents else {"Document": None}
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        return [
            get_version(
                tx,
                account_id,
                policy_arn,
                get_policy(tx, account_id, policy_arn)["DefaultVersionId"],
            )
            | omitted
        ]
    row = _customer(tx, account_id, policy_arn)
    versions = tx.execute(
        select(t.policy_versions).where(t.policy_versions.c.policy_id == row["policy_id"])
    ).mappings()
    ordered = sorted(versions, key=lambda v: int(v["version_id"][1:]), reverse=True)
    return [_version_view(v, row["default_version"]) | omitted for v in ordered]


def create_version(
    tx: Connection,
    account_id: str,
    policy_arn: str,
    document: str,
    set_as_default: bool,
    quotas: Quotas,
) -> dict[str, Any]:
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        raise InvalidInput("AWS managed policies cannot be modified.")
    row = _customer(tx, account_id, policy_arn)
    check_document(document, kind=PolicyKind.IDENTITY, limit="managed", managed=True)
    count = tx.execute(
        select(func.count())
        .select_from(t.policy_versions)
        .where(t.policy_versions.c.policy_id == row["policy_id"])
    ).scalar_one()
    if count >= quotas.versions_per_policy:
        raise LimitExceeded(
            f"A managed policy can have up to {quotas.versions_per_policy} versions. Before you "
            "create a new version, you must delete an existing version."
        )
    version_id = f"v{row['next_version']}"
    moment = now()
    tx.execute(
        t.policy_versions.insert().values(
            policy_id=row["policy_id"], version_id=version_id, document=document, created_at=moment
        )
    )
    values: dict[str, Any] = {"next_version": row["next_version"] + 1, "updated_at": moment}
    if set_as_default:
        values["default_version"] = version_id
    tx.execute(
        update(t.managed_policies)
        .where(t.managed_policies.c.policy_id == row["policy_id"])
        .values(**values)
    )
    bump_generation(tx, account_id)
    return {
        "VersionId": version_id,
        "IsDefaultVersion": set_as_default,
        "CreateDate": moment,
    }


def set_default_version(tx: Connection, account_id: str, policy_arn: str, version_id: str) -> None:
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        raise InvalidInput("AWS managed policies cannot be modified.")
    get_version(tx, account_id, policy_arn, version_id)
    row = _customer(tx, account_id, policy_arn)
    tx.execute(
        update(t.managed_policies)
        .where(t.managed_policies.c.policy_id == row["policy_id"])
        .values(default_version=version_id, updated_at=now())
    )
    bump_generation(tx, account_id)


def delete_version(tx: Connection, account_id: str, policy_arn: str, version_id: str) -> None:
    is_aws, policy_arn = names.split_policy_arn(policy_arn, account_id)
    if is_aws:
        raise InvalidInput("AWS managed policies cannot be modified.")
    version = get_version(tx, account_id, policy_arn, version_id)
    if version["IsDefaultVersion"]:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    row = _customer(tx, account_id, policy_arn)
    tx.execute(
        t.policy_versions.delete().where(
            t.policy_versions.c.policy_id == row["policy_id"],
            t.policy_versions.c.version_id == version_id,
        )
    )


# -- attachments -----------------------------------------------------------------------------
def attach(
    tx: Connection,
    account_id: str,
    kind: Kind,
    entity_id: str,
    policy_arn: str,
    quotas: Quotas,
    *,
    by_aws: bool = False,
) -> None:
    names.split_policy_arn(policy_arn, account_id)
    if not policy_exists(tx, account_id, policy_arn):
        raise NoSuchEntity(f"Policy {policy_arn} does not exist or is not attachable.")
    if not by_aws:  # AWS itself attaches service-role policies to service-linked roles
        names.check_attachable(policy_arn)
    attached = attached_arns(tx, kind, entity_id)
    if policy_arn in attached:
        return
    if len(attached) >= quotas.managed_policies_per_entity:
        raise LimitExceeded(
            f"Cannot exceed quota for PoliciesPer{kind.label.capitalize()}: "
            f"{quotas.managed_policies_per_entity}"
        )
    tx.execute(
        t.attachments.insert().values(
            account_id=account_id,
            entity_kind=kind.name,
            entity_id=entity_id,
            policy_arn=policy_arn,
            attached_at=now(),
        )
    )
    bump_generation(tx, account_id)


def detach(tx: Connection, account_id: str, kind: Kind, entity_id: str, policy_arn: str) -> None:
    names.split_policy_arn(policy_arn, account_id)
    if policy_arn not in attached_arns(tx, kind, entity_id):
        raise NoSuchEntity(f"Policy {policy_arn} was not found.")
    tx.execute(
        t.attachments.delete().where(
            t.attachments.c.entity_kind == kind.name,
            t.attachments.c.entity_id == entity_id,
            t.attachments.c.policy_arn == policy_arn,
        )
    )
    bump_generation(tx, account_id)


def attached_arns(tx: Connection, kind: Kind, entity_id: str) -> list[str]:
    return list(
        tx.execute(
            select(t.attachments.c.policy_arn)
            .where(t.attachments.c.entity_kind == kind.name, t.attachments.c.entity_id == entity_id)
            .order_by(t.attachments.c.attached_at, t.attachments.c.policy_arn)
        ).scalars()
    )


def attached_policies(
    tx: Connection, kind: Kind, entity_id: str, path_prefix: str | None = None
) -> list[dict[str, str]]:
    found = []
    for policy_arn in attached_arns(tx, kind, entity_id):
        name = policy_arn.rsplit("/", 1)[-1]
        path = "/" + policy_arn.split(":policy/", 1)[-1].rsplit("/", 1)[0] + "/"
        path = path.replace("//", "/")
        if path_prefix and not path.startswith(path_prefix):
            continue
        found.append({"PolicyName": name, "PolicyArn": policy_arn})
    return found


def entities_for_policy(tx: Connection, account_id: str, policy_arn: str) -> list[tuple[str, str]]:
    """(entity kind, entity id) of everything the policy is attached to."""
    if not policy_exists(tx, account_id, policy_arn):
        raise NoSuchEntity(f"Policy {policy_arn} was not found.")
    rows = tx.execute(
        select(t.attachments.c.entity_kind, t.attachments.c.entity_id).where(
            t.attachments.c.account_id == account_id, t.attachments.c.policy_arn == policy_arn
        )
    )
    return [(kind, entity_id) for kind, entity_id in rows]


def detach_all(tx: Connection, kind: Kind, entity_id: str) -> None:
    tx.execute(
        t.attachments.delete().where(
            t.attachments.c.entity_kind == kind.name, t.attachments.c.entity_id == entity_id
        )
    )


# -- inline policies -------------------------------------------------------------------------
def put_inline(
    tx: Connection, account_id: str, kind: Kind, entity_id: str, name: str, document: str
) -> None:
    check_document(document, kind=PolicyKind.IDENTITY, limit=INLINE_LIMITS[kind.name])
    key = {"entity_kind": kind.name, "entity_id": entity_id, "name_key": name.lower()}
    tx.execute(
        t.inline_policies.delete().where(
            *(t.inline_policies.c[column] == value for column, value in key.items())
        )
    )
    tx.execute(t.inline_policies.insert().values(**key, name=name, document=document))
    bump_generation(tx, account_id)


def get_inline(tx: Connection, kind: Kind, entity_id: str, name: str, owner: str) -> str:
    document = tx.execute(
        select(t.inline_policies.c.document).where(
            t.inline_policies.c.entity_kind == kind.name,
            t.inline_policies.c.entity_id == entity_id,
            t.inline_policies.c.name_key == name.lower(),
        )
    ).scalar_one_or_none()
    if document is None:
        raise NoSuchEntity(f"The {kind.label} policy with name {name} cannot be found.")
    return str(document)


def inline_names(tx: Connection, kind: Kind, entity_id: str) -> list[str]:
    return list(
        tx.execute(
            select(t.inline_policies.c.name)
            .where(
                t.inline_policies.c.entity_kind == kind.name,
                t.inline_policies.c.entity_id == entity_id,
            )
            .order_by(t.inline_policies.c.name_key)
        ).scalars()
    )


def inline_documents(tx: Connection, kind: Kind, entity_id: str) -> list[tuple[str, str]]:
    rows = tx.execute(
        select(t.inline_policies.c.name, t.inline_policies.c.document)
        .where(
            t.inline_policies.c.entity_kind == kind.name, t.inline_policies.c.entity_id == entity_id
        )
        .order_by(t.inline_policies.c.name_key)
    )
    return [(name, document) for name, document in rows]


def delete_inline(tx: Connection, account_id: str, kind: Kind, entity_id: str, name: str) -> None:
    result = tx.execute(
        t.inline_policies.delete().where(
            t.inline_policies.c.entity_kind == kind.name,
            t.inline_policies.c.entity_id == entity_id,
            t.inline_policies.c.name_key == name.lower(),
        )
    )
    if result.rowcount == 0:
        raise NoSuchEntity(f"The {kind.label} policy with name {name} cannot be found.")
    bump_generation(tx, account_id)


def delete_all_inline(tx: Connection, kind: Kind, entity_id: str) -> None:
    tx.execute(
        t.inline_policies.delete().where(
            t.inline_policies.c.entity_kind == kind.name, t.inline_policies.c.entity_id == entity_id
        )
    )
