"""Random requests to a real server: whatever arrives, the answer is AWS's, the store stays whole.

Hypothesis draws short sequences of requests to the served IAM operations (and to actions of the
model Stockade does not offer, and to names outside the model), with parameters built from the
operation's input shape: names from a small pool so that requests meet each other's entities,
mixed with unicode, control characters, huge lengths, `.member.N` lists with gaps and junk
indexes, wrong types and unknown parameters. Each is signed as the administrator with botocore's
SigV4 signer and sent raw, as a form POST or a GET.

After every request:
- never a 5xx (but 501 NotImplemented for an action of the model that is not offered);
- the body is AWS's XML: `<{Action}Response>` that botocore's own parser reads, or
  `<ErrorResponse>` with Type, Code, Message and RequestId, the code one the model declares for
  the operation (or a common one) and the status the model gives it;
- a refused request changed nothing in the database.
After every sequence, the store is consistent, through the API (every listed entity can be
fetched, members exist, default versions exist, attachment counts match the entities listed,
and the attachments seen from the entities are those seen from the policies)
and in the SQLite file itself, opened read-only (foreign keys, no orphaned rows).

Codes outside the operation's declared errors fail the run, except the few listed in
UNDECLARED_BUT_ACCEPTED where AWS's own answer is undocumented; the administrator's requests
must always authenticate.

The server is this module's own, on SQLite, so the other suites never see what this one makes;
it starts with a small world built from the same pools (users in groups, attached and inline
policies, tags, keys, a login profile, an enabled MFA device) for the requests to run into.
A renamed tagged user, a case the search meets only now and then, is checked first by the same
invariants.
"""

from __future__ import annotations

import json
import random
import sqlite3
import string
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.parsers
import httpx
import pyotp
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from tests.api.conftest import Server, start_server, stop_server
from tests.api.served import COMMON_STATUS, SERVED, iam_model, model_errors
from tests.api.wire import (
    IAM_NAMESPACE,
    IAM_VERSION,
    STS_NAMESPACE,
    Reply,
    Signer,
    encode,
    send,
)

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the pools requests draw names from ----------------------------------------------------
USERS = ("alice", "bob", "Carol")
GROUPS = ("ops", "devs")
ROLES = ("svc", "app")
POLICY_NAMES = ("p-read", "p-all")
INLINE_NAMES = ("inline-a", "Inline-A")
DEVICES = ("phone", "token")
TAG_KEYS = ("team", "Team", "env", "aws:reserved", "\u0130")
ALIASES = ("fuzz-alias", "other-alias")
PATHS = ("/", "/eng/", "/eng/ops/", "/a//b/", "no-slash", "/\u00e9/")
PASSWORDS = ("Fuzz-Passw0rd!", "short", "x" * 128)
VERSIONS = ("v1", "v2", "v3", "v6", "v0", "v1.a")
AWS_POLICIES = (
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/aws-service-role/APIGatewayServiceRolePolicy",
    "arn:aws:iam::aws:policy/NoSuchAwsPolicy",
)
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
ALLOW_S3 = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ],
    }
)
TRUST = json.dumps(
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
BROKEN_DOCUMENTS = (
    "{",
    "[]",
    '{"Version":"2012-10-17"}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}',
    '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
)
# Actions of the model no one is adding to Stockade now: they must answer NotImplemented.
NOT_OFFERED = (
    "GetOrganizationsAccessReport",
    "GenerateOrganizationsAccessReport",
    "CreateDelegationRequest",
    "ListDelegationRequests",
    "GetOutboundWebIdentityFederationInfo",
)
UNSERVED_STATUS = {"NotImplemented": 501}


@dataclass
class Known:
    """What responses have told us, so later requests can name it (access keys, accounts).

    The administrator's own key is never among the access keys: deleting or deactivating it
    (which IAM allows its owner) would lock the rest of the run out.
    """

    account: str
    access_keys: set[str] = field(default_factory=set)

    def policy_arns(self) -> tuple[str, ...]:
        local = tuple(f"arn:aws:iam::{self.account}:policy/{name}" for name in POLICY_NAMES)
        return (*local, f"arn:aws:iam::{self.account}:policy/eng/p-read", *AWS_POLICIES)

    def serials(self) -> tuple[str, ...]:
        return tuple(f"arn:aws:iam::{self.account}:mfa/{name}" for name in DEVICES)


# -- strategies ----------------------------------------------------------------------------
# Choices that need real odds (how often a member is present, how often a value is junk) are
# made with a Random that Hypothesis seeds (`st.randoms`): a failing case replays from its seed,
# and the odds are the ones written, without the pull towards the simplest alternative that
# Hypothesis gives its own draws.
JUNK_CHARACTERS = st.characters(codec="utf-8", exclude_categories=["Cs"])


def junk_text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Anything a form can carry: unicode, controls (NUL included), markup, separators."""
    return st.text(JUNK_CHARACTERS, max_size=max_size)


def huge_text(rnd: random.Random) -> str:
    character = rnd.choice(["a", "\u00e9", "\x01", " ", "{", "\u0130", "&"])
    return character * rnd.choice([129, 257, 513, 1025, 2049, 6145, 10241, 131073, 200_000])


@dataclass
class Draw:
    """One request's drawing: Hypothesis's draw, its Random, and what responses told us."""

    draw: st.DrawFn
    rnd: random.Random
    known: Known

    def chance(self, probability: float) -> bool:
        return self.rnd.random() < probability

    def mixed(self, pool: Sequence[str], *, huge: bool) -> str:
        """Mostly a value from the pool; sometimes junk; sometimes (top level only) huge."""
        roll = self.rnd.random()
        if roll < 0.88:
            return self.rnd.choice(list(pool))
        if roll < 0.97 or not huge:
            return self.draw(junk_text())
        return huge_text(self.rnd)


def string_pool(shape: Any, known: Known) -> Sequence[str] | None:
    name = shape.name
    if shape.enum:
        return [*shape.enum, shape.enum[0].lower()]
    pools: dict[str, Sequence[str]] = {
        "userNameType": USERS,
        "existingUserNameType": USERS,
        "groupNameType": GROUPS,
        "roleNameType": ROLES,
        "policyNameType": POLICY_NAMES + INLINE_NAMES,
        "arnType": known.policy_arns(),
        "serialNumberType": known.serials(),
        "virtualMFADeviceName": DEVICES,
        "passwordType": PASSWORDS,
        "policyVersionIdType": VERSIONS,
        "tagKeyType": TAG_KEYS,
        "tagValueType": ("", "a", "b c", "\u00e9t\u00e9"),
        "accountAliasType": ALIASES,
        "pathType": PATHS,
        "policyPathType": PATHS,
        "pathPrefixType": PATHS,
        "authenticationCodeType": ("123456", "000000", "12345", "abcdef"),
        "markerType": ("m1", "m0", "m-1", "m99999999999999999999", "x"),
        "roleDescriptionType": ("a role", ""),
        "policyDescriptionType": ("a policy", ""),
        "policyDocumentType": (ALLOW_ALL, ALLOW_S3, TRUST, *BROKEN_DOCUMENTS),
        "accessKeyIdType": (*sorted(known.access_keys), "AKIAIOSFODNN7EXAMPLE"),
    }
    return pools.get(name)


WRONG_INTEGERS = ("", "-1", "0", "1.5", "1e3", "abc", "99999999999999999999999", " 7", "\u0667")
WRONG_BOOLEANS = ("True", "FALSE", "", "1", "yes", "\x00")


def scalar_value(d: Draw, shape: Any, depth: int) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return d.rnd.choice(["true", "false"]) if d.chance(0.8) else d.rnd.choice(WRONG_BOOLEANS)
    if kind in ("integer", "long"):
        if d.chance(0.75):
            low = shape.metadata.get("min", 0)
            return str(d.rnd.randint(low, shape.metadata.get("max", low + 1000)))
        return d.rnd.choice([*WRONG_INTEGERS, str(d.draw(st.integers()))])
    pool = string_pool(shape, d.known)
    if pool is None:
        return d.draw(junk_text()) if depth > 1 or d.chance(0.9) else huge_text(d.rnd)
    return d.mixed(pool, huge=depth <= 1)


Pairs = list[tuple[str, str]]


def list_indexes(d: Draw) -> list[str]:
    """`.member.N` indexes: in order, with gaps, repeated, zero, huge, not numbers."""
    roll = d.rnd.random()
    if roll < 0.6:
        return [str(i) for i in range(1, d.rnd.randint(1, 4) + 1)]
    if roll < 0.95:
        odd = ["0", "01", "3", "7", "60", "99999999999999999999", "-1", "x", "", "1.5", "2", "2"]
        return d.rnd.sample(odd, d.rnd.randint(0, 5))
    return [str(i) for i in range(1, 52)]  # one more than any list of the model allows


def member_pairs(d: Draw, prefix: str, shape: Any, depth: int = 0) -> Pairs:
    kind = shape.type_name
    if kind == "structure":
        pairs: Pairs = []
        for name, member in shape.members.items():
            required = name in shape.required_members
            if d.chance(0.9 if required else 0.5):
                key = f"{prefix}.{name}" if prefix else name
                pairs += member_pairs(d, key, member, depth + 1)
        return pairs
    if kind == "list":
        indexes = list_indexes(d)
        pairs = []
        for index in indexes:
            pairs += member_pairs(d, f"{prefix}.member.{index}", shape.member, depth + 1)
        if not indexes and d.chance(0.5):
            pairs.append((prefix, ""))  # botocore's spelling of an empty list
        return pairs
    return [(prefix, scalar_value(d, shape, depth))]


WRITES = tuple(op for op in SERVED if not op.startswith(("Get", "List")))
OUTSIDE_THE_MODEL = ("createuser", "CreateUser ", "Create User", "ListUsers\x00", "Frob", "")
# Unknown parameters, and known ones in the wrong form (a list where a scalar goes, …).
ODD_KEYS = ("UserName.member.1", "Tags", "Tags.member.1", "Tags.member.1.Key.member.1", "X-Amz-")


@dataclass(frozen=True)
class FuzzRequest:
    action: str | None
    params: Pairs
    method: str
    service: str = "iam"

    def describe(self) -> str:
        shown = [(k, v if len(v) <= 120 else f"{v[:60]}…({len(v)} chars)") for k, v in self.params]
        return f"{self.method} {self.service} {self.action!r} {shown}"


@st.composite
def fuzz_requests(draw: st.DrawFn, known: Known) -> FuzzRequest:
    d = Draw(draw, draw(st.randoms(use_true_random=True)), known)
    kind = d.rnd.choices(
        ["write", "served", "not offered", "outside", "sts"], weights=[50, 30, 5, 12, 3]
    )[0]
    if kind == "sts":
        identity = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
        return FuzzRequest("GetCallerIdentity", identity, d.rnd.choice(["GET", "POST"]), "sts")
    if kind == "write":
        action = d.rnd.choice(WRITES)
    elif kind == "served":
        action = d.rnd.choice(SERVED)
    elif kind == "not offered":
        action = d.rnd.choice(NOT_OFFERED)
    elif d.chance(0.5):
        action = d.rnd.choice(OUTSIDE_THE_MODEL)
    else:
        action = draw(st.text(string.ascii_letters, min_size=1, max_size=30))
    params: Pairs = []
    if action in SERVED or action in NOT_OFFERED:
        shape = iam_model().operation_model(action).input_shape
        if shape is not None:
            params += member_pairs(d, "", shape)
    for _ in range(d.rnd.choice([0, 0, 0, 1, 2])):
        key = d.rnd.choice(ODD_KEYS) if d.chance(0.5) else draw(st.text(string.ascii_letters))
        params.append((key, draw(junk_text(40))))
    has_action = d.chance(0.97)
    head: Pairs = [("Action", action)] if has_action else []
    if d.chance(0.97):
        head.append(("Version", IAM_VERSION))
    all_params = head + params
    small = len(encode(all_params)) < 6000
    method = "GET" if small and d.chance(0.25) else "POST"
    return FuzzRequest(action if has_action else None, all_params, method)


# -- the server and its store --------------------------------------------------------------
@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("stockade-fuzz"))
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def admin(fuzz_server: Server) -> Any:
    return boto3.client(
        "iam",
        endpoint_url=fuzz_server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=fuzz_server.admin_key,
        aws_secret_access_key=fuzz_server.admin_secret,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def known(fuzz_server: Server, admin: Any) -> Known:
    return seed_world(fuzz_server, admin)


def seed_world(server: Server, admin: Any) -> Known:
    """The starting world, made from the pools so that random requests meet it."""
    account = server.account_id
    p_read, p_all = (f"arn:aws:iam::{account}:policy/{name}" for name in POLICY_NAMES)
    for name in USERS[:2]:
        admin.create_user(UserName=name, Tags=[{"Key": "team", "Value": "fuzz"}])
    admin.create_group(GroupName=GROUPS[0])
    admin.create_role(RoleName=ROLES[0], AssumeRolePolicyDocument=TRUST)
    admin.tag_role(RoleName=ROLES[0], Tags=[{"Key": "env", "Value": "test"}])
    admin.create_policy(PolicyName=POLICY_NAMES[0], PolicyDocument=ALLOW_S3)
    admin.create_policy_version(PolicyArn=p_read, PolicyDocument=ALLOW_ALL)
    admin.create_policy(PolicyName=POLICY_NAMES[1], PolicyDocument=ALLOW_ALL)
    admin.tag_policy(PolicyArn=p_read, Tags=[{"Key": "team", "Value": "fuzz"}])
    admin.add_user_to_group(GroupName=GROUPS[0], UserName=USERS[0])
    admin.attach_user_policy(UserName=USERS[0], PolicyArn=p_read)
    admin.attach_user_policy(UserName=USERS[0], PolicyArn=AWS_POLICIES[0])
    admin.attach_group_policy(GroupName=GROUPS[0], PolicyArn=p_all)
    admin.attach_role_policy(RoleName=ROLES[0], PolicyArn=p_read)
    admin.put_user_policy(UserName=USERS[1], PolicyName=INLINE_NAMES[0], PolicyDocument=ALLOW_S3)
    admin.put_role_policy(RoleName=ROLES[0], PolicyName=INLINE_NAMES[0], PolicyDocument=ALLOW_S3)
    admin.create_login_profile(UserName=USERS[0], Password=PASSWORDS[0])
    key = admin.create_access_key(UserName=USERS[1])["AccessKey"]["AccessKeyId"]
    device = admin.create_virtual_mfa_device(VirtualMFADeviceName=DEVICES[0])["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    admin.enable_mfa_device(
        UserName=USERS[1],
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(now - 30),
        AuthenticationCode2=totp.at(now),
    )
    admin.create_virtual_mfa_device(VirtualMFADeviceName=DEVICES[1])
    return Known(account, {key})


def read_only(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / 'stockade.db'}?mode=ro", uri=True)


# Columns a successful request may touch as a side effect of being authenticated.
_VOLATILE = {"last_used_at", "last_used_service", "last_used_region"}


def snapshot(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order (last-use bookkeeping left out)."""
    with read_only(data_dir) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            keep = [i for i, d in enumerate(cursor.description) if d[0] not in _VOLATILE]
            found[table] = sorted(
                (tuple(row[i] for i in keep) for row in cursor.fetchall()), key=repr
            )
    return found


ORPHANS = {
    "group_members without their group": """
        SELECT group_id, user_id FROM group_members
        WHERE group_id NOT IN (SELECT group_id FROM groups)""",
    "group_members without their user": """
        SELECT group_id, user_id FROM group_members
        WHERE user_id NOT IN (SELECT user_id FROM users)""",
    "attachments without their entity": """
        SELECT entity_kind, entity_id, policy_arn FROM attachments
        WHERE NOT (entity_kind = 'user' AND entity_id IN (SELECT user_id FROM users)
                OR entity_kind = 'group' AND entity_id IN (SELECT group_id FROM groups)
                OR entity_kind = 'role' AND entity_id IN (SELECT role_id FROM roles))""",
    "attachments of a customer policy that does not exist": """
        SELECT entity_kind, entity_id, policy_arn FROM attachments
        WHERE policy_arn NOT LIKE 'arn:aws:iam::aws:policy/%'
          AND policy_arn NOT IN (SELECT arn FROM managed_policies)""",
    "inline_policies without their entity": """
        SELECT entity_kind, entity_id, name FROM inline_policies
        WHERE NOT (entity_kind = 'user' AND entity_id IN (SELECT user_id FROM users)
                OR entity_kind = 'group' AND entity_id IN (SELECT group_id FROM groups)
                OR entity_kind = 'role' AND entity_id IN (SELECT role_id FROM roles))""",
    "access_keys of a user that does not exist": """
        SELECT access_key_id, user_id FROM access_keys
        WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT user_id FROM users)""",
    "login_profiles without their user": """
        SELECT user_id FROM login_profiles WHERE user_id NOT IN (SELECT user_id FROM users)""",
    "policy_versions without their policy": """
        SELECT policy_id, version_id FROM policy_versions
        WHERE policy_id NOT IN (SELECT policy_id FROM managed_policies)""",
    "managed_policies whose default version does not exist": """
        SELECT arn, default_version FROM managed_policies p WHERE NOT EXISTS (
            SELECT 1 FROM policy_versions v
            WHERE v.policy_id = p.policy_id AND v.version_id = p.default_version)""",
    "mfa_devices enabled for a user that does not exist": """
        SELECT serial_number, user_id FROM mfa_devices
        WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT user_id FROM users)""",
    "mfa_devices half enabled": """
        SELECT serial_number FROM mfa_devices
        WHERE (enabled_at IS NULL) != (user_id IS NULL AND NOT for_root)""",
    # TagPolicy is for customer managed policies: AWS managed ones belong to no account.
    "tags of something not a user, role, customer managed policy or MFA device": """
        SELECT resource_arn, key FROM tags WHERE resource_arn NOT IN (
            SELECT 'arn:aws:iam::' || account_id || ':user' || path || name FROM users
            UNION SELECT 'arn:aws:iam::' || account_id || ':role' || path || name FROM roles
            UNION SELECT arn FROM managed_policies
            UNION SELECT serial_number FROM mfa_devices)""",
    "names whose case-folded twin is stale": """
        SELECT 'user', name FROM users WHERE name_key != lower(name)
        UNION ALL SELECT 'group', name FROM groups WHERE name_key != lower(name)
        UNION ALL SELECT 'role', name FROM roles WHERE name_key != lower(name)
        UNION ALL SELECT 'policy', name FROM managed_policies WHERE name_key != lower(name)""",
}


def check_database(data_dir: Path) -> None:
    with read_only(data_dir) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for what, query in ORPHANS.items():
            assert db.execute(query).fetchall() == [], what


def check_api(admin: Any) -> None:
    """What a user relies on: everything listed can be fetched, and the lists agree."""
    users = admin.list_users()["Users"]
    user_ids = {u["UserName"]: u["UserId"] for u in users}
    for listed in users:
        fetched = admin.get_user(UserName=listed["UserName"])["User"]
        assert (fetched["UserId"], fetched["Arn"]) == (listed["UserId"], listed["Arn"])
        tags = admin.list_user_tags(UserName=listed["UserName"])["Tags"]
        assert tags == fetched.get("Tags", [])
        for name in admin.list_user_policies(UserName=listed["UserName"])["PolicyNames"]:
            admin.get_user_policy(UserName=listed["UserName"], PolicyName=name)
        admin.list_groups_for_user(UserName=listed["UserName"])
    memberships: set[tuple[str, str]] = set()
    for group in admin.list_groups()["Groups"]:
        found = admin.get_group(GroupName=group["GroupName"])
        assert found["Group"]["GroupId"] == group["GroupId"]
        for member in found["Users"]:
            assert user_ids.get(member["UserName"]) == member["UserId"], member
            memberships.add((group["GroupName"], member["UserName"]))
    for name in user_ids:
        for group in admin.list_groups_for_user(UserName=name)["Groups"]:
            assert (group["GroupName"], name) in memberships
    assert len(memberships) == sum(
        len(admin.list_groups_for_user(UserName=name)["Groups"]) for name in user_ids
    )
    roles = [r["RoleName"] for r in admin.list_roles()["Roles"]]
    for role in admin.list_roles()["Roles"]:
        fetched = admin.get_role(RoleName=role["RoleName"])["Role"]
        assert fetched["RoleId"] == role["RoleId"]
        assert admin.list_role_tags(RoleName=role["RoleName"])["Tags"] == fetched.get("Tags", [])
    # Attachments seen from the entities must be those seen from the policies.
    from_entities = attachments_by_entity(admin, list(user_ids), memberships, roles)
    local = [p["Arn"] for p in admin.list_policies(Scope="Local")["Policies"]]
    from_policies: set[tuple[str, str, str]] = set()
    for arn in sorted({*local, *(a for _, _, a in from_entities)}):
        policy = admin.get_policy(PolicyArn=arn)["Policy"]
        version = admin.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        assert version["PolicyVersion"]["IsDefaultVersion"] is True
        versions = admin.list_policy_versions(PolicyArn=arn)["Versions"]
        assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == [
            policy["DefaultVersionId"]
        ]
        entities = admin.list_entities_for_policy(PolicyArn=arn)
        for kind in ("User", "Group", "Role"):
            for entity in entities[f"Policy{kind}s"]:
                from_policies.add((kind, entity[f"{kind}Name"], arn))
        count = sum(len(entities[k]) for k in ("PolicyUsers", "PolicyGroups", "PolicyRoles"))
        assert policy["AttachmentCount"] == count, arn
    assert from_policies == from_entities
    for device in admin.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]:
        user = device["User"]
        if user["Arn"].endswith(":root"):
            continue
        assert user_ids.get(user["UserName"]) == user["UserId"]
        serials = admin.list_mfa_devices(UserName=user["UserName"])["MFADevices"]
        assert device["SerialNumber"] in [d["SerialNumber"] for d in serials]


def attachments_by_entity(
    admin: Any, users: list[str], memberships: set[tuple[str, str]], roles: list[str]
) -> set[tuple[str, str, str]]:
    """(kind, entity name, policy ARN) of every managed policy attached, asked of each entity."""
    found: set[tuple[str, str, str]] = set()
    for name in users:
        for p in admin.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
            found.add(("User", name, p["PolicyArn"]))
    for name in {g for g, _ in memberships} | {
        g["GroupName"] for g in admin.list_groups()["Groups"]
    }:
        for p in admin.list_attached_group_policies(GroupName=name)["AttachedPolicies"]:
            found.add(("Group", name, p["PolicyArn"]))
    for name in roles:
        for p in admin.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            found.add(("Role", name, p["PolicyArn"]))
    return found


# -- the answer to one request ------------------------------------------------------------
# Every request is signed with the administrator's key by botocore: none may fail to authenticate.
AUTHENTICATION_ERRORS = {
    "MissingAuthenticationToken",
    "IncompleteSignature",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
}


# Answers the model does not declare for the operation, where AWS's own code is undocumented
# and Stockade's is a fair stand-in.
UNDECLARED_BUT_ACCEPTED = {
    # The model declares no error at all, yet an unknown key id needs some answer.
    "GetAccessKeyLastUsed": {"NoSuchEntity": 404},
    # A wrong OldPassword: the model declares no code for it.
    "ChangePassword": {"InvalidInput": 400},
    # A service-role policy as the boundary of a new user or role (declared for the Put…s).
    "CreateUser": {"PolicyNotAttachable": 400},
    "CreateRole": {"PolicyNotAttachable": 400},
}


def expected_codes(action: str | None) -> dict[str, int]:
    """The codes an answer to `action` may carry, with their statuses."""
    codes = {k: v for k, v in COMMON_STATUS.items() if k not in AUTHENTICATION_ERRORS}
    if action in UNDECLARED_BUT_ACCEPTED:
        codes.update(UNDECLARED_BUT_ACCEPTED[action])
    if action in SERVED:
        return {**codes, **model_errors(action)}
    if action in NOT_OFFERED:
        return {**codes, **UNSERVED_STATUS}
    return codes


def check_reply(request: FuzzRequest, reply: Reply) -> None:
    action = request.action
    served = action in SERVED or action == "GetCallerIdentity"
    if reply.status >= 500:
        assert (reply.status, reply.code) == (501, "NotImplemented"), (reply.code, reply.message)
        assert action in NOT_OFFERED
    assert reply.request_id, "every answer carries a RequestId"
    if not reply.is_error:
        assert reply.status == 200 and served
        assert reply.root_name == f"{action}Response"
        namespace = STS_NAMESPACE if request.service == "sts" else IAM_NAMESPACE
        assert reply.namespace == namespace
        if request.service == "iam":
            output = iam_model().operation_model(action).output_shape
            parser = botocore.parsers.QueryParser()
            parsed = parser.parse({"body": reply.body, "headers": {}, "status_code": 200}, output)
            assert "Error" not in parsed
        return
    assert reply.namespace == (STS_NAMESPACE if request.service == "sts" else IAM_NAMESPACE)
    assert reply.code and reply.message, "an error has a Code and a Message"
    assert reply.fault == ("Sender" if reply.status < 500 else "Receiver")
    allowed = expected_codes(action if request.service == "iam" else None)
    assert reply.code in allowed, f"{reply.code} is not an error {action} can answer"
    assert reply.status == allowed[reply.code], f"{reply.code} with HTTP {reply.status}"


def remember(request: FuzzRequest, reply: Reply, known: Known) -> None:
    if request.action == "CreateAccessKey" and not reply.is_error:
        known.access_keys.update(reply.find_text("CreateAccessKeyResult/AccessKey/AccessKeyId"))


# -- a case the search meets only now and then, under the same invariants ---------------


def test_renamed_user_keeps_its_tags_and_leaves_none_behind(
    fuzz_server: Server, admin: Any, known: Known
) -> None:
    """Tags follow a user through UpdateUser (new name, new path), and a user created later
    under the old name starts without them."""
    tags = [{"Key": "cost-centre", "Value": "42"}]
    admin.create_user(UserName="renamed-from", Tags=tags)
    admin.update_user(UserName="renamed-from", NewUserName="renamed-to")
    assert admin.list_user_tags(UserName="renamed-to")["Tags"] == tags
    admin.update_user(UserName="renamed-to", NewPath="/moved/")
    assert admin.get_user(UserName="renamed-to")["User"].get("Tags") == tags
    created = admin.create_user(UserName="renamed-from")["User"]
    assert created.get("Tags", []) == []
    check_database(fuzz_server.data_dir)
    check_api(admin)


# -- the property -------------------------------------------------------------------------
@FUZZ_SETTINGS
@given(data=st.data())
def test_random_requests_get_aws_answers_and_leave_the_store_whole(
    fuzz_server: Server, admin: Any, http: httpx.Client, known: Known, data: st.DataObject
) -> None:
    count = data.draw(st.integers(min_value=1, max_value=5), label="requests")
    start = before = snapshot(fuzz_server.data_dir)
    for _ in range(count):
        request = data.draw(fuzz_requests(known))
        note(request.describe())
        signer = Signer(fuzz_server.admin_key, fuzz_server.admin_secret, request.service)
        reply = send(http, fuzz_server.endpoint, request.params, signer, method=request.method)
        note(f"→ HTTP {reply.status} {reply.code or reply.root_name}: {reply.message or ''}")
        event(f"HTTP {reply.status}")
        event(f"{'ok' if not reply.is_error else reply.code}")
        check_reply(request, reply)
        after = snapshot(fuzz_server.data_dir)
        if reply.is_error:
            assert after == before, "a refused request changed the store"
        remember(request, reply, known)
        before = after
    check_database(fuzz_server.data_dir)
    if before != start:  # the API's view follows from the store: check it when that changed
        check_api(admin)
