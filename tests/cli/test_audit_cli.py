"""`stockade audit` as a user runs it: the real command in a subprocess on a data directory,
each output format read back as its consumers read it, and the exit status by severity."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stockade.posture import all_checks
from tests.posture.world import World, allow, document, new_store

ROOT = Path(__file__).resolve().parents[2]


def stockade(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stockade", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An account whose worst failure is high: root has no credentials (its critical checks
    pass), a console user has no MFA (high), an unattached policy escalates (high)."""
    path = tmp_path_factory.mktemp("audit")
    world = World(new_store(path), datetime.now(UTC).replace(microsecond=0))
    world.user("alice", password=True)
    world.group("team", "alice")
    world.policy("keys", document(allow("iam:CreateAccessKey")))
    world.store.close()
    return path


def test_text_report_without_colour_off_a_terminal(data_dir: Path) -> None:
    result = stockade("audit", "--data-dir", data_dir)
    assert result.returncode == 13, result.stderr  # 10 + high
    assert "\033[" not in result.stdout
    assert "FAIL  HIGH     user-console-mfa [CIS 2.10]" in result.stdout
    assert "        - alice: has a console password and no MFA device" in result.stdout
    assert "fix (CLI):     aws iam create-virtual-mfa-device" in result.stdout
    assert "worst failure: high" in result.stdout


@pytest.mark.parametrize(
    ("fail_on", "code"), [("none", 0), ("critical", 0), ("high", 13), ("medium", 13), ("low", 13)]
)
def test_exit_status_is_the_worst_failure_at_or_above_fail_on(
    data_dir: Path, fail_on: str, code: int
) -> None:
    result = stockade("audit", "--data-dir", data_dir, "--fail-on", fail_on, "--format", "json")
    assert result.returncode == code, result.stderr


def test_json(data_dir: Path) -> None:
    result = stockade("audit", "--data-dir", data_dir, "--format", "json", "--fail-on", "none")
    report = json.loads(result.stdout)
    assert report["account_id"] == "123456789012"
    assert report["worst_failure"] == "high"
    by_id = {r["id"]: r for r in report["results"]}
    assert set(by_id) == {c.info.id for c in all_checks()}
    escalation = by_id["privilege-escalation"]
    assert escalation["status"] == "FAIL"
    assert escalation["severity"] == "high"
    assert escalation["findings"][0]["resource_arn"] == "arn:aws:iam::123456789012:policy/keys"
    assert "iam:CreateAccessKey" in escalation["findings"][0]["reason"]
    assert by_id["root-mfa"]["cis"] == "2.5" and by_id["root-mfa"]["status"] == "PASS"
    assert by_id["access-analyzer"]["status"] == "NOT_APPLICABLE"
    assert report["thresholds"]["unused_credentials_days"] == 45


def test_csv(data_dir: Path) -> None:
    result = stockade("audit", "--data-dir", data_dir, "--format", "csv", "--fail-on", "none")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    failing = {(r["check_id"], r["resource_name"]) for r in rows if r["status"] == "FAIL"}
    assert ("user-console-mfa", "alice") in failing
    assert ("privilege-escalation", "keys") in failing
    assert {r["check_id"] for r in rows} == {c.info.id for c in all_checks()}


def test_sarif_is_structurally_valid_2_1_0(data_dir: Path) -> None:
    result = stockade("audit", "--data-dir", data_dir, "--format", "sarif", "--fail-on", "none")
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "Stockade"
    rules: list[dict[str, Any]] = driver["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        assert 0.0 <= float(rule["properties"]["security-severity"]) <= 10.0
    assert run["results"], "failing findings are results"
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] in ("none", "note", "warning", "error")
        assert item["message"]["text"]
        [location] = item["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"]
        assert location["physicalLocation"]["region"]["startLine"] >= 1
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("arn:aws:iam::")
        assert item["partialFingerprints"]
    reported = {
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]) for r in run["results"]
    }
    assert ("user-console-mfa", "alice") in reported
    assert not any(rule_id == "root-mfa" for rule_id, _ in reported)  # passing: no result


def test_thresholds_and_output_file(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = stockade(
        "audit",
        "--data-dir",
        data_dir,
        "--format",
        "json",
        "--threshold",
        "unused_credentials_days=0",
        "--output",
        out,
        "--fail-on",
        "none",
    )
    assert result.returncode == 0 and result.stdout == ""
    report = json.loads(out.read_text())
    assert report["thresholds"]["unused_credentials_days"] == 0
    unused = next(r for r in report["results"] if r["id"] == "unused-credentials")
    assert unused["status"] == "FAIL"


def test_bad_input_gets_a_message_not_a_traceback(tmp_path: Path, data_dir: Path) -> None:
    missing = stockade("audit", "--data-dir", tmp_path / "nothing")
    assert missing.returncode == 1
    assert "no Stockade database" in missing.stderr
    threshold = stockade("audit", "--data-dir", data_dir, "--threshold", "speed=3")
    assert threshold.returncode == 2
    assert "--threshold wants NAME=N" in threshold.stderr
    account = stockade("audit", "--data-dir", data_dir, "--account-id", "999999999999")
    assert account.returncode == 1
    assert "no account 999999999999" in account.stderr
    both = stockade("audit", "--data-dir", data_dir, "--endpoint", "http://127.0.0.1:9")
    assert both.returncode == 2


def test_skipped_checks_are_left_out(data_dir: Path) -> None:
    result = stockade(
        "audit",
        "--data-dir",
        data_dir,
        "--format",
        "json",
        "--fail-on",
        "high",
        "--skip",
        "user-console-mfa",
        "--skip",
        "privilege-escalation",
    )
    report = json.loads(result.stdout)
    ids = {r["id"] for r in report["results"]}
    assert "user-console-mfa" not in ids and "privilege-escalation" not in ids
    assert result.returncode == 0  # nothing else of high severity fails
    unknown = stockade("audit", "--data-dir", data_dir, "--skip", "no-such-check")
    assert unknown.returncode == 2 and "no check no-such-check" in unknown.stderr
