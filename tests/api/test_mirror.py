"""A mirror over the API: imported (with its credential report and a read-only access key) into
the store a real `stockade serve` uses, before the server starts. boto3 then reads the mirror
as AWS would answer, SimulatePrincipalPolicy decides on its principals, every change is refused
with UnmodifiableEntity, and the server's own account is untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import (
    ACCOUNT_ID,
    NO_POSTGRES,
    Server,
    _drop_postgres_database,
    _postgres_database,
    _stockade,
    start_server,
    stop_server,
)
from tests.api.helpers import error_of

DATA = Path(__file__).resolve().parents[1] / "cli" / "data"
MIRROR = "111122223333"


def arn(resource: str) -> str:
    return f"arn:aws:iam::{MIRROR}:{resource}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mirror_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Any]]:
    """The server, and an IAM client signed with the mirror's read-only key."""
    tmp = tmp_path_factory.mktemp("stockade")
    storage = ["--data-dir", str(tmp / "data")]
    database = url = None
    if request.param == "postgresql":
        database = _postgres_database()
        if database is None:
            pytest.skip(reason=NO_POSTGRES)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
        storage += ["--database-url", url]
    imported = _stockade(
        "import",
        "authorization-details",
        str(DATA / "authorization-details.json"),
        "--credential-report",
        str(DATA / "credential-report.csv"),
        "--name",
        "prod",
        "--access-key",
        "--json",
        *storage,
    )
    assert imported.returncode == 0, imported.stderr
    key = json.loads(imported.stdout)["AuditKey"]
    running = start_server(tmp, url)
    try:
        yield running, running.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        stop_server(running)
        if database:
            _drop_postgres_database(database)


def test_the_server_serves_its_own_account_beside_the_mirror(
    mirror_server: tuple[Server, Any],
) -> None:
    server, mirror = mirror_server
    assert server.client("sts").get_caller_identity()["Account"] == ACCOUNT_ID
    live_users = [u["UserName"] for u in server.client("iam").list_users()["Users"]]
    assert live_users == ["admin"]
    assert mirror.get_user()["User"]["Arn"] == f"arn:aws:iam::{MIRROR}:root"


def test_authorization_details_read_back_as_imported(mirror_server: tuple[Server, Any]) -> None:
    _, mirror = mirror_server
    source = json.loads((DATA / "authorization-details.json").read_text())
    got = mirror.get_account_authorization_details()

    def document(value: Any) -> Any:
        return value if isinstance(value, dict) else json.loads(unquote(value))

    users = {u["UserName"]: u for u in got["UserDetailList"]}
    for given in source["UserDetailList"]:
        user = users[given["UserName"]]
        assert (user["UserId"], user["Arn"], user["Path"]) == (
            given["UserId"],
            given["Arn"],
            given["Path"],
        )
        assert user["CreateDate"].isoformat() == given["CreateDate"].replace("Z", "+00:00")
        assert sorted(user["GroupList"]) == sorted(given["GroupList"])
        assert user["AttachedManagedPolicies"] == given["AttachedManagedPolicies"]
        tags = sorted((t["Key"], t["Value"]) for t in user.get("Tags", []))
        assert tags == sorted((t["Key"], t["Value"]) for t in given.get("Tags", []))
        assert user.get("PermissionsBoundary") == given.get("PermissionsBoundary")
        assert [(p["PolicyName"], p["PolicyDocument"]) for p in user["UserPolicyList"]] == [
            (p["PolicyName"], document(p["PolicyDocument"])) for p in given["UserPolicyList"]
        ]
    [app_server, deployer] = got["RoleDetailList"]
    assert app_server["RoleLastUsed"]["Region"] == "eu-west-1"
    assert app_server["InstanceProfileList"][0]["InstanceProfileId"] == "AIPAEXAMPLEAPPSRV001"
    assert app_server["Tags"] == [{"Key": "tier", "Value": "web"}]
    assert (
        deployer["AssumeRolePolicyDocument"]
        == source["RoleDetailList"][1]["AssumeRolePolicyDocument"]
    )
    policies = {p["PolicyName"]: p for p in got["Policies"]}
    developer = policies["DeveloperAccess"]
    given_developer = source["Policies"][1]
    assert developer["DefaultVersionId"] == "v2"
    assert sorted(
        (v["VersionId"], v["IsDefaultVersion"], json.dumps(v["Document"]))
        for v in developer["PolicyVersionList"]
    ) == sorted(
        (v["VersionId"], v["IsDefaultVersion"], json.dumps(document(v["Document"])))
        for v in given_developer["PolicyVersionList"]
    )
    # The AWS managed policy in use is listed, as AWS lists it, from Stockade's own copy.
    assert "ReadOnlyAccess" in policies


def test_simulate_principal_policy_on_the_mirror(mirror_server: tuple[Server, Any]) -> None:
    _, mirror = mirror_server
    results = mirror.simulate_principal_policy(
        PolicySourceArn=arn("user/alice"),
        ActionNames=["s3:PutObject", "s3:DeleteBucket", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::app-data/prod/ledger.csv"],
    )["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["allowed", "implicitDeny", "explicitDeny"]
    matched = results[0]["MatchedStatements"]
    assert {m["SourcePolicyId"] for m in matched} == {"DeveloperAccess", "DeveloperBoundary"}


def test_every_change_is_refused_and_nothing_changes(mirror_server: tuple[Server, Any]) -> None:
    _, mirror = mirror_server
    attempts = [
        lambda: mirror.create_user(UserName="intruder"),
        lambda: mirror.attach_user_policy(
            UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        ),
        lambda: mirror.create_policy_version(
            PolicyArn=arn("policy/DeveloperAccess"),
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
            SetAsDefault=True,
        ),
        lambda: mirror.delete_role(RoleName="deployer"),
        lambda: mirror.create_access_key(UserName="alice"),
    ]
    for attempt in attempts:
        with pytest.raises(ClientError) as caught:
            attempt()
        code, status, message = error_of(caught)
        assert (code, status) == ("UnmodifiableEntity", 400)
        assert message.startswith(f"Account {MIRROR} is a read-only mirror of an AWS account")
    assert {u["UserName"] for u in mirror.list_users()["Users"]} == {"alice", "bob", "ci"}
    assert mirror.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []
    versions = mirror.list_policy_versions(PolicyArn=arn("policy/DeveloperAccess"))["Versions"]
    assert len(versions) == 3


def test_credentials_come_from_the_credential_report(mirror_server: tuple[Server, Any]) -> None:
    _, mirror = mirror_server
    summary = mirror.get_account_summary()["SummaryMap"]
    # The real root has MFA and no keys; the mirror's read-only key is Stockade's, not counted.
    assert (summary["AccountMFAEnabled"], summary["AccountAccessKeysPresent"]) == (1, 0)
    ci_keys = mirror.list_access_keys(UserName="ci")["AccessKeyMetadata"]
    assert sorted(k["Status"] for k in ci_keys) == ["Active", "Active"]
    alice_keys = mirror.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [k["CreateDate"].isoformat() for k in alice_keys] == ["2025-02-01T00:00:00+00:00"]
    used = mirror.get_access_key_last_used(AccessKeyId=alice_keys[0]["AccessKeyId"])
    assert used["AccessKeyLastUsed"]["ServiceName"] == "s3"
    assert mirror.get_login_profile(UserName="alice")["LoginProfile"]["UserName"] == "alice"
    with pytest.raises(ClientError) as caught:
        mirror.get_login_profile(UserName="ci")
    assert error_of(caught)[0] == "NoSuchEntity"
    bob_devices = mirror.list_mfa_devices(UserName="bob")["MFADevices"]
    assert [d["SerialNumber"] for d in bob_devices] == [arn("mfa/bob")]


def test_the_credential_report_is_the_one_imported(mirror_server: tuple[Server, Any]) -> None:
    _, mirror = mirror_server
    imported = (DATA / "credential-report.csv").read_bytes()
    assert mirror.get_credential_report()["Content"] == imported
    # Generating changes no IAM state: allowed, and under four hours it keeps the report.
    assert mirror.generate_credential_report()["State"] == "COMPLETE"
    assert mirror.get_credential_report()["Content"] == imported


def _import(storage: list[str], source: Path) -> dict[str, Any]:
    imported = _stockade(
        "import", "authorization-details", str(source), "--name", "prod", "--access-key",
        "--json", *storage,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    result: dict[str, Any] = json.loads(imported.stdout)
    return result


def test_a_running_server_answers_from_a_reimport(tmp_path: Path) -> None:
    """A server caches compiled policies per account generation; a re-import, made beside the
    running server, must not be answered from what it cached of the mirror it replaced."""
    storage = ["--data-dir", str(tmp_path / "data")]
    first = _import(storage, DATA / "authorization-details.json")["AuditKey"]
    server = start_server(tmp_path)
    try:
        question = {
            "PolicySourceArn": arn("user/alice"),
            "ActionNames": ["s3:DeleteBucket"],
            "ResourceArns": ["arn:aws:s3:::app-data"],
        }
        before = server.client("iam", first["AccessKeyId"], first["SecretAccessKey"])
        [result] = before.simulate_principal_policy(**question)["EvaluationResults"]
        assert result["EvalDecision"] == "implicitDeny"

        newer = json.loads((DATA / "authorization-details.json").read_text())
        developer_access = newer["Policies"][1]
        developer_access["DefaultVersionId"] = "v3"  # v3 allows s3:* on app-data
        for version in developer_access["PolicyVersionList"]:
            version["IsDefaultVersion"] = version["VersionId"] == "v3"
        (tmp_path / "newer.json").write_text(json.dumps(newer))
        second = _import(storage, tmp_path / "newer.json")["AuditKey"]

        with pytest.raises(ClientError) as caught:
            before.get_user()  # a re-import replaces the read-only key too
        assert error_of(caught)[0] == "InvalidClientTokenId"
        after = server.client("iam", second["AccessKeyId"], second["SecretAccessKey"])
        [result] = after.simulate_principal_policy(**question)["EvaluationResults"]
        assert result["EvalDecision"] == "allowed"
    finally:
        stop_server(server)
