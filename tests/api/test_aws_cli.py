"""The walkthrough again, through the real `aws` command line instead of boto3.

Each command runs as a subprocess with nothing but the environment a user would set:
credentials, a region, the service endpoints (`AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL_STS`),
and `/dev/null` for the config and credentials files, so no profile of the machine's leaks in.
The CLI talks to the server only over the wire, so one SQLite server serves the module.
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Server, start_server, stop_server

AWS = Path(sys.executable).with_name("aws")
BILLING = "arn:aws:iam::aws:policy/job-function/Billing"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def cli_major_version() -> int:
    out = subprocess.run([str(AWS), "--version"], capture_output=True, text=True, check=True)
    match = re.match(r"aws-cli/(\d+)\.", out.stdout or out.stderr)
    assert match, out
    return int(match[1])


def service_error_exit_code() -> int:
    """The exit status for an error the service returned: 254 in CLI v2, 255 in v1 (which
    has no separate status for service errors; `aws help return-codes`)."""
    return 254 if cli_major_version() >= 2 else 255


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.returncode == 0, self.stderr
        return json.loads(self.stdout) if self.stdout.strip() else None


@dataclass(frozen=True)
class Cli:
    """`aws` as a user runs it against the server, with someone's keys."""

    endpoint: str
    access_key: str
    secret_key: str
    use_service_endpoints: bool = True  # AWS_ENDPOINT_URL_IAM / _STS in the environment

    def environment(self) -> dict[str, str]:
        # Nothing AWS-related of the machine's own: only what this test sets.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=self.access_key,
            AWS_SECRET_ACCESS_KEY=self.secret_key,
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_PAGER="",
        )
        if self.use_service_endpoints:
            env.update(AWS_ENDPOINT_URL_IAM=self.endpoint, AWS_ENDPOINT_URL_STS=self.endpoint)
        return env

    def run(self, *args: str, extra_env: Mapping[str, str] | None = None) -> Result:
        env = {**self.environment(), **(extra_env or {})}
        done = subprocess.run(
            [str(AWS), *args, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def __call__(self, *args: str) -> Any:
        return self.run(*args).json()

    def as_key(self, access_key: str, secret_key: str) -> Cli:
        return Cli(self.endpoint, access_key, secret_key, self.use_service_endpoints)


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("stockade-cli"))
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="module")
def aws(cli_server: Server) -> Cli:
    return Cli(cli_server.endpoint, cli_server.admin_key, cli_server.admin_secret)


def test_walkthrough(cli_server: Server, aws: Cli) -> None:
    account = cli_server.account_id
    finance = aws("iam", "create-group", "--group-name", "Finance")["Group"]
    assert finance["GroupName"] == "Finance"
    assert finance["Arn"] == f"arn:aws:iam::{account}:group/Finance"
    assert (
        aws("iam", "attach-group-policy", "--group-name", "Finance", "--policy-arn", BILLING)
        is None
    )
    assert aws("iam", "create-user", "--user-name", "billing")["User"]["UserName"] == "billing"
    aws("iam", "add-user-to-group", "--group-name", "Finance", "--user-name", "billing")
    profile = aws(
        "iam",
        "create-login-profile",
        "--user-name",
        "billing",
        "--password",
        "Bill1ng-Passw0rd!",
        "--password-reset-required",
    )["LoginProfile"]
    assert profile["UserName"] == "billing" and profile["PasswordResetRequired"] is True
    members = aws("iam", "get-group", "--group-name", "Finance")["Users"]
    assert [u["UserName"] for u in members] == ["billing"]

    aws("iam", "create-group", "--group-name", "Developers")
    aws("iam", "attach-group-policy", "--group-name", "Developers", "--policy-arn", POWER_USER)
    aws("iam", "create-user", "--user-name", "dev")
    aws("iam", "add-user-to-group", "--group-name", "Developers", "--user-name", "dev")
    key = aws("iam", "create-access-key", "--user-name", "dev")["AccessKey"]
    assert key["UserName"] == "dev" and key["Status"] == "Active"
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40

    dev = aws.as_key(key["AccessKeyId"], key["SecretAccessKey"])
    refused = dev.run("iam", "create-user", "--user-name", "mallory")
    assert refused.returncode == service_error_exit_code()
    assert refused.stdout == ""
    assert refused.stderr.strip() == (
        "An error occurred (AccessDenied) when calling the CreateUser operation: "
        f"User: arn:aws:iam::{account}:user/dev is not authorized to perform: iam:CreateUser "
        f"on resource: arn:aws:iam::{account}:user/mallory because no identity-based policy "
        "allows the iam:CreateUser action"
    )
    assert dev("iam", "list-roles") == {"Roles": []}
    users = aws("iam", "list-users")["Users"]
    assert "mallory" not in [u["UserName"] for u in users]


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of each chunk, checking every length and CRC."""
    assert data.startswith(PNG_SIGNATURE)
    chunks = []
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        payload = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert len(payload) == length and zlib.crc32(kind + payload) == crc, kind
        chunks.append((kind, payload))
        offset += 12 + length
    return chunks


def test_virtual_mfa_device_qr_code_is_written_as_a_png(
    cli_server: Server, aws: Cli, tmp_path: Path
) -> None:
    outfile = tmp_path / "phone.png"
    created = aws(
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "phone",
        "--outfile",
        str(outfile),
        "--bootstrap-method",
        "QRCodePNG",
    )["VirtualMFADevice"]
    assert created["SerialNumber"] == f"arn:aws:iam::{cli_server.account_id}:mfa/phone"
    data = outfile.read_bytes()
    chunks = png_chunks(data)
    kinds = [kind for kind, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert width == height and width >= 21  # a QR code is square, version 1 at least
    pixels = zlib.decompress(b"".join(p for kind, p in chunks if kind == b"IDAT"))
    assert len(pixels) > height  # one filter byte per row, then the row


def test_virtual_mfa_device_seed_is_written_as_base32(aws: Cli, tmp_path: Path) -> None:
    outfile = tmp_path / "seed.txt"
    aws(
        "iam",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "tablet",
        "--outfile",
        str(outfile),
        "--bootstrap-method",
        "Base32StringSeed",
    )
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", outfile.read_text().strip())


def test_sts_get_caller_identity_names_the_caller(cli_server: Server, aws: Cli) -> None:
    identity = aws("sts", "get-caller-identity")
    admin = aws("iam", "get-user")["User"]
    assert identity == {
        "UserId": admin["UserId"],
        "Account": cli_server.account_id,
        "Arn": f"arn:aws:iam::{cli_server.account_id}:user/admin",
    }


def test_endpoint_url_option(cli_server: Server, aws: Cli) -> None:
    plain = Cli(cli_server.endpoint, aws.access_key, aws.secret_key, use_service_endpoints=False)
    users = plain("iam", "list-users", "--endpoint-url", cli_server.endpoint)["Users"]
    assert "admin" in [u["UserName"] for u in users]
    identity = plain("sts", "get-caller-identity", "--endpoint-url", cli_server.endpoint)
    assert identity["Account"] == cli_server.account_id


def test_service_endpoint_variables_alone_are_honoured(cli_server: Server, aws: Cli) -> None:
    env = aws.environment()
    assert env["AWS_ENDPOINT_URL_IAM"] == cli_server.endpoint
    assert "AWS_ENDPOINT_URL" not in env
    # No --endpoint-url and no AWS_ENDPOINT_URL: only the service's own variable can send these
    # to the server (anywhere else, these keys are unknown and no user "admin" answers).
    users = aws("iam", "list-users")["Users"]
    assert "admin" in [u["UserName"] for u in users]
    assert aws("sts", "get-caller-identity")["Account"] == cli_server.account_id


def test_unknown_key_fails_with_aws_message(aws: Cli) -> None:
    stranger = aws.as_key("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    result = stranger.run("iam", "list-users")
    assert result.returncode == service_error_exit_code()
    assert result.stderr.strip() == (
        "An error occurred (InvalidClientTokenId) when calling the ListUsers operation: "
        "The security token included in the request is invalid."
    )
