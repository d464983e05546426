"""Security posture: the IAM dashboard's recommendations, the CIS AWS Foundations Benchmark's IAM
controls and Prowler-style checks, run on one snapshot of an account (docs/posture.md).

Sits beside the handlers: it reads through the domain (`stockade.identity`) and the policy engine,
and changes nothing. Typical use::

    from stockade.posture import run_audit, snapshot_from_store

    with store.snapshot() as tx:
        report = run_audit(snapshot_from_store(tx, account_id))
    for result in report.results: ...

`snapshot_from_api` (stockade.posture.remote) builds the same snapshot from an IAM endpoint.
"""

from stockade.posture.audit import all_checks, run_audit
from stockade.posture.model import (
    AuditReport,
    CheckInfo,
    CheckResult,
    Finding,
    Remediation,
    Severity,
    Status,
)
from stockade.posture.registry import Thresholds
from stockade.posture.snapshot import Snapshot, parse_credential_report, snapshot_from_store

__all__ = [
    "AuditReport",
    "CheckInfo",
    "CheckResult",
    "Finding",
    "Remediation",
    "Severity",
    "Snapshot",
    "Status",
    "Thresholds",
    "all_checks",
    "parse_credential_report",
    "run_audit",
    "snapshot_from_store",
]
