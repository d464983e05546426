"""`stockade policy check | test | simulate` as a user runs them: the real command in a
subprocess, its output and its exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "policies"


def stockade(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stockade", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_check_valid_examples() -> None:
    result = stockade("policy", "check", *sorted(EXAMPLES.glob("*.json")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "developer.json: valid, no findings" in result.stdout


def test_check_invalid_document_exits_1_with_aws_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:*"}}')
    result = stockade("policy", "check", bad)
    assert result.returncode == 1
    assert "invalid: MalformedPolicyDocument: The policy failed legacy parsing" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_json_format_lists_findings(tmp_path: Path) -> None:
    risky = tmp_path / "risky.json"
    risky.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
            }
        )
    )
    result = stockade("policy", "check", "--format", "json", risky)
    assert result.returncode == 0  # a security warning is a finding, not an invalid document
    [report] = json.loads(result.stdout)
    assert report["valid"] is True
    assert [f["code"] for f in report["findings"]] == ["ALLOW_WITH_NOT_ACTION"]
    assert report["findings"][0]["severity"] == "security_warning"


def test_check_size_limit_of_a_user_inline_policy(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    resources = [f"arn:aws:s3:::bucket-{n:04d}/*" for n in range(100)]
    big.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}],
            }
        )
    )
    assert stockade("policy", "check", big).returncode == 0
    result = stockade("policy", "check", "--limit", "user-inline", big)
    assert result.returncode == 1
    assert "LimitExceeded: Cannot exceed quota for PolicySize: 2048" in result.stdout


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00garbage", b"[1, 2", b"null", b"{}"])
def test_check_never_shows_a_traceback(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(garbage)
    result = stockade("policy", "check", path)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stdout + result.stderr


def test_check_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = stockade("policy", "check", tmp_path / "nope.json")
    assert result.returncode == 2
    assert "nope.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_test_runs_the_shipped_cases() -> None:
    result = stockade("policy", "test", EXAMPLES / "cases.jsonl")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1] == "7 passed, 0 failed"


def test_test_reports_a_failing_case_with_its_explanation(tmp_path: Path) -> None:
    case = {
        "id": "wrong-expectation",
        "principal": {"arn": "arn:aws:iam::123456789012:user/alice", "type": "IAMUser"},
        "request": {
            "action": "s3:DeleteObject",
            "resource": "arn:aws:s3:::billing-prod/a",
            "context": {"aws:username": "alice"},
        },
        "identity_policies": ["developer.json"],
        "expected": "Allow",
    }
    (tmp_path / "developer.json").write_text((EXAMPLES / "developer.json").read_text())
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(case) + "\n" + "not json\n")
    result = stockade("policy", "test", cases)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "FAIL wrong-expectation: expected allowed, got explicitDeny" in lines
    assert any("NeverDeleteProduction" in line for line in lines)
    assert any(line.startswith("FAIL line 2: cannot read the case") for line in lines)
    assert lines[-1] == "0 passed, 2 failed"


def test_simulate_explains_an_implicit_deny() -> None:
    result = stockade(
        "policy",
        "simulate",
        "--policy",
        EXAMPLES / "developer.json",
        "--principal",
        "arn:aws:iam::123456789012:user/alice",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::team-data/home/bob/notes.txt",
    )
    assert result.returncode == 1
    assert result.stdout.startswith("implicitDeny: ")
    assert "WriteOwnHome" in result.stdout
    assert "resource: resource arn:aws:s3:::team-data/home/bob/notes.txt is not in" in result.stdout


def simulate_alice_writing_home(*extra: str) -> subprocess.CompletedProcess[str]:
    return stockade(
        "policy",
        "simulate",
        "--policy",
        EXAMPLES / "developer.json",
        "--policy",
        EXAMPLES / "require-mfa.json",
        "--principal",
        "arn:aws:iam::123456789012:user/alice",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::team-data/home/alice/notes.txt",
        *extra,
    )


def test_simulate_uses_the_principal_name_and_context() -> None:
    allowed = simulate_alice_writing_home(
        "--context", "aws:MultiFactorAuthPresent=true", "--format", "json"
    )
    assert allowed.returncode == 0, allowed.stdout
    report = json.loads(allowed.stdout)
    assert report["decision"] == "allowed"
    [matched] = report["matched_statements"]
    assert matched["policy"].endswith("developer.json")
    assert (matched["sid"], matched["line"]) == ("WriteOwnHome", 10)
    # Without MFA in the context the same request meets require-mfa.json's Deny.
    denied = simulate_alice_writing_home()
    assert denied.returncode == 1
    assert denied.stdout.startswith("explicitDeny:")
    assert "DenyAllExceptListedIfNoMFA" in denied.stdout


def test_simulate_bad_policy_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = stockade("policy", "simulate", "--policy", bad, "--action", "s3:GetObject")
    assert result.returncode == 2
    assert "Syntax errors in policy." in result.stderr
    assert "Traceback" not in result.stderr
