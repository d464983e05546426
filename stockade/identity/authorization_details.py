"""The output of `aws iam get-account-authorization-details`, read and checked: what an import
makes a mirror account of, and what `stockade policy diff` compares two of.

Policy documents come URL-encoded (the raw API, boto3's `response` before decoding, some export
tools) or as JSON objects (the AWS CLI decodes them); both are read. Every fault names where it
is (`UserDetailList[2].UserPolicyList[0].PolicyDocument`), so a bad file is fixed, not guessed
at. Nothing here touches the store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from stockade.identity import names
from stockade.identity.aws_policies import aws_managed_policies, parsed_aws_policy
from stockade.policy import Policies, Policy, PolicyError, PolicyKind, PolicySet, parse_policy

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_ENTITY_ARN = re.compile(r"arn:aws:iam::(?P<account>[0-9]{12}):(?P<kind>user|group|role|policy)/")


class DetailsError(Exception):
    """The file is not a usable authorization-details document; the message says where."""


@dataclass(frozen=True, slots=True)
class Inline:
    name: str
    document: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A user, group or role as the file describes it."""

    kind: str  # user, group, role
    name: str
    id: str
    arn: str
    path: str
    created_at: datetime
    inline: tuple[Inline, ...]
    attached: tuple[str, ...]  # managed policy ARNs
    boundary: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    groups: tuple[str, ...] = ()  # users: group names
    trust_policy: str | None = None  # roles
    last_used_at: datetime | None = None  # roles
    last_used_region: str | None = None


@dataclass(frozen=True, slots=True)
class InstanceProfile:
    name: str
    id: str
    arn: str
    path: str
    created_at: datetime
    role_name: str


@dataclass(frozen=True, slots=True)
class Version:
    version_id: str
    document: str
    is_default: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    name: str
    id: str
    arn: str
    path: str
    description: str | None
    default_version: str
    created_at: datetime
    updated_at: datetime
    versions: tuple[Version, ...]

    def version(self, version_id: str) -> Version:
        for version in self.versions:
            if version.version_id.lower() == version_id.lower():
                return version
        raise DetailsError(f"policy {self.arn} has no version {version_id}")

    @property
    def default_document(self) -> str:
        return self.version(self.default_version).document


@dataclass(frozen=True, slots=True)
class AuthorizationDetails:
    account_id: str
    users: tuple[Entity, ...]
    groups: tuple[Entity, ...]
    roles: tuple[Entity, ...]
    policies: tuple[ManagedPolicy, ...]  # customer managed; AWS ones are shipped with Stockade
    instance_profiles: tuple[InstanceProfile, ...]
    _by_arn: dict[str, Entity] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for entity in (*self.users, *self.groups, *self.roles):
            self._by_arn[entity.arn] = entity

    def policy(self, arn: str) -> ManagedPolicy:
        for policy in self.policies:
            if policy.arn == arn:
                return policy
        raise DetailsError(f"no customer managed policy {arn} in the file")

    def with_default_version(self, policy_arn: str, version_id: str) -> AuthorizationDetails:
        """The same account with another version of one policy as its default."""
        policies = tuple(
            replace(policy, default_version=version_id) if policy.arn == policy_arn else policy
            for policy in self.policies
        )
        return replace(self, policies=policies, _by_arn={})

    def entity(self, arn: str) -> Entity | None:
        return self._by_arn.get(arn)

    @property
    def principals(self) -> tuple[Entity, ...]:
        """Users and roles: what can make a request (groups only lend their policies)."""
        return (*self.users, *self.roles)

    def principal_policies(self, principal: Entity) -> Policies:
        """The identity layer and boundary of a user (with its groups' policies) or a role."""
        identity = list(self._own_policies(principal))
        for group_name in principal.groups:
            group = next(g for g in self.groups if g.name.lower() == group_name.lower())
            identity += self._own_policies(group)
        boundary = None
        if principal.boundary:
            boundary = PolicySet([self._managed(principal.boundary, PolicyKind.BOUNDARY)])
        return Policies(identity=PolicySet(identity), boundary=boundary)

    def _own_policies(self, entity: Entity) -> list[Policy]:
        found = [
            _parse(item.document, PolicyKind.IDENTITY, f"{entity.arn} inline policy {item.name}")
            for item in entity.inline
        ]
        return found + [self._managed(arn, PolicyKind.IDENTITY) for arn in entity.attached]

    def _managed(self, arn: str, kind: PolicyKind) -> Policy:
        if is_aws_managed(arn):
            if kind is PolicyKind.IDENTITY:
                return parsed_aws_policy(arn)
            return _parse(aws_managed_policies()[arn].document, kind, arn)
        return _parse(self.policy(arn).default_document, kind, arn)


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(names.AWS_POLICY_ARN_PREFIX + "/")


def _parse(document: str, kind: PolicyKind, policy_id: str) -> Policy:
    try:
        return parse_policy(document, kind=kind, policy_id=policy_id)
    except PolicyError as exc:
        raise DetailsError(f"{policy_id}: {exc}") from None


# -- reading ---------------------------------------------------------------------------------
def is_authorization_details(data: object) -> bool:
    return isinstance(data, Mapping) and any(name in data for name in LISTS)


def read_details(data: object) -> AuthorizationDetails:
    """Check and read a decoded JSON document; DetailsError names the first fault."""
    if not is_authorization_details(data):
        raise DetailsError(
            "not the output of get-account-authorization-details: expected an object with "
            + ", ".join(LISTS)
        )
    assert isinstance(data, Mapping)
    if data.get("IsTruncated"):
        raise DetailsError(
            "the document is truncated (IsTruncated is true): fetch every page, as the AWS CLI "
            "does unless --max-items is given"
        )
    reader = _Reader()
    users = tuple(
        reader.user(item, f"UserDetailList[{n}]") for n, item in _items(data, "UserDetailList")
    )
    groups = tuple(
        reader.group(item, f"GroupDetailList[{n}]") for n, item in _items(data, "GroupDetailList")
    )
    roles = tuple(
        reader.role(item, f"RoleDetailList[{n}]") for n, item in _items(data, "RoleDetailList")
    )
    policies = tuple(
        policy
        for n, item in _items(data, "Policies")
        if (policy := reader.policy(item, f"Policies[{n}]")) is not None
    )
    if reader.account_id is None:
        raise DetailsError("no ARN in the file names an account: nothing to import")
    details = AuthorizationDetails(
        reader.account_id, users, groups, roles, policies, tuple(reader.profiles.values())
    )
    _check_references(details)
    return details


def _items(
    data: Mapping[str, Any], key: str, where: str = ""
) -> Iterable[tuple[int, Mapping[str, Any]]]:
    """The objects of a list member; absent or null is an empty list."""
    place = f"{where}.{key}" if where else key
    value = data.get(key) or []
    if not isinstance(value, list):
        raise DetailsError(f"{place}: expected a list")
    for n, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise DetailsError(f"{place}[{n}]: expected an object")
        yield n, item


def _check_references(details: AuthorizationDetails) -> None:
    """Every name and ARN the entities use is in the file (or shipped, for AWS policies)."""
    groups = {group.name.lower() for group in details.groups}
    customer = {policy.arn for policy in details.policies}
    shipped = aws_managed_policies()
    for entity in (*details.users, *details.groups, *details.roles):
        for group in entity.groups:
            if group.lower() not in groups:
                raise DetailsError(f"{entity.arn} is in group {group}, which the file lacks")
        for arn in (*entity.attached, *([entity.boundary] if entity.boundary else [])):
            if is_aws_managed(arn):
                if arn not in shipped:
                    raise DetailsError(
                        f"{entity.arn} uses the AWS managed policy {arn}, which this version "
                        "of Stockade does not ship"
                    )
            elif arn not in customer:
                raise DetailsError(f"{entity.arn} uses the policy {arn}, which the file lacks")
    names_seen: set[tuple[str, str]] = set()
    ids_seen: set[str] = set()
    ids = [(e.kind, e.name, e.id) for e in (*details.users, *details.groups, *details.roles)]
    ids += [("policy", p.name, p.id) for p in details.policies]
    ids += [("instance profile", p.name, p.id) for p in details.instance_profiles]
    for kind, name, unique_id in ids:
        if (kind, name.lower()) in names_seen:
            raise DetailsError(f"{kind} {name} appears twice")
        if unique_id in ids_seen:
            raise DetailsError(f"{kind} {name}: the id {unique_id} is used twice")
        names_seen.add((kind, name.lower()))
        ids_seen.add(unique_id)


class _Reader:
    """Reads entries while learning the account id from their ARNs (all must agree)."""

    def __init__(self) -> None:
        self.account_id: str | None = None
        self.profiles: dict[str, InstanceProfile] = {}

    # fields
    def text(self, item: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = item.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value:
            raise DetailsError(f"{where}.{key}: expected a non-empty string")
        return value

    def when(self, item: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
        value = self.text(item, key, where, optional=optional)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise DetailsError(f"{where}.{key}: {value!r} is not an ISO 8601 time") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def arn(self, item: Mapping[str, Any], where: str, kind: str, path: str, name: str) -> str:
        arn = str(self.text(item, "Arn", where))
        match = _ENTITY_ARN.match(arn)
        if match is None or match["kind"] != kind:
            raise DetailsError(f"{where}.Arn: {arn} is not the ARN of an IAM {kind}")
        account = match["account"]
        if self.account_id is None:
            self.account_id = account
        elif account != self.account_id:
            raise DetailsError(
                f"{where}.Arn: {arn} names account {account}, but earlier entries name "
                f"{self.account_id}: one file, one account"
            )
        expected = names.arn(account, kind, path, name)
        if arn != expected:
            raise DetailsError(f"{where}.Arn: {arn} does not match its path and name ({expected})")
        return arn

    def path(self, item: Mapping[str, Any], where: str) -> str:
        path = str(self.text(item, "Path", where))
        if not (path.startswith("/") and path.endswith("/")) or "//" in path:
            raise DetailsError(f"{where}.Path: {path!r} is not an IAM path")
        return path

    def document(self, value: Any, where: str, kind: PolicyKind) -> str:
        if isinstance(value, Mapping):
            text = json.dumps(value, indent=4)
        elif isinstance(value, str) and value:
            text = value if value.lstrip().startswith("{") else unquote(value)
        else:
            raise DetailsError(f"{where}: expected a policy document (a JSON object or text)")
        try:
            parse_policy(text, kind=kind, policy_id=where)
        except PolicyError as exc:
            raise DetailsError(f"{where}: not a valid policy: {exc}") from None
        return text

    def inline(self, item: Mapping[str, Any], key: str, where: str) -> tuple[Inline, ...]:
        found = []
        for n, entry in _items(item, key, where):
            place = f"{where}.{key}[{n}]"
            found.append(
                Inline(
                    str(self.text(entry, "PolicyName", place)),
                    self.document(
                        entry.get("PolicyDocument"), place + ".PolicyDocument", PolicyKind.IDENTITY
                    ),
                )
            )
        return tuple(found)

    def attached(self, item: Mapping[str, Any], where: str) -> tuple[str, ...]:
        return tuple(
            str(self.text(entry, "PolicyArn", f"{where}.AttachedManagedPolicies[{n}]"))
            for n, entry in _items(item, "AttachedManagedPolicies", where)
        )

    def boundary(self, item: Mapping[str, Any], where: str) -> str | None:
        value = item.get("PermissionsBoundary")
        if not value:
            return None
        if not isinstance(value, Mapping):
            raise DetailsError(f"{where}.PermissionsBoundary: expected an object")
        return str(self.text(value, "PermissionsBoundaryArn", f"{where}.PermissionsBoundary"))

    def tags(self, item: Mapping[str, Any], where: str) -> tuple[tuple[str, str], ...]:
        return tuple(
            (
                str(self.text(tag, "Key", f"{where}.Tags[{n}]")),
                str(tag.get("Value") or ""),
            )
            for n, tag in _items(item, "Tags", where)
        )

    # entries
    def common(self, kind: str, item: Mapping[str, Any], where: str) -> dict[str, Any]:
        """What users, groups and roles all carry: `UserName`, `UserId`, `UserPolicyList`, …"""
        label = kind.capitalize()
        name, path = str(self.text(item, f"{label}Name", where)), self.path(item, where)
        return {
            "kind": kind,
            "name": name,
            "id": str(self.text(item, f"{label}Id", where)),
            "arn": self.arn(item, where, kind, path, name),
            "path": path,
            "created_at": self.when(item, "CreateDate", where),
            "inline": self.inline(item, f"{label}PolicyList", where),
            "attached": self.attached(item, where),
        }

    def user(self, item: Mapping[str, Any], where: str) -> Entity:
        common = self.common("user", item, where)
        groups = item.get("GroupList") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise DetailsError(f"{where}.GroupList: expected a list of group names")
        return Entity(
            **common,
            boundary=self.boundary(item, where),
            tags=self.tags(item, where),
            groups=tuple(groups),
        )

    def group(self, item: Mapping[str, Any], where: str) -> Entity:
        return Entity(**self.common("group", item, where))

    def role(self, item: Mapping[str, Any], where: str) -> Entity:
        common = self.common("role", item, where)
        name = common["name"]
        last_used = item.get("RoleLastUsed") or {}
        if not isinstance(last_used, Mapping):
            raise DetailsError(f"{where}.RoleLastUsed: expected an object")
        role = Entity(
            **common,
            boundary=self.boundary(item, where),
            tags=self.tags(item, where),
            trust_policy=self.document(
                item.get("AssumeRolePolicyDocument"),
                f"{where}.AssumeRolePolicyDocument",
                PolicyKind.TRUST,
            ),
            last_used_at=self.when(
                last_used, "LastUsedDate", f"{where}.RoleLastUsed", optional=True
            ),
            last_used_region=self.text(last_used, "Region", f"{where}.RoleLastUsed", optional=True),
        )
        for n, profile in _items(item, "InstanceProfileList", where):
            self.profile(profile, f"{where}.InstanceProfileList[{n}]", name)
        return role

    def profile(self, item: Mapping[str, Any], where: str, role_name: str) -> None:
        name, path = str(self.text(item, "InstanceProfileName", where)), self.path(item, where)
        arn = str(self.text(item, "Arn", where))
        if self.account_id is not None and arn != names.arn(
            self.account_id, "instance-profile", path, name
        ):
            raise DetailsError(f"{where}.Arn: {arn} is not this account's instance profile {name}")
        profile_id = str(self.text(item, "InstanceProfileId", where))
        known = self.profiles.get(profile_id)
        if known is not None and known.role_name != role_name:
            raise DetailsError(
                f"{where}: instance profile {name} holds roles {known.role_name} and {role_name}; "
                "an instance profile holds one role"
            )
        self.profiles[profile_id] = InstanceProfile(
            name, profile_id, arn, path, self.when(item, "CreateDate", where), role_name
        )

    def policy(self, item: Mapping[str, Any], where: str) -> ManagedPolicy | None:
        arn = str(self.text(item, "Arn", where))
        if is_aws_managed(arn):
            return None  # the same in every account: Stockade ships them
        name, path = str(self.text(item, "PolicyName", where)), self.path(item, where)
        self.arn(item, where, "policy", path, name)
        default = str(self.text(item, "DefaultVersionId", where))
        versions = []
        for n, entry in _items(item, "PolicyVersionList", where):
            place = f"{where}.PolicyVersionList[{n}]"
            versions.append(
                Version(
                    str(self.text(entry, "VersionId", place)),
                    self.document(entry.get("Document"), place + ".Document", PolicyKind.IDENTITY),
                    bool(entry.get("IsDefaultVersion")),
                    self.when(entry, "CreateDate", place),
                )
            )
        defaults = [v.version_id for v in versions if v.is_default]
        if defaults != [default]:
            raise DetailsError(
                f"{where}: DefaultVersionId is {default} but the versions flagged default are "
                f"{defaults or 'none'}"
            )
        if len({v.version_id for v in versions}) != len(versions):
            raise DetailsError(f"{where}.PolicyVersionList: a version id appears twice")
        for v in versions:
            if not re.fullmatch(r"v[1-9][0-9]*", v.version_id):
                raise DetailsError(f"{where}: {v.version_id!r} is not a policy version id (vN)")
        return ManagedPolicy(
            name=name,
            id=str(self.text(item, "PolicyId", where)),
            arn=arn,
            path=path,
            description=self.text(item, "Description", where, optional=True),
            default_version=default,
            created_at=self.when(item, "CreateDate", where),
            updated_at=self.when(item, "UpdateDate", where),
            versions=tuple(versions),
        )
