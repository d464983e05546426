"""Prowler's IAM checks, run as a user runs them, against a real Stockade holding an unsafe account.

A real `stockade serve` (SQLite) gets an account built with boto3 to get many things wrong, and a
few right: root keys and no root MFA, a weak password policy, administrator policies attached to
users, groups and roles, privilege-escalating and over-broad policies, a console user without
MFA, two active keys, an expired server certificate, cross-account and service trusts without
conditions. Then `prowler aws --service iam` scans it with the root user's keys, Stockade serving
IAM and STS and refusing Organizations and EC2 in their own protocols, and its OCSF findings and
its log are read.

Prowler is large (about 2 GB) and slow to install, so it lives in its own venv (`make
prowler-install`) and this module runs by `make prowler` (marker `prowler`, left out of the
default run); it is skipped when Prowler is not installed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pyotp
import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from tests.api.conftest import _free_port
from tests.api.helpers import certificate_pem, private_pem, rsa_key

PROWLER = Path(os.environ.get("PROWLER", "/work/prowler-venv/bin/prowler"))
NOT_INSTALLED = f"Prowler is not installed at {PROWLER}: run `make prowler-install` or set PROWLER"
pytestmark = [
    pytest.mark.prowler,
    pytest.mark.skipif(not PROWLER.is_file(), reason=NOT_INSTALLED),
]

ACCOUNT_ID = "123456789012"
OTHER_ACCOUNT = "210987654321"
PASSWORD = "An unguessable console password 1!"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
SUPPORT = "arn:aws:iam::aws:policy/AWSSupportAccess"
IAM_CHECK_COUNT = 51  # Prowler 5.46's IAM checks


def _allow(actions: list[str] | str, resource: str = "*") -> str:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _trust(principal: dict[str, str]) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _expired_certificate() -> tuple[str, str]:
    key = rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old.example.com")])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=400)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate_pem(certificate), private_pem(key)


def build_unsafe_account(iam: Any) -> None:
    """What the account gets wrong, and the few things it gets right, as the root user does it."""
    # Weak password policy: 8 characters, only symbols required, no expiry, no reuse rule.
    iam.update_account_password_policy(MinimumPasswordLength=8, RequireSymbols=True)

    # alice: AdministratorAccess attached to the user herself, and a long-lived access key.
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=ADMIN)
    iam.create_access_key(UserName="alice")

    # bob: an inline policy that can launch an instance with any role (iam:PassRole +
    # ec2:RunInstances), and one with all of CloudTrail.
    iam.create_user(UserName="bob")
    iam.put_user_policy(
        UserName="bob",
        PolicyName="launch-anything",
        PolicyDocument=_allow(["iam:PassRole", "ec2:RunInstances"]),
    )
    iam.put_user_policy(
        UserName="bob", PolicyName="all-of-cloudtrail", PolicyDocument=_allow("cloudtrail:*")
    )

    # carol: a console password and no MFA, and an access key set up with it, never used.
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password=PASSWORD)
    iam.create_access_key(UserName="carol")

    # dave: two active access keys.
    iam.create_user(UserName="dave")
    iam.create_access_key(UserName="dave")
    iam.create_access_key(UserName="dave")

    # erin: a console password with a virtual MFA device, as it should be.
    iam.create_user(UserName="erin")
    iam.create_login_profile(UserName="erin", Password=PASSWORD)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="erin")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(
        UserName="erin",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(now - 30),
        AuthenticationCode2=totp.at(now),
    )

    # admins: a group with AdministratorAccess, and frank in it without MFA.
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    iam.create_user(UserName="frank")
    iam.add_user_to_group(GroupName="admins", UserName="frank")

    # Customer managed policies: everything, attached and unattached (as "*": Prowler's
    # administrator test looks for that string, and passes "*:*", which IAM reads the same),
    # sts:AssumeRole on any role, all of KMS, and a privilege escalation through a new policy
    # version.
    everything = iam.create_policy(PolicyName="everything", PolicyDocument=_allow("*"))
    iam.create_group(GroupName="operators")
    iam.attach_group_policy(GroupName="operators", PolicyArn=everything["Policy"]["Arn"])
    iam.create_policy(PolicyName="spare-admin", PolicyDocument=_allow("*"))
    assume_any = iam.create_policy(PolicyName="assume-any", PolicyDocument=_allow("sts:AssumeRole"))
    iam.attach_group_policy(GroupName="operators", PolicyArn=assume_any["Policy"]["Arn"])
    kms = iam.create_policy(PolicyName="all-of-kms", PolicyDocument=_allow("kms:*"))
    iam.attach_group_policy(GroupName="operators", PolicyArn=kms["Policy"]["Arn"])
    escalate = iam.create_policy(
        PolicyName="rewrite-policies", PolicyDocument=_allow("iam:CreatePolicyVersion")
    )
    iam.attach_user_policy(UserName="bob", PolicyArn=escalate["Policy"]["Arn"])

    # Roles: the SecurityAudit and Support roles CIS asks for (right); administrator and
    # read-only access for another account, and a service trust without a source condition.
    own_account = {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    other_account = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    for name, trust, policy in (
        ("auditor", own_account, SECURITY_AUDIT),
        ("support", own_account, SUPPORT),
        ("partner-admin", other_account, ADMIN),
        ("partner-readonly", other_account, READ_ONLY),
        ("lambda-runner", {"Service": "lambda.amazonaws.com"}, READ_ONLY),
    ):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(trust))
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)

    body, key = _expired_certificate()
    iam.upload_server_certificate(
        ServerCertificateName="old-site", CertificateBody=body, PrivateKey=key
    )


@dataclass
class LogRecord:
    level: str
    module: str
    message: str


@dataclass
class Scan:
    returncode: int
    stdout: str
    findings: list[dict[str, Any]]
    log: list[LogRecord]
    server_output: str

    def statuses(self, check_id: str) -> dict[str, str]:
        """Finding id → PASS/FAIL of one check's findings. Prowler's finding ids end in the
        resource's id: a user's, group's, role's or policy's name, `user/policy` for an inline
        policy, `<root_account>` for the root user."""
        return {
            finding["finding_info"]["uid"]: finding["status_code"]
            for finding in self.findings
            if finding["metadata"]["event_code"] == check_id
        }


# Prowler writes one JSON object a line, but does not escape control characters in messages.
_RECORD = re.compile(
    r'^\{"timestamp": "[^"]*", "filename": "[^"]*", "level": "(?P<level>\w+)", '
    r'"module": "(?P<module>[^"]*)", "message": "(?P<message>.*?)"\}$',
    re.MULTILINE | re.DOTALL,
)


def _read_log(path: Path) -> list[LogRecord]:
    text = path.read_text(errors="replace")
    return [LogRecord(m["level"], m["module"], m["message"]) for m in _RECORD.finditer(text)]


def _init(tmp: Path) -> dict[str, Any]:
    (tmp / "root-password").write_text("correct horse battery staple 1!")
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "stockade",
            "init",
            "--data-dir",
            str(tmp / "data"),
            "--account-id",
            ACCOUNT_ID,
            "--root-email",
            "root@example.com",
            "--root-password-file",
            str(tmp / "root-password"),
            "--root-access-key",
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1"},
        timeout=120,
        check=True,
    )
    root_key: dict[str, Any] = json.loads(created.stdout)["RootAccessKey"]
    return root_key


def _serve(tmp: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stockade", "serve", "--data-dir", f"{tmp}/data", f"--port={port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "STOCKADE_FAST_PASSWORD_HASH": "1"},
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            boto3.client(
                "sts",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                aws_secret_access_key="x" * 40,
                config=Config(retries={"max_attempts": 1}),
            ).get_caller_identity()
        except Exception as error:  # refused until it listens, then InvalidClientTokenId
            if "InvalidClientTokenId" in str(error):
                return endpoint, process
            if process.poll() is not None:
                raise RuntimeError("stockade serve exited") from None
            time.sleep(0.2)
    raise RuntimeError("stockade serve did not start")


SCAN_ARGUMENTS = (
    *("aws", "--service", "iam", "-f", "us-east-1", "--output-formats", "json-ocsf"),
    *("--output-filename", "scan", "--no-banner", "--no-color", "--log-level", "DEBUG"),
)


def _run_prowler(tmp: Path, endpoint: str, key: dict[str, Any]) -> tuple[int, str]:
    out = tmp / "out"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
        # botocore asks every service at AWS_ENDPOINT_URL; the per-service ones win for these.
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_IAM": endpoint,
        "AWS_ENDPOINT_URL_STS": endpoint,
    }
    done = subprocess.run(
        [
            str(PROWLER),
            *SCAN_ARGUMENTS,
            f"--output-directory={out}",
            f"--log-file={out}/prowler.log",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scan]:
    tmp = tmp_path_factory.mktemp("prowler")
    (tmp / "out").mkdir()
    root_key = _init(tmp)
    endpoint, process = _serve(tmp)
    server_output = ""
    try:
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=root_key["AccessKeyId"],
            aws_secret_access_key=root_key["SecretAccessKey"],
        )
        build_unsafe_account(iam)
        returncode, stdout = _run_prowler(tmp, endpoint, root_key)
    finally:
        process.terminate()
        server_output = process.communicate(timeout=30)[0].decode(errors="replace")
    findings = json.loads((tmp / "out" / "scan.ocsf.json").read_text())
    yield Scan(returncode, stdout, findings, _read_log(tmp / "out" / "prowler.log"), server_output)


def _iam_checks() -> set[str]:
    """The IAM checks the installed Prowler has: the folders of its iam service package that hold
    a check's metadata file, as Prowler itself finds them."""
    found = subprocess.run(
        [str(PROWLER.parent / "python"), "-c", _FIND_CHECKS],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(found.stdout.split())


_FIND_CHECKS = """
import pathlib, prowler.providers.aws.services.iam as iam
for folder in pathlib.Path(iam.__path__[0]).iterdir():
    if (folder / f"{folder.name}.metadata.json").is_file():
        print(folder.name)
"""


def test_prowler_exits_as_it_does_when_checks_fail(scan: Scan) -> None:
    # 3 is Prowler's exit code for a scan that completed with failed findings.
    assert scan.returncode == 3, scan.stdout[-3000:]


def test_all_iam_checks_ran_and_none_errored(scan: Scan) -> None:
    checks = _iam_checks()
    assert len(checks) == IAM_CHECK_COUNT
    executed = {
        r.message.removeprefix("Executing check: ")
        for r in scan.log
        if r.message.startswith("Executing check: ")
    }
    assert executed == checks
    assert f"Executing {IAM_CHECK_COUNT} checks" in scan.stdout
    assert "Something went wrong" not in scan.stdout
    # Nothing Prowler asked Stockade failed in a way it logs as an error, but for the one call
    # that cannot succeed here: EC2's DescribeRegions, which Prowler makes to list regions.
    errors = [r for r in scan.log if r.level in ("ERROR", "CRITICAL")]
    assert [(r.module, "DescribeRegions" in r.message) for r in errors] == [("aws_provider", True)]
    # ...and that one came back in EC2's own error shape, which botocore read: NotImplemented.
    assert (
        "An error occurred (NotImplemented) when calling the DescribeRegions" in errors[0].message
    )
    assert "internal failure" not in scan.server_output


def test_organizations_answers_as_for_a_standalone_account(scan: Scan) -> None:
    describe = [r for r in scan.log if "DescribeAccount operation" in r.message]
    assert describe, "Prowler asks Organizations about the account at start"
    assert all("AWSOrganizationsNotInUseException" in r.message for r in describe)
    assert [r.level for r in describe] == ["WARNING"] * len(describe)


ROOT = "<root_account>"
UNSAFE: list[tuple[str, str]] = [
    ("iam_no_root_access_key", ROOT),
    ("iam_root_mfa_enabled", ROOT),
    ("iam_root_hardware_mfa_enabled", ""),
    ("iam_avoid_root_usage", ROOT),
    ("iam_password_policy_minimum_length_14", ""),
    ("iam_password_policy_uppercase", ""),
    ("iam_password_policy_lowercase", ""),
    ("iam_password_policy_number", ""),
    ("iam_password_policy_reuse_24", ""),
    ("iam_password_policy_expires_passwords_within_90_days_or_less", ""),
    ("iam_user_administrator_access_policy", "alice"),
    ("iam_policy_attached_only_to_group_or_roles", "alice"),
    ("iam_aws_attached_policy_no_administrative_privileges", "AdministratorAccess"),
    ("iam_group_administrator_access_policy", "admins"),
    ("iam_administrator_access_with_mfa", "admins"),
    ("iam_role_administratoraccess_policy", "partner-admin"),
    ("iam_role_cross_account_readonlyaccess_policy", "partner-readonly"),
    ("iam_role_cross_service_confused_deputy_prevention", "lambda-runner"),
    ("iam_inline_policy_allows_privilege_escalation", "bob/launch-anything"),
    ("iam_policy_allows_privilege_escalation", "rewrite-policies"),
    ("iam_customer_attached_policy_no_administrative_privileges", "everything"),
    ("iam_customer_unattached_policy_no_administrative_privileges", "spare-admin"),
    ("iam_no_custom_policy_permissive_role_assumption", "assume-any"),
    ("iam_policy_no_full_access_to_kms", "all-of-kms"),
    ("iam_inline_policy_no_full_access_to_cloudtrail", "bob/all-of-cloudtrail"),
    ("iam_user_mfa_enabled_console_access", "carol"),
    ("iam_user_hardware_mfa_enabled", "carol"),
    ("iam_user_no_setup_initial_access_key", "carol"),
    ("iam_user_two_active_access_key", "dave"),
    ("iam_no_expired_server_certificates_stored", ""),
    ("iam_check_saml_providers_sts", ""),
    # Permissions never used, from the service last accessed reports.
    ("iam_user_access_not_stale_to_bedrock", "alice"),
    ("iam_role_access_not_stale_to_bedrock", "partner-admin"),
    # Long-lived keys with access to services beyond IAM and STS (from the same reports).
    ("iam_user_with_temporary_credentials", "alice"),
]

SAFE: list[tuple[str, str]] = [
    ("iam_password_policy_symbol", ""),
    ("iam_user_mfa_enabled_console_access", "erin"),
    ("iam_user_two_active_access_key", "carol"),
    ("iam_securityaudit_role_created", ""),
    ("iam_support_role_created", ""),
    ("iam_policy_cloudshell_admin_not_attached", ""),
    ("iam_rotate_access_key_90_days", "dave"),
    ("iam_policy_attached_only_to_group_or_roles", "erin"),
    ("iam_user_administrator_access_policy", "erin"),
    ("iam_role_administratoraccess_policy", "auditor"),
    ("iam_user_with_temporary_credentials", "dave"),
]


def _matching(scan: Scan, check_id: str, resource: str) -> dict[str, str]:
    statuses = scan.statuses(check_id)
    assert statuses, f"{check_id} reported nothing"
    return {uid: status for uid, status in statuses.items() if resource in uid}


@pytest.mark.parametrize(("check_id", "resource"), UNSAFE, ids=[c for c, _ in UNSAFE])
def test_what_the_account_gets_wrong_fails(scan: Scan, check_id: str, resource: str) -> None:
    matching = _matching(scan, check_id, resource)
    assert "FAIL" in matching.values(), (check_id, scan.statuses(check_id))


@pytest.mark.parametrize(("check_id", "resource"), SAFE, ids=[f"{c}-{r}" for c, r in SAFE])
def test_what_the_account_gets_right_passes(scan: Scan, check_id: str, resource: str) -> None:
    matching = _matching(scan, check_id, resource)
    assert matching and set(matching.values()) == {"PASS"}, (check_id, scan.statuses(check_id))
