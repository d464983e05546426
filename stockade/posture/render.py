"""Views of an audit: a terminal report, JSON, CSV, and SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from stockade import __version__
from stockade.posture.model import AuditReport, CheckInfo, CheckResult, Finding, Severity, Status

FORMATS = ("text", "json", "csv", "sarif")

# -- JSON ------------------------------------------------------------------------------------


def _check_dict(info: CheckInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "title": info.title,
        "severity": info.severity.value,
        "cis": info.cis,
        "dashboard": info.dashboard,
        "prowler": list(info.prowler),
        "description": info.description,
        "remediation": {"console": info.remediation.console, "cli": info.remediation.cli},
    }


def _finding_dict(finding: Finding) -> dict[str, str]:
    return {
        "resource_arn": finding.resource_arn,
        "resource_name": finding.resource_name,
        "status": finding.status.value,
        "reason": finding.reason,
    }


def counts(report: AuditReport) -> dict[str, int]:
    found = {status.value: 0 for status in Status}
    for result in report.results:
        found[result.status.value] += 1
    return found


def _worst(report: AuditReport) -> str | None:
    worst = report.worst_failure()
    return worst.value if worst else None


def as_json(report: AuditReport) -> str:
    document = {
        "account_id": report.account_id,
        "taken_at": report.taken_at.isoformat(),
        "thresholds": report.thresholds,
        "checks": counts(report),
        "worst_failure": _worst(report),
        "results": [
            {
                **_check_dict(result.check),
                "status": result.status.value,
                "findings": [_finding_dict(f) for f in result.findings],
            }
            for result in report.results
        ],
    }
    return json.dumps(document, indent=2) + "\n"


# -- CSV -------------------------------------------------------------------------------------
CSV_COLUMNS = (
    "check_id",
    "title",
    "severity",
    "cis",
    "status",
    "resource_arn",
    "resource_name",
    "reason",
    "console",
    "cli",
)


def as_csv(report: AuditReport) -> str:
    """One row per finding (a check with none gets one row with its status)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in report.results:
        info = result.check
        head = [info.id, info.title, info.severity.value, info.cis or ""]
        tail = [info.remediation.console, info.remediation.cli]
        if not result.findings:
            writer.writerow([*head, result.status.value, "", "", "nothing to check", *tail])
        for f in result.findings:
            writer.writerow(
                [*head, f.status.value, f.resource_arn, f.resource_name, f.reason, *tail]
            )
    return buffer.getvalue()


# -- SARIF -----------------------------------------------------------------------------------
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "note",
}
# GitHub code scanning reads `security-severity` (0-10) to rank security alerts.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFORMATIONAL: "0.0",
}


def _rule(info: CheckInfo) -> dict[str, Any]:
    tags = ["security", "iam"]
    if info.cis:
        tags.append(f"CIS-AWS-7.0-{info.cis}")
    help_text = f"Console: {info.remediation.console}\nCLI: {info.remediation.cli}"
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.split("-")),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.description or info.title},
        "help": {"text": help_text, "markdown": help_text.replace("\n", "  \n")},
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": _LEVEL[info.severity]
            if _LEVEL[info.severity] != "note"
            else "recommendation",
            "security-severity": _SECURITY_SEVERITY[info.severity],
        },
    }


def _result(report: AuditReport, index: int, result: CheckResult, f: Finding) -> dict[str, Any]:
    info = result.check
    fingerprint = hashlib.sha256(f"{info.id}\0{f.resource_arn}\0{f.resource_name}".encode())
    return {
        "ruleId": info.id,
        "ruleIndex": index,
        "level": _LEVEL[info.severity],
        "message": {"text": f"{f.resource_name}: {f.reason}"},
        # No file holds an IAM resource: the location is the account, named the same way in
        # every run, so code scanning tracks an alert across runs; the resource is logical.
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f"iam/{report.account_id}"},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [
                    {
                        "fullyQualifiedName": f.resource_arn,
                        "name": f.resource_name,
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {"stockadeFinding/v1": fingerprint.hexdigest()},
    }


def as_sarif(report: AuditReport) -> str:
    """Failing findings as results (SARIF results are problems); every check as a rule."""
    rules = [_rule(result.check) for result in report.results]
    results = [
        _result(report, index, result, f)
        for index, result in enumerate(report.results)
        for f in result.failed
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Stockade",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"stockade-audit/{report.account_id}/"},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


# -- text ------------------------------------------------------------------------------------
_COLOURS = {
    Status.PASS: "\033[32m",
    Status.FAIL: "\033[31m",
    Status.NOT_APPLICABLE: "\033[90m",
}
_SEVERITY_COLOURS = {Severity.CRITICAL: "\033[1;31m", Severity.HIGH: "\033[31m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"
SHOWN_PER_CHECK = 10


def as_text(report: AuditReport, *, colour: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines = [
        paint(_BOLD, f"Stockade audit of account {report.account_id}")
        + f"  ({report.taken_at.isoformat()})",
        "",
    ]
    for result in report.results:
        info = result.check
        status = result.status
        label = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.NOT_APPLICABLE: "N/A "}[status]
        severity = info.severity.value.upper()
        if info.severity in _SEVERITY_COLOURS and status is Status.FAIL:
            severity = paint(_SEVERITY_COLOURS[info.severity], severity)
        cis = f" [CIS {info.cis}]" if info.cis else ""
        lines.append(
            f"{paint(_COLOURS[status], label)}  {severity:<8} {info.id}{cis}: {info.title}"
        )
        if status is Status.FAIL:
            failed = result.failed
            for f in failed[:SHOWN_PER_CHECK]:
                lines.append(f"        - {f.resource_name}: {f.reason}")
            if len(failed) > SHOWN_PER_CHECK:
                lines.append(f"        … and {len(failed) - SHOWN_PER_CHECK} more")
            lines.append(f"        fix (console): {info.remediation.console}")
            lines.append(f"        fix (CLI):     {info.remediation.cli}")
        elif status is Status.NOT_APPLICABLE and result.findings:
            lines.append(f"        {result.findings[0].reason}")
    total = counts(report)
    worst = report.worst_failure()
    lines += [
        "",
        f"{len(report.results)} checks: {total['PASS']} passed, {total['FAIL']} failed, "
        f"{total['NOT_APPLICABLE']} not applicable"
        + (f"; worst failure: {worst.value}" if worst else ""),
    ]
    return "\n".join(lines) + "\n"


def render(report: AuditReport, output_format: str, *, colour: bool = False) -> str:
    if output_format == "json":
        return as_json(report)
    if output_format == "csv":
        return as_csv(report)
    if output_format == "sarif":
        return as_sarif(report)
    return as_text(report, colour=colour)
