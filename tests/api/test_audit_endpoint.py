"""`stockade audit --endpoint`: the same checks over the IAM API, with boto3 and credentials from
the environment, against a real server; on SQLite, the audit of the same account read from the
store directly agrees finding for finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.api.conftest import Server


def _audit(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "stockade", "audit", "--format", "json", "--fail-on", "none", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _failures(report: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {
        r["id"]: sorted(
            (f["resource_arn"], f["resource_name"]) for f in r["findings"] if f["status"] == "FAIL"
        )
        for r in report["results"]
    }


def test_audit_over_the_api_matches_the_store(server: Server, iam: Any) -> None:
    iam.create_user(UserName="console-user")
    iam.create_login_profile(UserName="console-user", Password="Correct-Horse-Battery-9")
    iam.create_policy(
        PolicyName="escalates",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:PassRole", "ec2:RunInstances"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    iam.update_account_password_policy(MinimumPasswordLength=14, PasswordReusePrevention=24)
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": server.admin_key,
        "AWS_SECRET_ACCESS_KEY": server.admin_secret,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    remote = _audit("--endpoint", server.endpoint, env=env)
    failures = _failures(remote)
    assert failures["user-console-mfa"] == [
        (f"arn:aws:iam::{server.account_id}:user/console-user", "console-user")
    ]
    assert failures["privilege-escalation"] == [
        (f"arn:aws:iam::{server.account_id}:policy/escalates", "escalates")
    ]
    assert failures["administrator-access-user"] == [
        (f"arn:aws:iam::{server.account_id}:user/admin", "admin")
    ]
    assert failures["password-minimum-length"] == []
    assert failures["password-reuse-prevention"] == []
    assert failures["root-mfa"] == [(f"arn:aws:iam::{server.account_id}:root", "<root_account>")]

    database = Path(server.data_dir) / "stockade.db"
    if database.exists():  # the SQLite server: read its store directly as well
        local = _audit("--data-dir", str(server.data_dir))
        assert _failures(local) == failures
        assert {r["id"]: r["status"] for r in local["results"]} == {
            r["id"]: r["status"] for r in remote["results"]
        }
