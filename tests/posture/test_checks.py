"""Every check fails on an account built to fail it, and passes once the account is fixed the
way the check's remediation says. Accounts are built through the domain functions in a real
SQLite store; the audit reads them back through `snapshot_from_store`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from stockade.posture import Status, Thresholds, all_checks
from tests.api.helpers import certificate, certificate_pem, private_pem, rsa_key
from tests.posture.world import ACCOUNT, World, allow, document, new_store

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(new_store(tmp_path), START)


def failing(world: World, check_id: str, thresholds: Thresholds | None = None) -> list[str]:
    """The names of the resources the check fails (and the check's status is FAIL)."""
    result = world.result(check_id, thresholds)
    names = [f.resource_name for f in result.failed]
    assert result.status is (Status.FAIL if names else Status.PASS), result
    return names


def passes(world: World, check_id: str, thresholds: Thresholds | None = None) -> bool:
    result = world.result(check_id, thresholds)
    return result.status is Status.PASS and not result.failed


# -- the root user ---------------------------------------------------------------------------
def test_root_access_keys(world: World) -> None:
    key = world.root_key()
    assert failing(world, "root-access-keys") == ["<root_account>"]
    world.deactivate_key(None, key)  # inactive is enough for CIS (the report's _active)
    assert passes(world, "root-access-keys")


def test_root_mfa_and_hardware_mfa(world: World) -> None:
    assert passes(world, "root-mfa")  # no password, no key: nothing to protect
    assert passes(world, "root-hardware-mfa")
    world.root_password()
    assert failing(world, "root-mfa") == ["<root_account>"]
    assert failing(world, "root-hardware-mfa") == ["<root_account>"]
    world.mfa(None)
    assert passes(world, "root-mfa")
    hardware = world.result("root-hardware-mfa")
    # Stockade's devices are virtual: the L2 control stays failed, naming the device.
    assert "virtual" in hardware.failed[0].reason
    assert "root-account-mfa-device" in hardware.failed[0].reason


def test_root_usage(world: World) -> None:
    world.root_password()
    world.sign_in(None)
    assert failing(world, "root-usage") == ["<root_account>"]
    world.later(days=1)
    assert passes(world, "root-usage")
    assert failing(world, "root-usage", Thresholds(root_usage_days=2)) == ["<root_account>"]


# -- the password policy ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("check_id", "weak", "strong"),
    [
        ("password-policy", None, {"MinimumPasswordLength": 8}),
        ("password-minimum-length", {"MinimumPasswordLength": 13}, {"MinimumPasswordLength": 14}),
        (
            "password-reuse-prevention",
            {"PasswordReusePrevention": 23},
            {"PasswordReusePrevention": 24},
        ),
        ("password-expiry", {"MaxPasswordAge": 91}, {"MaxPasswordAge": 90}),
        (
            "password-requires-uppercase",
            {"RequireLowercaseCharacters": True},
            {"RequireUppercaseCharacters": True},
        ),
        (
            "password-requires-lowercase",
            {"RequireUppercaseCharacters": True},
            {"RequireLowercaseCharacters": True},
        ),
        ("password-requires-numbers", {"RequireSymbols": True}, {"RequireNumbers": True}),
        ("password-requires-symbols", {"RequireNumbers": True}, {"RequireSymbols": True}),
    ],
)
def test_password_policy_checks(
    world: World, check_id: str, weak: dict[str, object] | None, strong: dict[str, object]
) -> None:
    assert failing(world, check_id) == ["account password policy"]  # no policy at all
    if weak is not None:
        world.password_policy(**weak)
        assert failing(world, check_id) == ["account password policy"]
    world.password_policy(**strong)
    assert passes(world, check_id)


def test_password_thresholds_are_configurable(world: World) -> None:
    world.password_policy(MinimumPasswordLength=10)
    assert passes(world, "password-minimum-length", Thresholds(minimum_password_length=10))


# -- users' credentials ----------------------------------------------------------------------
def test_console_users_need_mfa(world: World) -> None:
    world.user("alice", password=True)
    world.user("bob", key=True)  # no console password: not concerned
    assert failing(world, "user-console-mfa") == ["alice"]
    world.mfa("alice")
    assert passes(world, "user-console-mfa")


def test_unused_credentials(world: World) -> None:
    world.user("alice", password=True)
    key = world.key("alice")
    world.later(days=44)
    assert passes(world, "unused-credentials")
    world.later(days=1)
    failed = world.result("unused-credentials").failed
    assert [f.resource_name for f in failed] == ["alice"]
    assert "password unused for 45 days" in failed[0].reason
    assert "access key 1 unused for 45 days" in failed[0].reason
    world.sign_in("alice")
    world.use_key(key)
    assert passes(world, "unused-credentials")
    assert failing(world, "unused-credentials", Thresholds(unused_credentials_days=0)) == ["alice"]


def test_one_active_key_and_rotation(world: World) -> None:
    world.user("carol")
    old = world.key("carol")
    world.later(days=91)
    world.key("carol")
    assert failing(world, "single-active-access-key") == ["carol"]
    assert failing(world, "access-key-rotation") == ["carol"]
    world.deactivate_key("carol", old)
    assert passes(world, "single-active-access-key")
    assert passes(world, "access-key-rotation")


def test_initial_access_key_of_a_console_user(world: World) -> None:
    world.user("dan", password=True)
    key = world.key("dan")
    assert failing(world, "initial-access-key-unused") == ["dan"]
    world.use_key(key)
    assert passes(world, "initial-access-key-unused")


def test_permissions_through_groups(world: World) -> None:
    world.user("erin")
    read = world.policy("read", document(allow("s3:GetObject")))
    world.attach("user", "erin", read)
    world.inline("user", "erin", "extra", document(allow("s3:ListBucket")))
    [finding] = world.result("permissions-through-groups").failed
    assert "attached" in finding.reason and "inline extra" in finding.reason
    world.detach("user", "erin", read)
    world.drop_inline("user", "erin", "extra")
    world.group("readers", "erin")
    world.attach("group", "readers", read)
    assert passes(world, "permissions-through-groups")


# -- policies ------------------------------------------------------------------------------
def test_full_admin_policies_are_judged_by_the_engine(world: World) -> None:
    world.group("ops")
    # Spelled without a literal "*:*": NotAction on a service that does not exist is everything.
    sneaky = world.policy(
        "everything", document({"Effect": "Allow", "NotAction": "nothing:Nothing", "Resource": "*"})
    )
    assert passes(world, "admin-policy-unattached") is False
    world.attach("group", "ops", sneaky)
    assert failing(world, "admin-policy-attached") == ["everything"]
    assert passes(world, "admin-policy-unattached")
    world.detach("group", "ops", sneaky)
    # Allow everything but deny IAM: not full administrator.
    fenced = world.policy(
        "fenced",
        document(allow("*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}),
    )
    world.attach("group", "ops", fenced)
    assert passes(world, "admin-policy-attached")
    world.attach("group", "ops", ADMIN)
    assert failing(world, "admin-policy-attached") == ["AdministratorAccess"]
    assert failing(world, "administrator-access-group") == ["ops"]
    world.detach("group", "ops", ADMIN)
    assert passes(world, "administrator-access-group")


def test_inline_admin_policy(world: World) -> None:
    world.role("deployer")
    world.inline("role", "deployer", "all", document(allow("*")))
    assert failing(world, "admin-inline-policy") == ["role deployer: all"]
    world.inline("role", "deployer", "all", document(allow("s3:*")))
    assert passes(world, "admin-inline-policy")


@pytest.mark.parametrize("kind", ["user", "role"])
def test_administrator_access_attached_directly(world: World, kind: str) -> None:
    (world.user if kind == "user" else world.role)("boss")
    world.attach(kind, "boss", ADMIN)
    assert failing(world, f"administrator-access-{kind}") == ["boss"]
    world.detach(kind, "boss", ADMIN)
    assert passes(world, f"administrator-access-{kind}")


def test_privilege_escalation_combinations(world: World) -> None:
    # PassRole alone is harmless here; with ec2:RunInstances (by wildcard) it escalates.
    policy = world.policy("launch", document(allow("iam:PassRole")))
    assert passes(world, "privilege-escalation")
    world.role("app")
    world.inline("role", "app", "launch", document(allow(["iam:Pass*", "ec2:Run*"])))
    [finding] = world.result("inline-privilege-escalation").failed
    assert "iam:PassRole + ec2:RunInstances" in finding.reason
    world.inline("role", "app", "launch", document(allow("ec2:Run*")))
    assert passes(world, "inline-privilege-escalation")
    world.policy("keys", document(allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/*")))
    assert failing(world, "privilege-escalation") == ["keys"]
    assert policy  # the harmless one stayed passing


def test_permissive_role_assumption(world: World) -> None:
    world.policy("assume-any", document(allow("sts:Assume*")))
    world.policy("assume-one", document(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/x")))
    assert failing(world, "permissive-role-assumption") == ["assume-any"]


def test_cloudshell_and_admin_group_mfa(world: World) -> None:
    world.user("fay", password=True)
    world.group("admins", "fay")
    world.attach("group", "admins", ADMIN)
    assert failing(world, "administrator-group-mfa") == ["fay"]
    world.mfa("fay")
    assert passes(world, "administrator-group-mfa")
    world.attach("user", "fay", "arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
    assert failing(world, "cloudshell-full-access") == ["fay"]
    world.detach("user", "fay", "arn:aws:iam::aws:policy/AWSCloudShellFullAccess")
    assert passes(world, "cloudshell-full-access")


# -- the account -----------------------------------------------------------------------------
def test_dashboard_users_and_groups(world: World) -> None:
    assert failing(world, "iam-users") == ["account"]
    assert failing(world, "groups-exist") == ["account"]
    world.user("gus")
    world.group("team", "gus")
    assert passes(world, "iam-users")
    assert passes(world, "groups-exist")


@pytest.mark.parametrize(
    ("check_id", "policy"),
    [
        ("support-role", "arn:aws:iam::aws:policy/AWSSupportAccess"),
        ("security-audit-role", "arn:aws:iam::aws:policy/SecurityAudit"),
    ],
)
def test_roles_the_benchmark_wants(world: World, check_id: str, policy: str) -> None:
    assert failing(world, check_id)
    world.role("helper")
    world.attach("role", "helper", policy)
    assert passes(world, check_id)


def test_identity_federation(world: World) -> None:
    from stockade.identity import oidc_providers
    from stockade.identity.quotas import DEFAULT_QUOTAS

    assert failing(world, "identity-federation") == ["account"]
    with world.tx() as tx:
        oidc_providers.create(
            tx,
            ACCOUNT,
            "https://token.example.com",
            ["sts.amazonaws.com"],
            ["a" * 40],
            DEFAULT_QUOTAS,
        )
    assert passes(world, "identity-federation")


def test_expired_server_certificates(world: World) -> None:
    from stockade.identity import server_certificates
    from stockade.identity.quotas import DEFAULT_QUOTAS

    key = rsa_key()
    cert = certificate(key, "www.example.com", days=10)
    with world.tx() as tx:
        server_certificates.upload(
            tx,
            world.box,
            ACCOUNT,
            "www",
            None,
            certificate_pem(cert),
            private_pem(key),
            None,
            DEFAULT_QUOTAS,
        )
    assert passes(world, "expired-server-certificates")
    world.at = cert.not_valid_after_utc
    assert failing(world, "expired-server-certificates") == ["www"]


def test_services_stockade_does_not_serve_are_not_applicable(world: World) -> None:
    for check_id in ("access-analyzer", "instance-roles", "security-contact"):
        assert world.result(check_id).status is Status.NOT_APPLICABLE


def test_every_check_is_covered_here() -> None:
    tested = Path(__file__).read_text()
    missing = [
        c.info.id
        for c in all_checks()
        if f'"{c.info.id}"' not in tested
        and c.info.id.split("-")[-1] not in ("user", "role", "group")
    ]
    assert not missing, missing


def test_every_check_names_its_fix() -> None:
    for check in all_checks():
        info = check.info
        assert info.title and info.remediation.console and info.remediation.cli, info.id
        assert info.cis is None or info.cis.startswith("2."), info.id
