"""What an audit returns: plain, frozen data that any view renders (the CLI's formats now, the
console's dashboard later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Severity(StrEnum):
    """Prowler's scale, which SARIF and Security Hub map from."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFORMATIONAL = "informational"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Severity.INFORMATIONAL: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True, slots=True)
class Remediation:
    """Where to fix it: the console page (AWS's names for it) and the CLI command."""

    console: str
    cli: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One resource's result for one check."""

    resource_arn: str
    resource_name: str
    status: Status
    reason: str


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What a check is, independent of any account."""

    id: str
    title: str
    severity: Severity
    remediation: Remediation
    cis: str | None = None  # CIS AWS Foundations Benchmark v7.0 recommendation
    dashboard: str | None = None  # the IAM dashboard's wording, when it shows this
    prowler: tuple[str, ...] = ()  # the Prowler checks that test the same thing
    description: str = ""


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: CheckInfo
    findings: tuple[Finding, ...]

    @property
    def status(self) -> Status:
        statuses = {finding.status for finding in self.findings}
        if Status.FAIL in statuses:
            return Status.FAIL
        if Status.PASS in statuses or not statuses:
            return Status.PASS
        return Status.NOT_APPLICABLE

    @property
    def failed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status is Status.FAIL)


@dataclass(frozen=True, slots=True)
class AuditReport:
    account_id: str
    taken_at: datetime
    results: tuple[CheckResult, ...]
    thresholds: dict[str, int] = field(default_factory=dict)

    def worst_failure(self) -> Severity | None:
        failing = [r.check.severity for r in self.results if r.status is Status.FAIL]
        return max(failing, key=lambda s: s.rank) if failing else None
