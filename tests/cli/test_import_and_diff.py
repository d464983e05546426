"""`stockade import authorization-details`, `stockade policy simulate --account` and
`stockade policy diff`, as a user runs them: the real command in a subprocess, on a store in a
temporary directory, from a get-account-authorization-details document written by hand
(tests/cli/data: users in groups, roles with trust policies and an instance profile, inline and
managed policies with several versions, permissions boundaries, tags, documents URL-encoded and
plain)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.cli.test_policy_cli import stockade

DATA = Path(__file__).parent / "data"
DETAILS = DATA / "authorization-details.json"
REPORT = DATA / "credential-report.csv"
ACCOUNT = "111122223333"


def arn(resource: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{resource}"


def details() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DETAILS.read_text())
    return loaded


def write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def import_mirror(data_dir: Path, source: Path = DETAILS, *extra: str) -> Any:
    return stockade("import", "authorization-details", source, "--data-dir", data_dir, *extra)


def simulate(data_dir: Path, principal: str, action: str, resource: str = "*", *extra: str) -> str:
    result = stockade(
        "policy",
        "simulate",
        "--account",
        "prod",
        "--data-dir",
        data_dir,
        "--principal",
        principal,
        "--action",
        action,
        "--resource",
        resource,
        "--format",
        "json",
        *extra,
    )
    assert result.returncode in (0, 1), result.stderr
    decision: str = json.loads(result.stdout)["decision"]
    return decision


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("store")
    result = import_mirror(data_dir, DETAILS, "--credential-report", REPORT, "--name", "prod")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Mirror prod: account 111122223333, read-only; 3 users, 2 groups, 2 roles, "
        "3 customer managed policies (5 versions), 1 instance profiles, credentials from the "
        "credential report"
    )
    return data_dir


# -- simulate on the mirror ------------------------------------------------------------------
def test_a_group_policy_default_version_allows_through_the_boundary(mirrored: Path) -> None:
    # DeveloperAccess v2 (the default, via group developers) allows it; the boundary lets s3 by.
    assert simulate(mirrored, arn("user/alice"), "s3:PutObject", "arn:aws:s3:::app-data/a") == (
        "allowed"
    )


def test_a_non_default_version_grants_nothing(mirrored: Path) -> None:
    # Only v3, which is not the default, allows s3:DeleteBucket.
    decision = simulate(mirrored, arn("user/alice"), "s3:DeleteBucket", "arn:aws:s3:::app-data")
    assert decision == "implicitDeny"


def test_an_explicit_deny_of_the_default_version(mirrored: Path) -> None:
    resource = "arn:aws:s3:::app-data/prod/ledger.csv"
    assert simulate(mirrored, arn("user/alice"), "s3:DeleteObject", resource) == "explicitDeny"


def test_an_aws_managed_policy_attached_to_a_user_in_a_path(mirrored: Path) -> None:
    bob = arn("user/ops/bob")
    assert simulate(mirrored, bob, "ec2:DescribeInstances") == "allowed"
    assert simulate(mirrored, bob, "ec2:TerminateInstances") == "implicitDeny"


def test_the_permissions_boundary_of_a_role_limits_an_aws_policy(mirrored: Path) -> None:
    deployer = arn("role/deployer")
    # ReadOnlyAccess allows both; the boundary only s3, ec2:Describe* and cloudformation.
    assert simulate(mirrored, deployer, "s3:GetObject", "arn:aws:s3:::any/key") == "allowed"
    assert simulate(mirrored, deployer, "iam:GetRole", arn("role/deployer")) == "implicitDeny"


def test_a_condition_is_met_by_the_context_given(mirrored: Path) -> None:
    deployer = arn("role/deployer")
    assert simulate(mirrored, deployer, "cloudformation:CreateStack") == "implicitDeny"
    region = ("--context", "aws:RequestedRegion=eu-west-1")
    assert simulate(mirrored, deployer, "cloudformation:CreateStack", "*", *region) == "allowed"


def test_a_role_in_a_path_with_a_customer_policy(mirrored: Path) -> None:
    role = arn("role/service/app-server")
    assert simulate(mirrored, role, "s3:GetObject", "arn:aws:s3:::app-data/x") == "allowed"
    assert simulate(mirrored, role, "s3:PutObject", "arn:aws:s3:::app-data/x") == "implicitDeny"


def test_the_inline_policy_variable_is_the_users_name(mirrored: Path) -> None:
    alice = arn("user/alice")
    assert simulate(mirrored, alice, "iam:GetUser", alice) == "allowed"
    assert simulate(mirrored, alice, "iam:GetUser", arn("user/ops/bob")) == "implicitDeny"


def test_simulate_names_a_principal_that_is_not_there(mirrored: Path) -> None:
    result = stockade(
        "policy",
        "simulate",
        "--account",
        "111122223333",
        "--data-dir",
        mirrored,
        "--principal",
        arn("user/mallory"),
        "--action",
        "s3:GetObject",
    )
    assert result.returncode == 2
    assert f"no user {arn('user/mallory')} in account 111122223333" in result.stderr
    unknown = stockade(
        "policy",
        "simulate",
        "--account",
        "staging",
        "--data-dir",
        mirrored,
        "--principal",
        arn("user/alice"),
        "--action",
        "s3:GetObject",
    )
    assert unknown.returncode == 2
    assert "no account or mirror named staging" in unknown.stderr


# -- import: all or nothing, replace by name ---------------------------------------------------
def test_bad_input_is_refused_with_where_and_nothing_is_written(tmp_path: Path) -> None:
    broken = details()
    broken["UserDetailList"][1]["GroupList"].append("auditors")
    result = import_mirror(tmp_path / "store", write(tmp_path, "broken.json", broken))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        f"{arn('user/ops/bob')} is in group auditors, which the file lacks"
    )
    after = stockade(
        "policy",
        "simulate",
        "--account",
        ACCOUNT,
        "--data-dir",
        tmp_path / "store",
        "--principal",
        arn("user/alice"),
        "--action",
        "s3:GetObject",
    )
    assert "no account or mirror named 111122223333" in after.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["GroupDetailList"][0]["GroupPolicyList"][0].update(
                PolicyDocument=quote('{"Statement": [{"Effect": "Allow"}]}')
            ),
            "GroupDetailList[0].GroupPolicyList[0].PolicyDocument: not a valid policy",
        ),
        (
            lambda d: d["RoleDetailList"][0].update(Arn="arn:aws:iam::444455556666:role/x"),
            "RoleDetailList[0].Arn: arn:aws:iam::444455556666:role/x names account "
            "444455556666, but earlier entries name 111122223333",
        ),
        (
            lambda d: d["Policies"][1]["PolicyVersionList"][0].update(IsDefaultVersion=True),
            "Policies[1]: DefaultVersionId is v2 but the versions flagged default are ['v3', 'v2']",
        ),
        (
            lambda d: d["UserDetailList"][2]["AttachedManagedPolicies"].append(
                {"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::aws:policy/NoSuchPolicyEver"}
            ),
            "uses the AWS managed policy arn:aws:iam::aws:policy/NoSuchPolicyEver, which this "
            "version of Stockade does not ship",
        ),
        (lambda d: d.update(IsTruncated=True), "the document is truncated"),
        (
            lambda d: d["UserDetailList"][0].update(Tags={"team": "payments"}),
            "UserDetailList[0].Tags: expected a list",
        ),
        (
            lambda d: d["RoleDetailList"][1].update(RoleId="AROAEXAMPLEAPPSRV001"),
            "role deployer: the id AROAEXAMPLEAPPSRV001 is used twice",
        ),
    ],
)
def test_faults_are_named(tmp_path: Path, change: Any, message: str) -> None:
    document = details()
    change(document)
    result = import_mirror(tmp_path / "store", write(tmp_path, "bad.json", document))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_credential_report_of_another_user_is_refused(tmp_path: Path) -> None:
    report = REPORT.read_text().replace("user/ci,", "user/cj,")
    (tmp_path / "report.csv").write_text(report)
    result = import_mirror(
        tmp_path / "store", DETAILS, "--credential-report", tmp_path / "report.csv"
    )
    assert result.returncode == 2
    assert "credential report line 5: arn:aws:iam::111122223333:user/cj is not a user" in (
        result.stderr
    )


def test_reimport_replaces_the_mirror_and_a_failed_one_keeps_it(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert import_mirror(store, DETAILS, "--name", "prod").returncode == 0
    alice = arn("user/alice")
    assert simulate(store, alice, "s3:DeleteBucket", "arn:aws:s3:::app-data") == "implicitDeny"

    newer = details()
    developer_access = newer["Policies"][1]
    developer_access["DefaultVersionId"] = "v3"
    for version in developer_access["PolicyVersionList"]:
        version["IsDefaultVersion"] = version["VersionId"] == "v3"
    newer["UserDetailList"] = [u for u in newer["UserDetailList"] if u["UserName"] != "ci"]
    assert (
        import_mirror(store, write(tmp_path, "newer.json", newer), "--name", "prod").returncode == 0
    )
    assert simulate(store, alice, "s3:DeleteBucket", "arn:aws:s3:::app-data") == "allowed"
    gone = stockade(
        "policy", "simulate", "--account", "prod", "--data-dir", store,
        "--principal", arn("user/ci"), "--action", "s3:GetObject",
    )  # fmt: skip
    assert gone.returncode == 2 and "no user" in gone.stderr

    broken = copy.deepcopy(newer)
    broken["RoleDetailList"][0]["AttachedManagedPolicies"][0]["PolicyArn"] = arn("policy/Gone")
    failed = import_mirror(store, write(tmp_path, "broken.json", broken), "--name", "prod")
    assert failed.returncode == 2
    # The mirror is still the one imported before.
    assert simulate(store, alice, "s3:DeleteBucket", "arn:aws:s3:::app-data") == "allowed"

    other = import_mirror(store, DETAILS, "--name", "prod-copy")
    assert other.returncode == 2
    assert "Account 111122223333 is already mirrored as prod" in other.stderr


# -- diff ------------------------------------------------------------------------------------
READ_APP_DATA = {
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::app-data/*",
}
PASS_SERVICE_ROLES = {
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": f"arn:aws:iam::{ACCOUNT}:role/service/*",
}
RUN_INSTANCES = {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_diff_flags_pass_role_with_run_instances_first(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", policy(READ_APP_DATA, PASS_SERVICE_ROLES))
    new = write(tmp_path, "new.json", policy(READ_APP_DATA, PASS_SERVICE_ROLES, RUN_INSTANCES))
    result = stockade("policy", "diff", old, new)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{old} -> {new}"
    assert lines[1].startswith(
        "  !! PRIVILEGE ESCALATION now possible: Pass a role to a new EC2 instance "
        "(iam:PassRole + ec2:RunInstances)"
    )
    assert lines[2:4] == ["  + denied -> allowed on *:", "      ec2:RunInstances  [escalation]"]

    as_json = json.loads(stockade("policy", "diff", old, new, "--format", "json").stdout)
    [subject] = as_json["subjects"]
    assert as_json["widened"] is True
    assert [e["id"] for e in subject["escalations"]] == ["pass-role-ec2"]
    assert subject["changes"] == [
        {
            "action": "ec2:RunInstances",
            "resource": "*",
            "before": "denied",
            "after": "allowed",
            "widened": True,
            "escalating": True,
        }
    ]


def test_diff_of_pass_role_alone_is_widening_without_an_escalation(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", policy(READ_APP_DATA))
    new = write(tmp_path, "new.json", policy(READ_APP_DATA, PASS_SERVICE_ROLES))
    result = json.loads(stockade("policy", "diff", old, new, "--format", "json").stdout)
    [subject] = result["subjects"]
    assert subject["escalations"] == []
    assert [(c["action"], c["resource"]) for c in subject["changes"]] == [
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/service/*")
    ]


def test_diff_exit_status_no_change_and_narrowing(tmp_path: Path) -> None:
    wide = write(tmp_path, "wide.json", policy(READ_APP_DATA, RUN_INSTANCES))
    narrow = write(tmp_path, "narrow.json", policy(READ_APP_DATA))
    same = stockade("policy", "diff", wide, wide)
    assert (same.returncode, same.stdout.splitlines()[1]) == (
        0,
        "  no action changes on the resources either side names",
    )
    narrowed = stockade("policy", "diff", wide, narrow)
    assert narrowed.returncode == 0
    assert "  - allowed -> denied on *:" in narrowed.stdout
    bad = stockade("policy", "diff", wide, tmp_path / "missing.json")
    assert bad.returncode == 2 and "missing.json" in bad.stderr


def test_diff_reports_a_conditional_grant(tmp_path: Path) -> None:
    in_ireland = {
        **RUN_INSTANCES,
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    }
    old = write(tmp_path, "old.json", policy(READ_APP_DATA))
    new = write(tmp_path, "new.json", policy(READ_APP_DATA, in_ireland))
    result = json.loads(stockade("policy", "diff", old, new, "--format", "json").stdout)
    [subject] = result["subjects"]
    assert [(c["action"], c["after"]) for c in subject["changes"]] == [
        ("ec2:RunInstances", "conditional")
    ]


def test_diff_of_two_versions_from_the_file_and_from_the_store(
    tmp_path: Path, mirrored: Path
) -> None:
    policy_arn = arn("policy/DeveloperAccess")
    versions = ("--policy-arn", policy_arn, "--versions", "v2", "v3")
    from_file = stockade("policy", "diff", DETAILS, *versions, "--format", "json")
    from_store = stockade(
        "policy", "diff", "--account", "prod", "--data-dir", mirrored, *versions, "--format", "json"
    )
    assert from_file.returncode == from_store.returncode == 1, from_file.stderr + from_store.stderr
    assert json.loads(from_file.stdout) == json.loads(from_store.stdout)
    document, *principals = json.loads(from_file.stdout)["subjects"]
    assert document["subject"] == f"{policy_arn} v2 -> v3"
    widened = {(c["action"], c["resource"]) for c in document["changes"] if c["widened"]}
    assert ("s3:DeleteBucket", "arn:aws:s3:::app-data") in widened
    assert ("s3:DeleteObject", "arn:aws:s3:::app-data/*") in widened
    # v2 denied deletes under prod/ explicitly; v3 has no such Deny and allows s3:* there.
    assert ("s3:DeleteObject", "arn:aws:s3:::app-data/prod/*") in widened
    assert not any(c["resource"] == "*" for c in document["changes"])
    # The developers, through their group; the roles and ci do not use the policy.
    by_principal = {p["subject"]: p for p in principals}
    assert set(by_principal) == {arn("user/alice"), arn("user/ops/bob")}
    alice = {(c["action"], c["resource"]) for c in by_principal[arn("user/alice")]["changes"]}
    assert ("s3:DeleteBucket", "arn:aws:s3:::app-data") in alice
    # bob's ReadOnlyAccess already lets him read every bucket: no read shows as a change.
    bob = by_principal[arn("user/ops/bob")]["changes"]
    assert ("s3:GetBucketPolicy", "arn:aws:s3:::app-data") not in {
        (c["action"], c["resource"]) for c in bob
    }
    assert ("s3:GetBucketPolicy", "arn:aws:s3:::app-data") in alice


def test_diff_of_two_imports_shows_each_principal_that_changed(tmp_path: Path) -> None:
    newer = details()
    ci = next(u for u in newer["UserDetailList"] if u["UserName"] == "ci")
    ci["UserPolicyList"] = [
        {
            "PolicyName": "launch",
            "PolicyDocument": quote(json.dumps(policy(PASS_SERVICE_ROLES, RUN_INSTANCES))),
        }
    ]
    operators = newer["GroupDetailList"][1]
    deletes = {
        "Effect": "Allow",
        "Action": "s3:DeleteObject",
        "Resource": "arn:aws:s3:::app-data/*",
    }
    operators["GroupPolicyList"] = [{"PolicyName": "cleanup", "PolicyDocument": policy(deletes)}]
    result = stockade(
        "policy", "diff", DETAILS, write(tmp_path, "newer.json", newer), "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    subjects = {s["subject"]: s for s in json.loads(result.stdout)["subjects"]}
    # bob is an operator; alice, the roles and their policies did not change.
    assert set(subjects) == {arn("user/ci"), arn("user/ops/bob")}
    assert [e["id"] for e in subjects[arn("user/ci")]["escalations"]] == ["pass-role-ec2"]
    bob = subjects[arn("user/ops/bob")]
    assert bob["escalations"] == []
    # The developers' explicit Deny still covers prod/: only the rest of the bucket opens.
    assert [(c["action"], c["resource"], c["before"], c["after"]) for c in bob["changes"]] == [
        ("s3:DeleteObject", "arn:aws:s3:::app-data/*", "denied", "allowed")
    ]
    text = stockade("policy", "diff", DETAILS, tmp_path / "newer.json").stdout
    assert text.startswith(f"{arn('user/ci')}\n  !! PRIVILEGE ESCALATION now possible")


# -- audit on the mirror ---------------------------------------------------------------------
def audit(data_dir: Path) -> dict[str, dict[str, Any]]:
    result = stockade("audit", "--data-dir", data_dir, "--account-id", ACCOUNT, "--format", "json")
    assert result.returncode not in (1, 2), result.stderr
    return {check["id"]: check for check in json.loads(result.stdout)["results"]}


def failing(check: dict[str, Any]) -> list[str]:
    return [f["resource_name"] for f in check["findings"] if f["status"] == "FAIL"]


def test_audit_of_the_mirror_reads_the_imported_state(mirrored: Path) -> None:
    checks = audit(mirrored)
    # From the credential report: root has MFA and no keys; alice signs in without MFA; ci
    # has two active keys, the second unused since 2024.
    assert checks["root-access-keys"]["status"] == checks["root-mfa"]["status"] == "PASS"
    assert failing(checks["user-console-mfa"]) == ["alice"]
    assert failing(checks["single-active-access-key"]) == ["ci"]
    # From the authorization details: every user has policies of its own.
    assert sorted(failing(checks["permissions-through-groups"])) == ["alice", "bob", "ci"]
    assert checks["inline-privilege-escalation"]["status"] == "PASS"


def test_audit_finds_an_escalation_imported_from_aws(tmp_path: Path) -> None:
    risky = details()
    ci = next(u for u in risky["UserDetailList"] if u["UserName"] == "ci")
    ci["UserPolicyList"] = [
        {"PolicyName": "launch", "PolicyDocument": policy(PASS_SERVICE_ROLES, RUN_INSTANCES)}
    ]
    store = tmp_path / "store"
    result = import_mirror(store, write(tmp_path, "risky.json", risky), "--access-key")
    assert result.returncode == 0, result.stderr
    checks = audit(store)
    assert failing(checks["inline-privilege-escalation"]) == ["user ci: launch"]
    # The read-only key is Stockade's: the real root still has none.
    assert checks["root-access-keys"]["status"] == "PASS"


def test_ids_another_account_of_the_store_holds_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert import_mirror(store).returncode == 0
    copied = DETAILS.read_text().replace(ACCOUNT, "444455556666")
    (tmp_path / "copied.json").write_text(copied)
    result = import_mirror(store, tmp_path / "copied.json")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"stockade import: {tmp_path / 'copied.json'}: a unique id or ARN of the file is already "
        "used by another account of this store"
    )
    bad_name = import_mirror(store, DETAILS, "--name", "prod mirror")
    assert bad_name.returncode == 2
    assert "mirror name 'prod mirror': use 1 to 64 letters" in bad_name.stderr
